import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from './state.js';

/**
 * One thing at a time, within this process through a promise chain and
 * across processes (`make -j4` running `specdag run --only <id>` side by
 * side) through a lock file holding the owner's pid. specdag holds two: one
 * for the target branch (merges, and creating the branch and its worktree),
 * one for adding worktrees (`git worktree add` reads every other worktree's
 * admin folder and fails on one that is half created).
 *
 * The file appears with its pid already in it (written beside it, then
 * hard-linked into place, which fails when the lock exists), so nobody ever
 * reads an empty lock and takes it for a dead one. A lock whose owner died
 * is taken over by renaming it away first: of several processes that saw
 * the same dead owner, only one rename succeeds, and a process whose rename
 * caught a lock that is no longer the dead one puts it back.
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
        this.release();
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

  private release(): void {
    // Only our own lock is removed: one that a takeover replaced (we were thought dead) belongs to someone else.
    if (this.owner(this.file) === process.pid) rmSync(this.file, { force: true });
  }

  private owner(path: string): number | undefined {
    try {
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      return Number.isInteger(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async acquire(): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    const mine = `${this.file}.${process.pid}`;
    writeFileSync(mine, `${process.pid}\n`);
    try {
      for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
        try {
          linkSync(mine, this.file);
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        const owner = this.owner(this.file);
        // Our own pid here is a leftover of this process (a lock released by a crash of its promise chain cannot exist, but a reused pid can).
        if (owner === undefined || owner === process.pid || !alive(owner)) {
          this.takeOver(owner);
          continue;
        }
        await sleep(wait);
      }
    } finally {
      rmSync(mine, { force: true });
    }
  }

  /** Removes a lock whose owner is gone, unless someone else replaced it meanwhile. */
  private takeOver(dead: number | undefined): void {
    const aside = `${this.file}.stale.${process.pid}`;
    try {
      renameSync(this.file, aside);
    } catch {
      return; // someone else took it over (or it was released) first
    }
    const caught = this.owner(aside);
    if (caught !== dead && caught !== undefined && caught !== process.pid && alive(caught)) {
      // Between our read and the rename, a live process had taken the lock: give it back.
      try {
        linkSync(aside, this.file);
      } catch {
        // a third process holds it now; the live owner we caught will find its lock replaced and not remove it
      }
    }
    rmSync(aside, { force: true });
  }
}
