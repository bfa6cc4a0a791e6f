import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';

export interface AgentExit {
  /** Null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** True when specdag stopped it (Ctrl-C), not the agent's own doing. */
  stopped: boolean;
  /** Set when the command could not be started at all. */
  error?: string;
}

export interface AgentHandle {
  /** The agent's process group (the pid of its `sh`). */
  pid: number | undefined;
  exit: Promise<AgentExit>;
  /** Asks the whole process group to stop: SIGTERM, then SIGKILL after the grace period. */
  stop(graceMs?: number): void;
}

export interface AgentLaunch {
  /** The user's command line from PROJECT.md, run through `sh -c`. */
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  prompt: string;
  log: string;
  /** Fails the task after this long (its process group is killed). */
  timeoutMs?: number;
}

const GRACE_MS = 5000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts an agent: `sh -c <command>` (the command is the user's own command
 * line) in its own process group, so stopping it stops everything it
 * started. The prompt goes to stdin; stdout and stderr go to the log file.
 */
export function startAgent(launch: AgentLaunch): AgentHandle {
  appendFileSync(launch.log, `specdag: ${new Date().toISOString()} running in ${launch.cwd}: ${launch.command}\n`);
  const fd = openSync(launch.log, 'a');
  let timedOut = false;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  let timeout: NodeJS.Timeout | undefined;
  const child = spawn('sh', ['-c', launch.command], { cwd: launch.cwd, env: launch.env, detached: true, stdio: ['pipe', fd, fd] });
  closeSync(fd);
  const pid = child.pid;

  const stop = (graceMs = GRACE_MS) => {
    killGroup(pid, 'SIGTERM');
    if (killTimer === undefined) {
      killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      killTimer.unref();
    } else if (graceMs === 0) killGroup(pid, 'SIGKILL');
  };

  const exit = new Promise<AgentExit>((resolve) => {
    let error: string | undefined;
    child.on('error', (err) => {
      error = err.message;
      resolve({ code: null, signal: null, timedOut, stopped, error });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      // Whatever the agent left running in its group would keep writing into the worktree while it is committed and merged.
      killGroup(pid, 'SIGTERM');
      const how = code !== null ? `exit code ${code}` : `signal ${signal}`;
      appendFileSync(launch.log, `\nspecdag: ${new Date().toISOString()} ${timedOut ? 'timed out, ' : stopped ? 'stopped, ' : ''}${how}\n`);
      resolve({ code, signal, timedOut, stopped, ...(error ? { error } : {}) });
    });
  });

  // An agent that never reads its stdin closes the pipe early: that is its right, not an error.
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(launch.prompt);

  if (launch.timeoutMs !== undefined) {
    timeout = setTimeout(() => {
      timedOut = true;
      stop();
    }, launch.timeoutMs);
    timeout.unref();
  }

  return {
    pid,
    exit,
    stop(graceMs?: number) {
      stopped = true;
      stop(graceMs);
    },
  };
}
