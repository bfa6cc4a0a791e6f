import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { shQuote } from '../export/quote.js';
import type { GitResult } from './git.js';
import { alive } from './state.js';

/**
 * Starting a process from node is dear: libuv forks the whole node process
 * (its page tables grow with its heap), then blocks the starting thread until
 * the child has exec'd, and the child pays again to throw the copy away.
 * Measured on the benchmark machine: about 5 ms a start from a 48 MiB node,
 * 9 ms from 230 MiB, and 20 ms under a run's load; a run starts git about
 * seven times a task. So a run starts git from a few small `sh` processes
 * kept for the purpose: node writes a command line to an idle one, which
 * runs git in the foreground (a fork of a shell is cheap: a few hundred
 * kilobytes) and reports the exit code on a line; stdout and stderr go to
 * files in a private temporary folder, read back and deleted. Commands run
 * side by side, one per shell; more wait their turn. (One shell running each
 * git as a background job costs a subshell more per call: 2.7 ms of CPU
 * each, measured, more than a `true` itself.)
 *
 * A run's git is bound by the CPU, not by the disk: its commands come in
 * bursts (eight tasks that started together end together) and each costs
 * 5-20 ms of CPU. So no more run at once than the machine has cores: more
 * would only share the cores and finish together, later each; one at a
 * time per core, the first asked are done first. Commands asked `later`
 * (worktrees made ahead, merges) wait behind every other: what a task needs
 * to free its slot and start the next agent goes first. A command that has
 * run for LONG_MS is taken for one that waits on something else (a commit
 * hook, a slow disk) and no longer counts, up to MAX_SHELLS shells. On the
 * benchmark machine (2 cores), 30 one-second tasks at max_parallel 8 took
 * 6.71 s this way against 6.84 s with six shells at once, none later (the
 * medians of 9 interleaved runs).
 *
 * The shells are started on demand in process groups of their own (a Ctrl-C
 * in the terminal reaches specdag only, and git finishes the step under
 * way), and keep specdag alive only while a command is in flight. When
 * specdag ends, each shell reads the end of its input and exits once its
 * git is done, as a git started directly would have finished on its own.
 */
export class GitSpawner {
  private readonly shells: Shell[] = [];
  /** Waiting commands: those asked first, then those asked `later`; each in the order asked. */
  private readonly waiting: Job[] = [];
  private readonly waitingLater: Job[] = [];
  private dir: string | undefined;
  private next = 0;
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    /** Commands that run at once, not counting those past LONG_MS. */
    private readonly limit = Math.max(2, Math.min(MAX_SHELLS, availableParallelism())),
    /** While it holds, no command is handed out (the run's Launcher, while an agent or a check is starting). */
    private readonly gate?: Gate,
  ) {}

  /**
   * Runs `git -C cwd <args>` for each of `commands` in turn, stopping at the first that fails: its result, or the
   * last one's. `later`: it waits behind every command not asked later.
   */
  exec(cwd: string, commands: string[][], later = false): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      (later ? this.waitingLater : this.waiting).push({ cwd, commands, resolve, reject });
      this.dispatch();
    });
  }

  /** Lets every shell end once its command is done: a run's last step, so that nothing it started outlives it. */
  async close(): Promise<void> {
    clearTimeout(this.recheck);
    const shells = this.shells.splice(0);
    await Promise.all(
      shells.map((shell) => {
        shell.process.ref();
        const ended = new Promise<void>((resolve) => shell.process.once('exit', () => resolve()));
        shell.process.stdin!.end();
        return ended;
      }),
    );
  }

  /**
   * Hands waiting commands to idle shells (starting shells as needed) while
   * fewer than `limit` commands run that started less than LONG_MS ago.
   */
  private dispatch(): void {
    clearTimeout(this.recheck);
    this.recheck = undefined;
    while (this.waiting.length + this.waitingLater.length > 0) {
      if (this.gate?.holding(() => this.dispatch())) return;
      const now = Date.now();
      const busy = this.shells.filter((s) => s.job !== undefined);
      const young = busy.filter((s) => now - s.since < LONG_MS);
      let shell = young.length < this.limit ? this.shells.find((s) => s.job === undefined) : undefined;
      if (shell === undefined && young.length < this.limit && this.shells.length < MAX_SHELLS) shell = this.start();
      if (shell === undefined) {
        // Look again when the oldest of those running stops counting (if a shell can still be had then).
        if (young.length > 0 && (this.shells.length < MAX_SHELLS || busy.length < this.shells.length)) {
          const wait = Math.max(0, Math.min(...young.map((s) => s.since)) + LONG_MS - now);
          this.recheck = setTimeout(() => this.dispatch(), wait);
          this.recheck.unref();
        }
        return;
      }
      this.run(shell, (this.waiting.length > 0 ? this.waiting : this.waitingLater).shift()!);
    }
  }

  private run(shell: Shell, job: Job): void {
    const dir = (this.dir ??= privateDir());
    const id = this.next++;
    job.out = join(dir, `${id}.out`);
    job.err = join(dir, `${id}.err`);
    shell.job = job;
    shell.since = Date.now();
    setRef(shell.process, true);
    const git = job.commands.map((args) => `git ${['-C', job.cwd, ...args].map(shQuote).join(' ')}`).join(' && ');
    shell.process.stdin!.write(`{ ${git}; } </dev/null >${shQuote(job.out)} 2>${shQuote(job.err)}; echo "$?"\n`);
  }

  private start(): Shell {
    const child = keptShell(this.env, [], (line) => {
      const code = Number(line);
      const job = shell.job;
      shell.job = undefined;
      setRef(child, false);
      if (job) void settle(job, code);
      this.dispatch();
    });
    const shell: Shell = { process: child, since: 0 };
    this.shells.push(shell);
    // A shell that could not start or that died takes its command with it: it fails; the others go on, and a
    // new shell is started when one is needed.
    const gone = (err: Error) => {
      const at = this.shells.indexOf(shell);
      if (at >= 0) this.shells.splice(at, 1);
      const job = shell.job;
      shell.job = undefined;
      job?.reject(err);
      this.dispatch();
    };
    child.on('error', gone);
    child.on('exit', (code, signal) => gone(new Error(`the shell that starts git ended (${signal ?? `exit code ${code}`})`)));
    return shell;
  }
}

