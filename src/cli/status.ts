import { resolve } from 'node:path';
import { Git } from '../run/git.js';
import { formatStatusJson, formatStatusText, statusView } from '../run/status.js';
import { findRunFrom } from '../run/where.js';
import type { Io } from '../io/io.js';

export interface StatusOptions {
  run?: string;
  format: 'text' | 'json';
}

/** `specdag status [RUN]`: what a run did and is doing, from its state.json (the last run by default), from any folder of the repository. */
export async function runStatus(opts: StatusOptions, io: Io): Promise<number> {
  const state = await findRunFrom(new Git(io.env), resolve(io.cwd), opts.run, "not inside a git repository, so there is no run to show; run 'specdag status' from the repository where 'specdag run' ran");
  const view = statusView(state);
  io.stdout.write(opts.format === 'json' ? formatStatusJson(view) : formatStatusText(view, io.cwd));
  return 0;
}
