import { resolve } from 'node:path';
import type { Io } from '../io/io.js';
import { Git } from '../run/git.js';
import { stillGoing, taskOf, writeLog } from '../run/logs.js';
import { findRun, type RunState } from '../run/state.js';
import { runsRoot } from '../run/where.js';
import { UsageError } from '../util/errors.js';

export interface LogsOptions {
  task: string;
  run?: string;
  follow: boolean;
}

/** `specdag logs <task> [RUN] [-f]`: a task's log from the last run (or the one named); -f follows it until the task is over. */
export async function runLogs(opts: LogsOptions, io: Io): Promise<number> {
  const root = await runsRoot(new Git(io.env), resolve(io.cwd));
  if (root === undefined) throw new UsageError("not inside a git repository, so there is no run to show; run 'specdag logs' from the repository where 'specdag run' ran");
  const state = findRun(root, opts.run);
  const task = taskOf(state, opts.task);
  const wrote = await writeLog({ repoRoot: root, runId: state.runId, taskId: task.id, follow: opts.follow, write: writer(io.stdout) }).catch((err: unknown) => {
    // The reader went away (`| head`): stop quietly; bin.ts turns the lost output into exit 2.
    if (err instanceof Closed) return true;
    throw err;
  });
  if (!wrote) io.stderr.write(`specdag: ${noLog(findRun(root, state.runId), task.id)}\n`);
  return 0;
}

function noLog(state: RunState, id: string): string {
  const task = taskOf(state, id);
  if (stillGoing(state, task)) return `task '${id}' has not started yet in run ${state.runId}; 'specdag logs ${id} -f' waits for it and follows its log`;
  return `task '${id}' has no log in run ${state.runId}: it is ${task.status}${task.reason ? ` (${task.reason})` : ''}`;
}

class Closed extends Error {}

type Out = Io['stdout'] & Partial<Pick<NodeJS.WriteStream, 'once' | 'off' | 'destroyed'>>;

/**
 * Writes to stdout and, when a real stream's buffer is full, waits for it
 * to drain: a long log into a slow reader is not held in memory whole.
 */
function writer(out: Out): (s: string) => void | Promise<void> {
  return (s) => {
    if (out.destroyed) throw new Closed();
    if (out.write(s) !== false || typeof out.once !== 'function' || typeof out.off !== 'function') return;
    return new Promise<void>((done, fail) => {
      const settle = (err: boolean) => () => {
        out.off!('drain', ok);
        out.off!('error', bad);
        out.off!('close', bad);
        if (err) fail(new Closed());
        else done();
      };
      const ok = settle(false);
      const bad = settle(true);
      out.once!('drain', ok);
      out.once!('error', bad);
      out.once!('close', bad);
    });
  };
}
