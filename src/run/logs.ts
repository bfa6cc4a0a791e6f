import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { closest } from '../util/closest.js';
import { UsageError } from '../util/errors.js';
import { alive, readState, type RunState, type TaskState } from './state.js';

/** The task of a run, or a sentence that names the run's tasks. */
export function taskOf(state: RunState, id: string): TaskState {
  const task = state.tasks.find((t) => t.id === id);
  if (task) return task;
  const ids = state.tasks.map((t) => t.id);
  const near = closest(id, ids);
  const list = ids.length > 0 ? `${near ? `did you mean '${near}'? ` : ''}its tasks are ${ids.join(', ')}` : 'it has no task';
  throw new UsageError(`run ${state.runId} has no task '${id}'; ${list}`);
}

/**
 * Whether a task's log can still grow: its agent runs, or it waits for its
 * turn in a run whose process is alive. A run that died leaves its tasks
 * recorded as running forever; they are over too.
 */
export function stillGoing(state: RunState, task: TaskState): boolean {
  if (task.status !== 'running' && task.status !== 'pending') return false;
  return state.status === 'running' && alive(state.pid);
}

/** Writes a file from `offset` to its current end, a piece at a time; returns the new offset. */
export async function copyFrom(path: string, offset: number, decoder: StringDecoder, write: (s: string) => void | Promise<void>): Promise<number> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return offset;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    // A log started afresh (smaller than what was read) is read again from its start.
    let at = size < offset ? 0 : offset;
    const buf = Buffer.alloc(64 * 1024);
    while (at < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
      if (n === 0) break;
      at += n;
      const text = decoder.write(buf.subarray(0, n));
      if (text) await write(text);
    }
    return at;
  } finally {
    closeSync(fd);
  }
}

export interface LogOptions {
  repoRoot: string;
  runId: string;
  taskId: string;
  /** Keep writing what is added until the task is over. */
  follow: boolean;
  /** Resolves when the piece is taken (a slow reader holds the next read back). */
  write: (s: string) => void | Promise<void>;
  /** How often the log and state.json are looked at while following. */
  intervalMs?: number;
}

/**
 * Writes the task's log; when following, then what is added to it, until
 * state.json says the task is over, and then the last of it. Returns false
 * when there was no log to write. Polling, not fs.watch: it behaves the same
 * on every file system, and the state must be read anyway.
 */
export async function writeLog(opts: LogOptions): Promise<boolean> {
  const decoder = new StringDecoder('utf8');
  const interval = opts.intervalMs ?? 200;
  let offset = 0;
  let seen = false;
  for (;;) {
    // The state before the log: once a task is seen over, its agent has written everything, so this read is the last one needed.
    const state = readState(opts.repoRoot, opts.runId);
    const task = taskOf(state, opts.taskId);
    const going = opts.follow && stillGoing(state, task);
    seen ||= existsSync(task.log);
    offset = await copyFrom(task.log, offset, decoder, opts.write);
    if (!going) break;
    await sleep(interval);
  }
  const rest = decoder.end();
  if (rest) await opts.write(rest);
  return seen;
}
