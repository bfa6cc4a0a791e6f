import { executeRun, type RunRequest } from '../run/run.js';
import type { Io } from '../io/io.js';
import { checkedSpecs } from '../lint/service.js';

/** `specdag run`'s options are the runner's request as it is. */
export type RunOptions = RunRequest;

/**
 * `specdag run`: lint, plan, preflight checks, then one agent per task in git
 * worktrees (src/run/). 0: every task merged; 1: lint errors, or a task
 * failed, conflicted or was skipped; 2: refused; 130 / 143 / 129: stopped
 * by SIGINT / SIGTERM / SIGHUP (the run is resumable).
 */
export async function runRun(opts: RunOptions, io: Io): Promise<number> {
  const result = await checkedSpecs(opts.dir, io, { readOnly: opts.dryRun });
  return executeRun(opts, result, io);
}
