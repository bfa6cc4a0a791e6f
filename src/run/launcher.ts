import type { ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { shQuote } from '../export/quote.js';
import { onPath } from './preflight.js';
import { keptShell, setRef } from './spawner.js';

/** What a launched command reports: its process group once it runs, then how it ended. */
export interface LaunchEvents {
  started(pid: number): void;
  ended(code: number | null, signal: NodeJS.Signals | null, error?: string): void;
}

export interface LaunchRequest {
  command: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** A file given on stdin; /dev/null when absent. */
  stdinFile?: string;
  /** stdout and stderr are appended to it. */
  log: string;
}

/**
 * Starts a run's agents, setups and checks from one small `sh` kept for the
 * purpose instead of from node. A start from node forks the whole node
 * process and blocks its only thread until the child has exec'd: on the
 * benchmark machine 10 ms a start on average under a run's load (20 ms at
 * a wave's end), 0.94 s of a 30-task run in all, and 4.7 ms of node's CPU
 * each at rest. A fork of a shell is a few hundred kilobytes.
 *
 * node writes one line a command; the shell runs it as a background
 * subshell, which enters the folder, sets the variables that differ from
 * the shell's own, and starts `sh` under `setsid` (a session and process
 * group of its own, as node's `detached` gives: no terminal, one group to
 * signal). That `sh` reports its pid, closes the report pipe and runs the
 * command (`eval`, as `sh -c` would, one exec less); the subshell waits for
 * it and reports its exit status, where above 128 means the signal
 * 128 + n, the shells' convention. A command whose variables a shell cannot
 * set (a name like `a.b`), and every command where there is no `setsid`
 * (macOS), is started from node as before (`launch` says false).
 *
 * The command starts later than a fork from node would make it (the
 * subshell waits for a core like any process): git waits while a command
 * is starting (`holding`), so that agents and checks are not queued behind
 * the git of other tasks, as they were not when node's fork held
 * everything. A 30-task run (bench/gate.ts): 6.0 s of CPU against 7.7-8.2
 * s, the same wall time.
 */
export class Launcher {
  private shell: Shell | undefined;
  private next = 0;
  private readonly pending = new Map<number, LaunchEvents>();
  /** Launches whose command has not reported its pid yet: when each was asked (Date.now()). */
  private readonly starting = new Map<number, number>();
  private wakers: (() => void)[] = [];
  private holdTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** A launcher for commands whose environment is mostly `env`; undefined where there is no `setsid` (or SPECDAG_NO_LAUNCHER is set). */
  static for(env: NodeJS.ProcessEnv): Launcher | undefined {
    if (env.SPECDAG_NO_LAUNCHER || onPath('setsid', env) === undefined) return undefined;
    return new Launcher(env);
  }

  /** Starts the command; false when it cannot go through the shell (the caller starts it itself). */
  launch(req: LaunchRequest, events: LaunchEvents): boolean {
    const settings: string[] = [];
    for (const [key, value] of Object.entries(req.env)) {
      if (value === undefined || this.env[key] === value) continue;
      if (!SHELL_NAME.test(key)) return false;
      settings.push(`export ${key}=${quote(value)};`);
    }
    for (const key of Object.keys(this.env)) {
      if (req.env[key] !== undefined) continue;
      if (!SHELL_NAME.test(key)) return false;
      settings.push(`unset ${key};`);
    }
    const n = this.next++;
    this.pending.set(n, events);
    this.starting.set(n, Date.now());
    const { child: shell, asked } = this.start();
    asked.add(n);
    setRef(shell, true);
    shell.stdin!.write(
      `( cd -- ${quote(req.cwd)} >/dev/null 2>&1 || { echo "e ${n}" >&9; exit 0; }; ${settings.join(' ')} ` +
        `setsid sh -c 'echo "p $1 $$" >&9; exec 9>&-; specdag_command=$2; shift 2; eval "$specdag_command"' sh ${n} ${quote(req.command)} ` +
        `<${quote(req.stdinFile ?? '/dev/null')} >>${quote(req.log)} 2>&1 & wait "$!"; echo "x ${n} $?" >&9 ) 9>&1 &\n`,
    );
    return true;
  }

  /**
   * True while a command is starting; `wake` is then called once none is.
   * A command that has not reported its pid within HOLD_MS (a folder on a
   * hung mount, say) holds nothing any longer.
   */
  holding(wake: () => void): boolean {
    const now = Date.now();
    const latest = Math.max(...[...this.starting.values()].filter((asked) => now - asked < HOLD_MS));
    if (latest === -Infinity) return false;
    this.wakers.push(wake);
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.wake(), latest + HOLD_MS - now);
    this.holdTimer.unref();
    return true;
  }

  /** Lets the shell end (the commands it started report to the end). */
  close(): void {
    this.shell?.child.stdin!.end();
  }

  private start(): Shell {
    if (this.shell) return this.shell;
    // nl: the newline a quoted word's own newlines are spelled with (a request is one line).
    const child = keptShell(this.env, ['-c', `nl='\n'\nwhile IFS= read -r line; do eval "$line"; done`], (line) => {
      this.report(line);
      for (const n of shell.asked) if (!this.pending.has(n)) shell.asked.delete(n);
      if (shell.asked.size === 0) setRef(child, false);
    });
    const shell: Shell = { child, asked: new Set() };
    this.shell = shell;
    // A shell that ended takes no more requests: the next command gets a new one. What it started goes on and
    // reports through the pipe, which each of its subshells holds; once the pipe closes, nothing more will come,
    // and a command asked of it that never reported did not start.
    const gone = () => {
      if (this.shell === shell) this.shell = undefined;
    };
    child.on('exit', gone);
    child.on('error', gone);
    child.stdout!.on('close', () => {
      gone();
      for (const n of shell.asked) if (this.pending.has(n)) this.settle(n, null, null, 'the shell that starts commands ended before it');
    });
    return shell;
  }

  private report(line: string): void {
    const [kind, id, value] = line.split(' ');
    const n = Number(id);
    const events = this.pending.get(n);
    if (events === undefined) return;
    if (kind === 'p') {
      events.started(Number(value));
      return this.started(n);
    }
    if (kind === 'e') return this.settle(n, null, null, 'its folder does not exist');
    const status = Number(value);
    const signal = status > 128 ? signalName(status - 128) : undefined;
    this.settle(n, signal ? null : status, signal ?? null);
  }

  private settle(n: number, code: number | null, signal: NodeJS.Signals | null, error?: string): void {
    const events = this.pending.get(n);
    this.pending.delete(n);
    this.started(n);
    events?.ended(code, signal, error);
  }

  private started(n: number): void {
    if (this.starting.delete(n) && this.starting.size === 0) this.wake();
  }

  private wake(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}

interface Shell {
  child: ChildProcess;
  /** The commands asked of it. */
  asked: Set<number>;
}

/** The longest git waits for one command to start. */
const HOLD_MS = 250;

/** A name `export` takes. */
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function signalName(n: number): NodeJS.Signals | undefined {
  return (Object.entries(osConstants.signals) as [NodeJS.Signals, number][]).find(([, number]) => number === n)?.[0];
}

/** Single-quoted for sh, newlines spelled "$nl" (the shell reads a request a line). */
function quote(s: string): string {
  return shQuote(s).replace(/\n/g, `'"$nl"'`);
}

