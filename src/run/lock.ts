import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from './state.js';

/**
 * One thing at a time, within this process through a promise chain and
 * across processes (`make -j4` running `specdag run --only <id>` side by
 * side) through a lock file holding the owner's pid. A lock left by a process
 * that died is taken over. specdag holds two: one for the target branch's
 * worktree (foundation and integration tasks, merges), one for adding
 * worktrees (`git worktree add` reads every other worktree's admin folder and
 * fails on one that is half created).
 */
export class Lock {
  private busy = false;
  /** Waiters, urgent ones first, each group in arrival order. */
  private readonly waiting: { urgent: boolean; start: () => void }[] = [];

  constructor(private readonly file: string) {}

  /** Runs `fn` alone. A request that is not urgent (work done ahead of need) lets every urgent one go first. */
  async run<T>(fn: () => Promise<T>, urgent = true): Promise<T> {
    await this.enter(urgent);
    try {
      await this.acquire();
      try {
        return await fn();
      } finally {
        rmSync(this.file, { force: true });
      }
    } finally {
      this.leave();
    }
  }

  private enter(urgent: boolean): Promise<void> {
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((start) => {
      const at = urgent ? this.waiting.findIndex((w) => !w.urgent) : -1;
      if (at === -1) this.waiting.push({ urgent, start });
      else this.waiting.splice(at, 0, { urgent, start });
    });
  }

  private leave(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.busy = false;
  }

  private async acquire(): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
      try {
        const fd = openSync(this.file, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(this.file, 'utf8'), 10);
      } catch {
        continue; // released meanwhile
      }
      // Our own pid here is a leftover: within this process, the promise chain above already keeps callers apart.
      if (!Number.isInteger(owner) || owner === process.pid || !alive(owner)) {
        rmSync(this.file, { force: true });
        continue;
      }
      await sleep(wait);
    }
  }
}
