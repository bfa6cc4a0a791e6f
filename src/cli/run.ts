import { relative, resolve } from 'node:path';
import { executeRun, type RunRequest } from '../run/run.js';
import { Git } from '../run/git.js';
import { findRunFrom } from '../run/where.js';
import type { Io } from '../io/io.js';
import { checkedSpecs } from '../lint/service.js';

/** `specdag run`'s options: the runner's request, with the folder optional (a resume finds its own). */
export type RunOptions = Omit<RunRequest, 'dir'> & { dir?: string; ui?: boolean };

/**
 * `specdag run`: lint, plan, preflight checks, then one agent per task in git
 * worktrees (src/run/). 0: every task merged; 1: lint errors, or a task
 * failed, conflicted or was skipped; 2: refused; 130 / 143 / 129: stopped
 * by SIGINT / SIGTERM / SIGHUP (the run is resumable).
 */
export async function runRun(opts: RunOptions, io: Io): Promise<number> {
  const dir = opts.dir ?? (opts.resume !== undefined ? await resumedDir(opts.resume, io) : 'specs');
  const result = await checkedSpecs(dir, io, { readOnly: opts.dryRun });
  // The page follows state.json on its own; it only has to live as long as the run.
  const ui = opts.ui && !opts.dryRun ? await (await import('../ui/server.js')).startUi({ dir, io, open: true }) : undefined;
  if (ui) io.stderr.write(`specdag: the run, live: ${ui.url}\n`);
  try {
    return await executeRun({ ...opts, dir }, result, io);
  } finally {
    await ui?.close();
  }
}

/** `run --resume` without a folder, from any folder of the repository: the spec folder the run read. */
async function resumedDir(resume: boolean | string, io: Io): Promise<string> {
  const cwd = resolve(io.cwd);
  let state;
  try {
    state = await findRunFrom(new Git(io.env), cwd, typeof resume === 'string' ? resume : undefined, 'outside');
  } catch {
    // No run to find from here: the default folder, and the usual messages from there on.
    return 'specs';
  }
  return relative(cwd, state.specDir) || '.';
}
