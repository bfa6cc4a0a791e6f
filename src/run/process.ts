import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Launcher } from './launcher.js';

export interface ProcessExit {
  /** Null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** True when specdag stopped it (Ctrl-C, SIGTERM, SIGHUP), not the command's own doing. */
  stopped: boolean;
  /** Set when the command could not be started at all. */
  error?: string;
}

export interface ProcessHandle {
  /** The process group (the pid of its `sh`), once known. */
  readonly pid: number | undefined;
  /** Settles with the pid once the command runs (undefined when it could not start). */
  started: Promise<number | undefined>;
  /** Settles once the command has exited and nothing of its process group is left. */
  exit: Promise<ProcessExit>;
  /** Asks the whole process group to stop: SIGTERM, then SIGKILL after `graceMs` (0: SIGKILL now). */
  stop(graceMs?: number): void;
}

export interface ProcessLaunch {
  /** A command line from PROJECT.md or a spec, run through `sh -c`. */
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Given on stdin (closed at once when absent). */
  stdin?: string;
  /** A file that holds exactly `stdin`, given in its place where that is cheaper. */
  stdinFile?: string;
  /** Appended to: a header line, the command's stdout and stderr, a closing line. */
  log: string;
  /** Stops the command (as timed out) after this long. */
  timeoutMs?: number;
}

/** CLI.md: SIGTERM to the group, then SIGKILL what is left after 10 s. */
export const GRACE_MS = 10_000;
/** Past this after a SIGKILL, whatever still answers is not ours to wait for (a process stuck in the kernel). */
const REAP_MS = 2000;

function signalGroup(pid: number | undefined, signal: NodeJS.Signals | 0): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Is any process of the group still running? A killed process stays in the
 * process table as a zombie until its parent reaps it, and an orphan's new
 * parent (PID 1 of a container, say) may take its time: zombies run nothing,
 * so on Linux, where /proc tells, they do not count.
 */
export function groupAlive(pgid: number | undefined): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const table = processTable();
  return table === undefined || table.some((p) => p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X');
}

/** A process as /proc/<pid>/stat tells it. */
export interface ProcessEntry {
  pid: number;
  /** The program's name, as the kernel keeps it (at most 15 characters). */
  comm: string;
  /** R, S, D, Z (zombie), X (dead), ... */
  state: string;
  ppid: number;
  pgrp: number;
}

/** Every process /proc shows, or undefined where there is no /proc to read (not Linux). */
export function processTable(): ProcessEntry[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const table: ProcessEntry[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    table.push({ pid: Number(name), comm: stat.slice(stat.indexOf('(') + 1, close), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) });
  }
  return table;
}

/**
 * Starts `sh -c <command>` in a process group of its own, so stopping it
 * stops everything it started, and so a Ctrl-C in the terminal reaches
 * specdag only (which then stops the group itself, with a grace period).
 * stdout and stderr go to the log file. Through `launcher` when it takes
 * the command (see Launcher: no fork of node), else from node; its pid is
 * known once it runs (`started`), and a stop asked before then is applied
 * then.
 *
 * `exit` waits for the whole group, not just the shell: whatever the command
 * left running in the background would keep writing into the worktree while
 * it is committed and merged, and `run` may only exit once nothing it
 * started is alive.
 */
export function startProcess(launch: ProcessLaunch, launcher?: Launcher): ProcessHandle {
  appendFileSync(launch.log, `specdag: ${new Date().toISOString()} running in ${launch.cwd}: ${launch.command}\n`);
  let timedOut = false;
  let stopped = false;
  let killAt: number | undefined;
  let timeout: NodeJS.Timeout | undefined;
  let pid: number | undefined;
  let startedNow: (pid: number | undefined) => void = () => undefined;
  const started = new Promise<number | undefined>((resolve) => (startedNow = resolve));

  const stop = (graceMs: number) => {
    const at = Date.now() + graceMs;
    if (killAt === undefined || at < killAt) killAt = at;
    if (pid === undefined) return; // asked before it ran: applied once its pid is known
    signalGroup(pid, 'SIGTERM');
    if (graceMs === 0 || Date.now() >= killAt) signalGroup(pid, 'SIGKILL');
  };

  let error: string | undefined;
  let settled = false;
  let resolveExit: (exit: ProcessExit) => void = () => undefined;
  const exit = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
  const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
    if (settled) return;
    settled = true;
    startedNow(pid);
    clearTimeout(timeout);
    // The shell is gone; what it left in its group is asked to stop, then killed once its grace runs out. A group
    // already sent SIGTERM is not sent it again (a trap would run twice): it keeps the grace it was given.
    if (groupAlive(pid) && killAt === undefined) stop(GRACE_MS);
    let killedAt: number | undefined;
    while (groupAlive(pid)) {
      if (killAt !== undefined && Date.now() >= killAt) {
        signalGroup(pid, 'SIGKILL');
        killedAt ??= Date.now();
        if (Date.now() - killedAt > REAP_MS) break;
      }
      await sleep(20);
    }
    const how = error ? `could not start: ${error}` : code !== null ? `exit code ${code}` : `signal ${signal}`;
    const killed = killedAt !== undefined ? '; what was left of its process group was killed (SIGKILL)' : '';
    appendFileSync(launch.log, `\nspecdag: ${new Date().toISOString()} ${timedOut ? 'timed out, ' : stopped ? 'stopped, ' : ''}${how}${killed}\n`);
    resolveExit({ code, signal, timedOut, stopped, ...(error ? { error } : {}) });
  };
  const running = (p: number) => {
    pid = p;
    startedNow(p);
    if (killAt !== undefined) stop(Math.max(0, killAt - Date.now()));
  };

  const viaShell =
    (launch.stdin === undefined || launch.stdinFile !== undefined) &&
    launcher?.launch(
      { command: launch.command, cwd: launch.cwd, env: launch.env, log: launch.log, ...(launch.stdinFile !== undefined ? { stdinFile: launch.stdinFile } : {}) },
      {
        started: running,
        ended: (code, signal, why) => {
          if (why !== undefined) error = why;
          void finish(code, signal);
        },
      },
    );
  if (!viaShell) {
    const fd = openSync(launch.log, 'a');
    let child;
    try {
      child = spawn('sh', ['-c', launch.command], { cwd: launch.cwd, env: launch.env, detached: true, stdio: ['pipe', fd, fd] });
    } finally {
      closeSync(fd);
    }
    if (child.pid !== undefined) running(child.pid);
    child.on('error', (err) => {
      error = err.message;
      void finish(null, null);
    });
    child.on('exit', (code, signal) => void finish(code, signal));
    // A command that never reads its stdin closes the pipe early: that is its right, not an error.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(launch.stdin ?? '');
  }

  if (launch.timeoutMs !== undefined) {
    timeout = setTimeout(() => {
      timedOut = true;
      stop(GRACE_MS);
    }, launch.timeoutMs);
    timeout.unref();
  }

  return {
    get pid() {
      return pid;
    },
    started,
    exit,
    stop(graceMs = GRACE_MS) {
      stopped = true;
      stop(graceMs);
    },
  };
}
