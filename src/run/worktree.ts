import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Git } from './git.js';
import type { Lock } from './lock.js';
import { realish } from './preflight.js';

/** A task-level failure with a sentence for the user (not a bug). */
export class TaskError extends Error {}

export interface WorktreeTask {
  id: string;
  branch: string;
  worktree: string;
  startCommit?: string;
}

/**
 * The task's branch and worktree: created from `tip` (the target branch's
 * tip once the task's dependencies are merged there), or the ones an earlier
 * attempt left (reused as they are; brought forward to the tip only when
 * that loses nothing, i.e. a fast-forward). Returns true when the worktree
 * is new (its `setup` has not run yet). Sets the task's startCommit: the
 * base its changes are measured from.
 */
export async function prepareWorktree(
  git: Git,
  root: string,
  t: WorktreeTask,
  tip: string,
  lock: Lock,
  urgent: boolean,
  note: (text: string) => void,
): Promise<boolean> {
  // The common case: no branch, no folder yet. Only the bookkeeping of `worktree add` is serialised; the
  // checkout of the files runs beside the others. (`-b` refuses an existing branch, which takes the long way.)
  if (!existsSync(t.worktree)) {
    const added = await lock.run(() => git.exec(root, ['worktree', 'add', '--quiet', '--no-checkout', '-b', t.branch, t.worktree, tip]), urgent);
    if (added.code === 0) {
      await git.run(t.worktree, ['reset', '--hard', '--quiet']);
      t.startCommit = tip;
      return true;
    }
  }
  return lock.run(() => reuseWorktree(git, root, t, tip, note), urgent);
}

async function reuseWorktree(git: Git, root: string, t: WorktreeTask, tip: string, note: (text: string) => void): Promise<boolean> {
  const list = await git.worktrees(root);
  const holder = list.find((w) => w.branch === t.branch);
  const atPath = list.find((w) => samePath(w.path, t.worktree));
  if (holder && !samePath(holder.path, t.worktree)) {
    throw new TaskError(`its branch '${t.branch}' is checked out in ${holder.path}; switch that worktree to another branch (or remove it) and resume`);
  }
  if (atPath && atPath.branch !== t.branch) {
    throw new TaskError(`${t.worktree} is already a worktree of ${atPath.branch ? `branch '${atPath.branch}'` : 'a detached HEAD'}; move it away and resume`);
  }
  if (atPath && !existsSync(t.worktree)) {
    // Registered, but its folder was deleted: forget the stale entry (this removes no files) and recreate it.
    await git.run(root, ['worktree', 'prune']);
  } else if (!atPath && existsSync(t.worktree)) {
    throw new TaskError(`${t.worktree} exists and is not the worktree of '${t.branch}'; move it away and resume`);
  }
  let fresh = false;
  if (!atPath || !existsSync(t.worktree)) {
    if (await git.branchExists(root, t.branch)) await git.run(root, ['worktree', 'add', '--quiet', t.worktree, t.branch]);
    else await git.run(root, ['worktree', 'add', '--quiet', '-b', t.branch, t.worktree, tip]);
    fresh = true;
  } else if (!existsSync(resolve(t.worktree, await git.line(t.worktree, ['rev-parse', '--git-path', 'index'])))) {
    // Added without a checkout by a run that died before checking the files out: there is nothing in it to lose.
    await git.run(t.worktree, ['reset', '--hard', '--quiet']);
    fresh = true;
  }
  const head = await git.line(t.worktree, ['rev-parse', 'HEAD']);
  if (head !== tip && (await git.isAncestor(root, head, tip))) {
    const r = await git.exec(t.worktree, ['merge', '--ff-only', '--quiet', tip]);
    if (r.code !== 0) note(`${t.id}: kept its branch where it was (${firstLine(r.stderr)})`);
  }
  const now = await git.line(t.worktree, ['rev-parse', 'HEAD']);
  t.startCommit = await git.line(root, ['merge-base', now, tip]);
  return fresh;
}

export function samePath(a: string, b: string): boolean {
  return realish(a) === realish(b);
}

export function firstLine(text: string): string {
  return text.trim().split('\n').find(Boolean) ?? 'no message';
}
