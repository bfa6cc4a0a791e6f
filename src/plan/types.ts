import type { Phase, Status } from '../spec/types.js';

/** One task in the run plan (CLI.md, `plan --format json`). */
export interface PlanTask {
  id: string;
  title: string;
  phase: Phase;
  /** Explicit `depends_on`, sorted (the implicit "foundation first" rule is not listed). */
  dependsOn: string[];
  status: Status;
  estimateMinutes: number;
  wave: number;
  /** `<branch_prefix><id>`: the task's own branch, whatever its phase (version 2), merged into the target branch with `--no-ff`. */
  branch: string;
  /**
   * `<worktree_dir>/<id>`, as PROJECT.md writes worktree_dir (relative to the
   * repository root, or absolute): where the task's agent works, whatever its
   * phase (version 2).
   */
  worktree: string;
  /** The spec file, relative to the repository root (or to the current directory when there is no repository), `/` separators. */
  file: string;
  /** The agent name this task runs with (its own `agent`, else PROJECT.md's default), if any. */
  agent?: string;
  owns: string[];
  provides: string[];
  consumes: string[];
}

/** The contract's `plan --format json` shape, version 1, plus the extensions after `maxParallelism`. */
export interface RunPlan {
  version: 1;
  project: string | null;
  baseBranch: string;
  targetBranch: string;
  /** Sorted by wave, then id. */
  tasks: PlanTask[];
  waves: string[][];
  /** The longest chain of work still to do, by estimate (done tasks count 0 minutes and are not listed). */
  criticalPath: { tasks: string[]; minutes: number };
  /** The widest wave, counting the tasks that would run side by side (not foundation, not done). */
  maxParallelism: number;
  /** `max_parallel` from PROJECT.md: how many agents `run` starts at once. */
  maxParallel: number;
  /** worktree_dir from PROJECT.md, or its default `../<repo-folder-name>.worktrees`. */
  worktreeDir: string;
  /** `<worktree_dir>/integration`: the target branch's own worktree, where the user looks at the merged result. */
  targetWorktree: string;
}
