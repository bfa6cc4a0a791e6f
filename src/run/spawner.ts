import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shQuote } from '../export/quote.js';
import type { GitResult } from './git.js';

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
 * side by side, one per shell, up to SHELLS at once; more wait their turn.
 * (One shell running each git as a background job costs a subshell more per
 * call: 2.7 ms of CPU each, measured, more than a `true` itself.)
 *
 * The shells are started on demand in process groups of their own (a Ctrl-C
 * in the terminal reaches specdag only, and git finishes the step under
 * way), and keep specdag alive only while a command is in flight. When
 * specdag ends, each shell reads the end of its input and exits once its
 * git is done, as a git started directly would have finished on its own.
 */
export class GitSpawner {
  private readonly shells: Shell[] = [];
  private readonly waiting: Job[] = [];
  private dir: string | undefined;
  private next = 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Runs `git -C cwd <args>` for each of `commands` in turn, stopping at the first that fails: its result, or the last one's. */
  exec(cwd: string, commands: string[][]): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ cwd, commands, resolve, reject });
      this.dispatch();
    });
  }

  /** Lets every shell end once its command is done: a run's last step, so that nothing it started outlives it. */
  async close(): Promise<void> {
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

  /** Hands waiting commands to idle shells, starting shells while there are fewer than SHELLS. */
  private dispatch(): void {
    while (this.waiting.length > 0) {
      let shell = this.shells.find((s) => s.job === undefined);
      if (shell === undefined && this.shells.length < SHELLS) shell = this.start();
      if (shell === undefined) return;
      this.run(shell, this.waiting.shift()!);
    }
  }

  private run(shell: Shell, job: Job): void {
    const dir = (this.dir ??= privateDir());
    const id = this.next++;
    job.out = join(dir, `${id}.out`);
    job.err = join(dir, `${id}.err`);
    shell.job = job;
    setRef(shell.process, true);
    const git = job.commands.map((args) => `git ${['-C', job.cwd, ...args].map(shQuote).join(' ')}`).join(' && ');
    shell.process.stdin!.write(`{ ${git}; } </dev/null >${shQuote(job.out)} 2>${shQuote(job.err)}; echo "$?"\n`);
  }

  private start(): Shell {
    const child = spawn('/bin/sh', [], { env: this.env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    const shell: Shell = { process: child, buffered: '' };
    this.shells.push(shell);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      shell.buffered += text;
      const nl = shell.buffered.indexOf('\n');
      if (nl < 0) return;
      const code = Number(shell.buffered.slice(0, nl));
      shell.buffered = shell.buffered.slice(nl + 1);
      const job = shell.job;
      shell.job = undefined;
      setRef(child, false);
      if (job) void settle(job, code);
      this.dispatch();
    });
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
    child.stdin!.on('error', () => undefined);
    return shell;
  }
}

/** Shells running git side by side: as many as a run has steps that may overlap (merges, commits, worktrees). */
const SHELLS = 6;

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
  buffered: string;
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

/** The folder for git's output, removed when specdag exits. */
function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'specdag-git-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A shell keeps specdag running only while it runs a command. */
function setRef(child: ChildProcess, on: boolean): void {
  for (const handle of [child, child.stdin, child.stdout] as ({ ref(): void; unref(): void } | null)[]) {
    if (on) handle?.ref();
    else handle?.unref();
  }
}
