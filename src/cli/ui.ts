import type { Io } from '../io/io.js';
import { startUi } from '../ui/server.js';

export interface UiCommandOptions {
  dir: string;
  port?: number;
  /** false with --no-open. */
  open: boolean;
}

/** Ctrl-C or SIGTERM, listened for from the start: a signal sent as soon as the URL shows must stop the server, not kill it. */
function signals(): { stopped: Promise<string>; dispose(): void } {
  let dispose = () => {};
  const stopped = new Promise<string>((done) => {
    const stop = (signal: string) => {
      dispose();
      done(signal);
    };
    dispose = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return { stopped, dispose };
}

/** `specdag ui`: the URL first on stdout, then the page served until Ctrl-C. */
export async function runUi(opts: UiCommandOptions, io: Io): Promise<number> {
  const { stopped, dispose } = signals();
  try {
    const ui = await startUi({ dir: opts.dir, io, open: opts.open, ...(opts.port !== undefined ? { port: opts.port } : {}) });
    io.stdout.write(`${ui.url}\n`);
    io.stderr.write(`specdag: the plan of '${opts.dir}' (${ui.plan.tasks.length} task${ui.plan.tasks.length === 1 ? '' : 's'}) at the address above, with the latest run as it goes; Ctrl-C stops it\n`);
    await stopped;
    await ui.close();
    return 0;
  } finally {
    dispose();
  }
}
