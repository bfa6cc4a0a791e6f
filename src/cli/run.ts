import { executeRun } from '../run/run.js';
import type { Io } from './io.js';
import { checkedSpecs } from './lint.js';

export interface RunOptions {
  dir: string;
  maxParallel?: number;
  agent?: string;
  only?: string[];
  dryRun: boolean;
  /** true: the last run; a string: that run id. */
  resume?: boolean | string;
  /** Per-task time limit in minutes. */
  timeoutMinutes?: number;
}

/**
 * `specdag run`: lint, plan, preflight checks, then one agent per task in git
 * worktrees (src/run/). 0: every task merged; 1: lint errors, or a task
 * failed, conflicted or was skipped; 2: refused; 130 / 143: stopped by
 * SIGINT / SIGTERM (the run is resumable).
 */
export async function runRun(opts: RunOptions, io: Io): Promise<number> {
  const result = await checkedSpecs(opts.dir, io);
  return executeRun(opts, result, io);
}
