import { Worker } from 'node:worker_threads';
import type { GitResult } from './git.js';

/**
 * Starting a process blocks the thread that starts it (libuv forks the whole
 * node process, then waits for the child's exec): measured on the benchmark
 * machine, 30 ms a process under load, and a run starts about ten per task,
 * git most of them. So git is started from two worker threads: the main
 * thread, which schedules, starts the agents and writes the state, never
 * waits for a fork, and two forks can run at once on two cores.
 *
 * The workers are plain scripts (no file to ship: evaluated from this
 * source), started on first use, and they keep the process alive only
 * while a command is in flight.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
parentPort.on('message', ({ id, cwd, args }) => {
  let child;
  try {
    child = spawn('git', ['-C', cwd, ...args], { env: workerData.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    parentPort.postMessage({ id, error: { code: e.code, message: e.message } });
    return;
  }
  const out = [];
  const err = [];
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => err.push(b));
  child.on('error', (e) => parentPort.postMessage({ id, error: { code: e.code, message: e.message } }));
  child.on('close', (code) => parentPort.postMessage({ id, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
});
`;

interface Reply {
  id: number;
  code?: number | null;
  stdout?: string;
  stderr?: string;
  error?: { code?: string; message: string };
}

const WORKERS = 2;

export class GitSpawner {
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, { resolve(r: GitResult): void; reject(e: Error): void; worker: { worker: Worker; busy: number } }>();
  private next = 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  exec(cwd: string, args: string[]): Promise<GitResult> {
    if (this.workers.length === 0) this.start();
    const slot = this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.next++;
    if (slot.busy++ === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: slot });
      slot.worker.postMessage({ id, cwd, args });
    });
  }

  private start(): void {
    for (let i = 0; i < WORKERS; i++) {
      const worker = new Worker(SOURCE, { eval: true, workerData: { env: this.env } });
      const slot = { worker, busy: 0 };
      worker.unref();
      worker.on('message', (reply: Reply) => this.settle(reply));
      worker.on('error', (err) => this.failAll(slot, err));
      this.workers.push(slot);
    }
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (--waiting.worker.busy === 0) waiting.worker.worker.unref();
    if (reply.error) {
      const err = Object.assign(new Error(reply.error.message), { code: reply.error.code }) as NodeJS.ErrnoException;
      waiting.reject(err);
    } else waiting.resolve({ code: reply.code ?? null, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '' });
  }

  /** A worker that died takes its commands with it: they fail, the others go on. */
  private failAll(slot: { worker: Worker; busy: number }, err: Error): void {
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== slot) continue;
      this.pending.delete(id);
      waiting.reject(err);
    }
    this.workers = this.workers.filter((w) => w !== slot);
  }
}