/**
 * A `/bin/sh` kept to run what specdag writes on its stdin: in a process
 * group of its own (a Ctrl-C in the terminal reaches specdag only), stderr
 * discarded, each line it reports on stdout given to `line`.
 */
export function keptShell(env: NodeJS.ProcessEnv, args: string[], line: (text: string) => void): ChildProcess {
  const child = spawn('/bin/sh', args, { env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
  let buffered = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => {
    buffered += text;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const one = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      line(one);
    }
  });
  // A shell that ended takes what is written to it nowhere: its end is reported as its exit.
  child.stdin!.on('error', () => undefined);
  return child;
}

/** Something git waits for before its next command starts. */
export interface Gate {
  /** True to hold: `wake` is then called once git may go on. */
  holding(wake: () => void): boolean;
}

/** Shells at most: as many as a run has steps that may overlap (merges, commits, worktrees). */
const MAX_SHELLS = 6;
/** A command running this long waits on something other than the CPU (a hook, the disk): another may start beside it. */
const LONG_MS = 1000;

interface Job {
  cwd: string;
  commands: string[][];
  resolve(r: GitResult): void;
  reject(e: Error): void;
  out?: string;
  err?: string;
}

interface Shell {
  process: ChildProcess;
  job?: Job;
  /** When its command started (Date.now()). */
  since: number;
}

async function settle(job: Job, code: number): Promise<void> {
  const [stdout, stderr] = await Promise.all([readFile(job.out!, 'utf8').catch(() => ''), readFile(job.err!, 'utf8').catch(() => '')]);
  void unlink(job.out!).catch(() => undefined);
  void unlink(job.err!).catch(() => undefined);
  // The shell could not find git: the same error a direct start gives.
  if (code === 127 && /\bgit: (command )?not found|git: No such file/.test(stderr)) {
    job.reject(Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' }));
    return;
  }
  job.resolve({ code, stdout, stderr });
}

/**
 * The folder for git's output, removed when specdag exits. In memory where
 * there is one with room (Linux's /dev/shm): each git call creates and
 * deletes two files there, and on a disk's file system that is journal work
 * (a run of 30 tasks: 0.5 s less CPU, 7.65 s against 8.16 s). Else the
 * temporary folder.
 */
function privateDir(): string {
  const prefix = `specdag-git-${process.pid}-`;
  const dir = (roomy(MEMORY_DIR) && tryMkdtemp(join(MEMORY_DIR, prefix))) || mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  sweep(dirname(dir));
  return dir;
}

/** A new folder, or undefined where none can be made (not writable). */
function tryMkdtemp(prefix: string): string | undefined {
  try {
    return mkdtempSync(prefix);
  } catch {
    return undefined;
  }
}

/** The output folders of specdag processes that were killed outright (no exit handler ran): theirs is nobody's now. */
function sweep(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^specdag-git-(\d+)-/.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
    try {
      rmSync(join(base, name), { recursive: true, force: true });
    } catch {
      // another user's, or gone meanwhile
    }
  }
}

const MEMORY_DIR = '/dev/shm';
/** Free space the memory folder must have to be used: git's output is small and deleted at once, but never cut short. */
const MIN_FREE = 256 * 1024 * 1024;

function roomy(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize >= MIN_FREE;
  } catch {
    return false;
  }
}

/** A shell keeps specdag running only while it runs a command. */
export function setRef(child: ChildProcess, on: boolean): void {
  for (const handle of [child, child.stdin, child.stdout] as ({ ref(): void; unref(): void } | null)[]) {
    if (on) handle?.ref();
    else handle?.unref();
  }
}
