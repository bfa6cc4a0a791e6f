import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Git } from './git.js';
import type { Lock } from './lock.js';
import { realish } from './preflight.js';
import { gitDirOf } from './recover.js';
import { readBranches } from './refs.js';

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
  /** The worktree was made ahead by premakeWorktree: detached, clean, at an ancestor of `tip`. */
  premade = false,
): Promise<boolean> {
  if (premade) {
    const r = await git.exec(t.worktree, ['checkout', '--quiet', '-b', t.branch, tip]);
    if (r.code === 0) {
      t.startCommit = tip;
      return true;
    }
  }
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

/**
 * A worktree made ahead for a task that waits only for tasks under way:
 * detached at `tip` (the target's tip now), files checked out, no branch
 * yet: its branch is made when it starts, from the tip its dependencies are
 * merged at (prepareWorktree, `premade`), so nothing is built on them
 * before they are merged. False when it was not made (its folder or branch
 * exists: it takes the usual way when it starts).
 */
export async function premakeWorktree(git: Git, root: string, commonDir: string, t: WorktreeTask, tip: string, lock: Lock): Promise<boolean> {
  if (existsSync(t.worktree) || readBranches(commonDir, [t.branch])?.get(t.branch) !== null) return false;
  const added = await lock.run(() => git.exec(root, ['worktree', 'add', '--quiet', '--no-checkout', '--detach', t.worktree, tip]), false);
  if (added.code !== 0) return false;
  await git.run(t.worktree, ['reset', '--hard', '--quiet']);
  return true;
}

async function reuseWorktree(git: Git, root: string, t: WorktreeTask, tip: string, note: (text: string) => void): Promise<boolean> {
  const list = await git.worktrees(root);
  const holder = list.find((w) => w.branch === t.branch);
  const atPath = list.find((w) => samePath(w.path, t.worktree));
  if (holder && !samePath(holder.path, t.worktree)) {
    throw new TaskError(`its branch '${t.branch}' is checked out in ${holder.path}; switch that worktree to another branch (or remove it) and resume`);
  }
  let fresh = false;
  const never = existsSync(t.worktree) && neverCheckedOut(t.worktree);
  if (atPath && atPath.branch === undefined && existsSync(t.worktree) && (never || (await git.dirty(t.worktree)).length === 0)) {
    // Detached with nothing in it to lose: specdag's own, made ahead (premakeWorktree) or cut short before its files
    // or its branch were made (a run killed meanwhile). Put on its branch now.
    const checkout = (await git.branchExists(root, t.branch)) ? ['checkout', '--quiet', t.branch] : ['checkout', '--quiet', '-b', t.branch];
    const r = await git.execAll(t.worktree, [...(never ? [['reset', '--hard', '--quiet']] : []), checkout]);
    if (r.code !== 0) throw new TaskError(`its worktree ${t.worktree} could not be put on its branch '${t.branch}': ${firstLine(r.stderr || r.stdout)}`);
    atPath.branch = t.branch;
    fresh = true;
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
  if (!atPath || !existsSync(t.worktree)) {
    if (await git.branchExists(root, t.branch)) await git.run(root, ['worktree', 'add', '--quiet', t.worktree, t.branch]);
    else await git.run(root, ['worktree', 'add', '--quiet', '-b', t.branch, t.worktree, tip]);
    fresh = true;
  } else if (!fresh && never) {
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

/** A linked worktree whose files were never checked out (no index in its git folder). */
function neverCheckedOut(worktree: string): boolean {
  const gitDir = gitDirOf(worktree);
  return gitDir !== undefined && !existsSync(join(gitDir, 'index'));
}

export function samePath(a: string, b: string): boolean {
  return realish(a) === realish(b);
}

export function firstLine(text: string): string {
  return text.trim().split('\n').find(Boolean) ?? 'no message';
}
