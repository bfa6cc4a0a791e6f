import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { Git } from './git.js';
import { findRun, listRuns, type RunState } from './state.js';

/**
 * The top folder of the checkout holding `dir` (a linked worktree's own) and
 * the repository's common git folder (the main checkout's `.git`, also from a linked worktree), both
 * absolute, in one git call; undefined outside a repository.
 */
export async function repoPathsOf(git: Git, dir: string): Promise<{ root: string; common: string } | undefined> {
  let r;
  try {
    r = await git.exec(dir, ['rev-parse', '--show-toplevel', '--git-common-dir']);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError("'git' is not installed or not on PATH; install git (2.17 or later) first");
    throw err;
  }
  const [root, common] = r.stdout.split('\n');
  // (--git-common-dir is relative to where git ran, or absolute.)
  return r.code === 0 && root && common ? { root, common: resolve(dir, common) } : undefined;
}

/**
 * Where the runs of the repository holding `dir` are recorded: the checkout
 * `specdag run` ran in, usually the main one. From any folder of it, and
 * from its worktrees (a task's, the target's), the main checkout is found
 * through git's common folder; the current checkout comes first, for runs
 * started there.
 */
export async function runRootsOf(git: Git, dir: string): Promise<string[]> {
  const paths = await repoPathsOf(git, dir);
  if (paths === undefined) return [];
  const roots = [paths.root];
  if (basename(paths.common) === '.git' && dirname(paths.common) !== paths.root) roots.push(dirname(paths.common));
  return roots;
}

/** The named run (or the latest) as seen from `dir`: the first of its run roots that has runs. */
export async function findRunFrom(git: Git, dir: string, runId: string | undefined, outside: string): Promise<RunState> {
  const roots = await runRootsOf(git, dir);
  if (roots.length === 0) throw new UsageError(outside);
  const root = roots.find((r) => (runId === undefined ? listRuns(r).length > 0 : listRuns(r).includes(runId))) ?? roots[roots.length - 1]!;
  return findRun(root, runId);
}

/**
 * The folder whose `.specdag/runs` holds the runs, seen from any folder of
 * the repository: the first of its run roots that has runs (from inside a
 * task's or the target's worktree, the main checkout), else the checkout
 * itself. Undefined outside a repository.
 */
export async function runsRoot(git: Git, from: string): Promise<string | undefined> {
  const roots = await runRootsOf(git, from);
  return roots.find((r) => listRuns(r).length > 0) ?? roots[0];
}

/** A path as the user reads it: relative to `cwd` when that is short, else absolute. */
export function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  if (!rel || isAbsolute(rel)) return path;
  return rel.split(sep).filter((p) => p === '..').length <= 1 ? rel.split(sep).join('/') : path;
}
