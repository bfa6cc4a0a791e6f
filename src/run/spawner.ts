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
 * seven times a task. So a run starts git from one small `sh` kept for the
 * purpose: node writes a command line to it, the shell forks (cheap: a
 * shell is a few hundred kilobytes) and reports the exit code on a line;
 * stdout and stderr go to files in a private temporary folder, read back
 * and deleted. Commands run side by side, as before.
 *
 * The shell is started on first use in a process group of its own (a
 * Ctrl-C in the terminal reaches specdag only, and git finishes the step
 * under way), and keeps specdag alive only while a command is in flight.
 * When specdag ends, the shell reads the end of its input and exits; a
 * git still running finishes on its own, as it would have before.
 */
export class GitSpawner {
  private shell: ChildProcess | undefined;
  private dir: string | undefined;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private buffered = '';

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Runs `git -C cwd <args>` for each of `commands` in turn, stopping at the first that fails: its result, or the last one's. */
  exec(cwd: string, commands: string[][]): Promise<GitResult> {
    const shell = this.shell ?? this.start();
    const id = this.next++;
    const out = join(this.dir!, `${id}.out`);
    const err = join(this.dir!, `${id}.err`);
    const git = commands.map((args) => `git ${['-C', cwd, ...args].map(shQuote).join(' ')}`).join(' && ');
    // `$!` is the job's pid: once its result is in, the shell is told to `wait` for it (a shell that is not
    // interactive reaps a background job only then; its CPU time then counts as specdag's, as it did before).
    const line = `{ { ${git}; } </dev/null >${shQuote(out)} 2>${shQuote(err)}; echo "${id} $?"; } & echo "${id} pid $!"\n`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, out, err });
      if (this.pending.size === 1) this.ref(true);
      shell.stdin!.write(line);
    });
  }

  /**
   * Waits for every git still running (the shell reaps them), then lets the
   * shell end: a run's last step, so that nothing it started outlives it.
   */
  async close(): Promise<void> {
    const shell = this.shell;
    if (!shell) return;
    this.ref(true);
    const ended = new Promise<void>((resolve) => shell.once('exit', () => resolve()));
    shell.stdin!.end('wait\n');
    await ended;
  }

  private start(): ChildProcess {
    if (this.dir === undefined) {
      const dir = mkdtempSync(join(tmpdir(), 'specdag-git-'));
      this.dir = dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    const shell = spawn('/bin/sh', [], { env: this.env, detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
    this.shell = shell;
    shell.stdout!.setEncoding('utf8');
    shell.stdout!.on('data', (text: string) => this.read(text));
    // A shell that could not start or that died takes its commands with it: they fail, the next one starts a new shell.
    const gone = (err: Error) => {
      if (this.shell !== shell) return;
      this.shell = undefined;
      this.buffered = '';
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(err);
      }
    };
    shell.on('error', gone);
    shell.on('exit', (code, signal) => gone(new Error(`the shell that starts git ended (${signal ?? `exit code ${code}`})`)));
    shell.stdin!.on('error', () => undefined);
    return shell;
  }

  /** Lines `<id> pid <pid>` (the job started) and `<id> <exit code>` (it ended), in either order. */
  private read(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const [idText, a, b] = this.buffered.slice(0, nl).split(' ');
      this.buffered = this.buffered.slice(nl + 1);
      const waiting = this.pending.get(Number(idText));
      if (!waiting) continue;
      if (a === 'pid') waiting.pid = b;
      else waiting.code = Number(a);
      if (waiting.pid === undefined || waiting.code === undefined) continue;
      this.pending.delete(Number(idText));
      this.shell?.stdin!.write(`wait ${waiting.pid}\n`);
      void this.settle(waiting, waiting.code);
      if (this.pending.size === 0) this.ref(false);
    }
  }

  private async settle(waiting: Pending, code: number): Promise<void> {
    const [stdout, stderr] = await Promise.all([readFile(waiting.out, 'utf8').catch(() => ''), readFile(waiting.err, 'utf8').catch(() => '')]);
    void unlink(waiting.out).catch(() => undefined);
    void unlink(waiting.err).catch(() => undefined);
    // The shell could not find git: the same error a direct start gives.
    if (code === 127 && /not found|No such file/.test(stderr) && !stderr.startsWith('git:') && !stderr.includes('fatal:')) {
      waiting.reject(Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' }));
      return;
    }
    waiting.resolve({ code, stdout, stderr });
  }

  /** The shell keeps specdag running only while a command is in flight. */
  private ref(on: boolean): void {
    const shell = this.shell;
    if (!shell) return;
    for (const handle of [shell, shell.stdin, shell.stdout] as ({ ref(): void; unref(): void } | null)[]) {
      if (on) handle?.ref();
      else handle?.unref();
    }
  }
}

interface Pending {
  resolve(r: GitResult): void;
  reject(e: Error): void;
  out: string;
  err: string;
  pid?: string;
  code?: number;
}
