import { resolve } from 'node:path';
import { Git } from '../run/git.js';
import { repoRootOf } from '../run/run.js';
import { findRun } from '../run/state.js';
import { formatStatusJson, formatStatusText, statusView } from '../run/status.js';
import { UsageError } from '../util/errors.js';
import type { Io } from '../io/io.js';

export interface StatusOptions {
  run?: string;
  format: 'text' | 'json';
}

/** `specdag status [RUN]`: what a run did and is doing, from its state.json (the last run by default). */
export async function runStatus(opts: StatusOptions, io: Io): Promise<number> {
  const root = await repoRootOf(new Git(io.env), resolve(io.cwd));
  if (root === undefined) throw new UsageError("not inside a git repository, so there is no run to show; run 'specdag status' from the repository where 'specdag run' ran");
  const view = statusView(findRun(root, opts.run));
  io.stdout.write(opts.format === 'json' ? formatStatusJson(view) : formatStatusText(view, io.cwd));
  return 0;
}
