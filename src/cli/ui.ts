import type { Io } from '../io/io.js';
import { noBrowserReason, openBrowser } from '../ui/open.js';
import { startUi } from '../ui/server.js';

export interface UiCommandOptions {
  dir: string;
  port?: number;
  /** false with --no-open. */
  open: boolean;
  /** Resolves when the server should stop; Ctrl-C and SIGTERM by default (tests pass their own). */
  until?: Promise<unknown>;
}

function signalled(): Promise<string> {
  return new Promise((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `specdag ui`: the URL first on stdout, then the page served until Ctrl-C. */
export async function runUi(opts: UiCommandOptions, io: Io): Promise<number> {
  const ui = await startUi({ dir: opts.dir, io, ...(opts.port !== undefined ? { port: opts.port } : {}) });
  io.stdout.write(`${ui.url}\n`);
  io.stderr.write(`specdag: the plan of '${opts.dir}' (${ui.plan.tasks.length} task${ui.plan.tasks.length === 1 ? '' : 's'}) at the address above, with the latest run as it goes; Ctrl-C stops it\n`);
  if (opts.open) {
    const reason = noBrowserReason(io.env);
    const failed = reason === undefined ? await openBrowser(ui.url) : `not opening a browser because ${reason}`;
    if (failed) io.stderr.write(`specdag: ${failed}; open the address yourself\n`);
  }
  await (opts.until ?? signalled());
  await ui.close();
  return 0;
}
