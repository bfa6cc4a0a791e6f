import type { Phase, Status } from '../spec/types.js';

/** One task in the run plan (CLI.md, `plan --format json`). */
export interface PlanTask {
  id: string;
  title: string;
  phase: Phase;
  dependsOn: string[];
  status: Status;
  estimateMinutes: number;
  wave: number;
  /** `<branch_prefix><id>`. */
  branch: string;
  /** `<worktree_dir>/<id>`, as PROJECT.md writes worktree_dir (relative to the repository root, or absolute). */
  worktree: string;
  /** The spec file, relative to the repository root... or to the current directory when there is no repository. */
  file: string;
  /** The agent name this task runs with (its own `agent`, else PROJECT.md's default), if any. */
  agent?: string;
  owns: string[];
  provides: string[];
  consumes: string[];
}

/** The contract's `plan --format json` shape, version 1, plus the extensions above. */
export interface RunPlan {
  version: 1;
  project: string | null;
  baseBranch: string;
  targetBranch: string;
  tasks: PlanTask[];
  waves: string[][];
  criticalPath: { tasks: string[]; minutes: number };
  maxParallelism: number;
}
