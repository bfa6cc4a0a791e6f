import { existsSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunState } from './state.js';
import { realish } from './preflight.js';
import { processTable } from './process.js';

/** A linked worktree's own git folder (its `.git` is a file: "gitdir: <folder>"), or undefined. */
export function gitDirOf(worktree: string): string | undefined {
  try {
    const text = readFileSync(join(worktree, '.git'), 'utf8');
    if (!text.startsWith('gitdir: ')) return undefined;
    return resolve(worktree, text.slice('gitdir: '.length).trim());
  } catch {
    return undefined;
  }
}

/** Past this age a lock nobody can be seen holding is taken for stale where /proc cannot tell (not Linux). */
const STALE_LOCK_MS = 60_000;

/**
 * Is a git process working in this folder right now? On Linux, /proc tells
 * (a git run with -C has the folder as its working directory); elsewhere,
 * a lock younger than a minute is taken as held.
 */
function gitBusyIn(folder: string, lock: string): boolean {
  const table = processTable();
  if (table === undefined) {
    try {
      return Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS;
    } catch {
      return false;
    }
  }
  const target = realish(folder);
  for (const p of table) {
    if (p.comm !== 'git') continue;
    try {
      if (realish(readlinkSync(`/proc/${p.pid}/cwd`)) === target) return true;
    } catch {
      // gone, or not ours to look at
    }
  }
  return false;
}

/**
 * After a run died (killed outright, a crash), the git command it was
 * running may have died with it and left its lock files behind (git would
 * refuse every later command there). In specdag's own worktrees (the
 * target's, the merge check's, and those of the run's unfinished tasks),
 * a lock that no git process holds is removed, and named. Locks elsewhere,
 * or held, are left alone: the commands that meet them say so.
 */
export function removeStaleLocks(died: RunState, gateWorktree: string, commonDir: string): string[] {
  const removed: string[] = [];
  const worktrees = [died.targetWorktree, gateWorktree, ...died.tasks.filter((t) => t.status === 'running' || t.status === 'done').map((t) => t.worktree)];
  const locks: { lock: string; where: string }[] = [];
  for (const wt of worktrees) {
    const dir = gitDirOf(wt);
    if (dir) for (const name of ['index.lock', 'HEAD.lock']) locks.push({ lock: join(dir, name), where: wt });
  }
  for (const branch of [died.targetBranch, ...died.tasks.map((t) => t.branch)]) {
    locks.push({ lock: join(commonDir, 'refs', 'heads', `${branch}.lock`), where: commonDir });
  }
  for (const { lock, where } of locks) {
    if (!existsSync(lock) || gitBusyIn(where, lock)) continue;
    rmSync(lock, { force: true });
    removed.push(lock);
  }
  return removed;
}
