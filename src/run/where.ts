import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../util/errors.js';
import type { Git } from './git.js';
import { listRuns } from './state.js';

/**
 * The folder whose `.specdag/runs` holds the runs, seen from any folder of
 * the repository: the top of the checkout `from` is in when it has runs,
 * else the main checkout (from inside a task's or the target's worktree,
 * the runs are the main checkout's). Undefined outside a repository.
 */
export async function runsRoot(git: Git, from: string): Promise<string | undefined> {
  let top;
  try {
    top = await git.exec(from, ['rev-parse', '--show-toplevel']);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError("'git' is not installed or not on PATH; install git (2.17 or later) first");
    throw err;
  }
  if (top.code !== 0) return undefined;
  const here = top.stdout.trim();
  if (listRuns(here).length > 0) return here;
  // The first entry of `git worktree list` is the main checkout.
  const list = await git.exec(from, ['worktree', 'list', '--porcelain']);
  const main = list.code === 0 ? /^worktree (.+)$/m.exec(list.stdout)?.[1] : undefined;
  return main !== undefined && listRuns(main).length > 0 ? main : here;
}

/** A path with symlinks resolved as far as it exists, so two spellings of one folder compare equal. */
export function realish(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const parent = dirname(head);
    if (parent === head) break;
    tail.unshift(basename(head));
    head = parent;
  }
  try {
    head = realpathSync(head);
  } catch {
    // keep it as written
  }
  return join(head, ...tail);
}

/** A path as the user reads it: relative to `cwd` when that is short, else absolute. */
export function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  if (!rel || isAbsolute(rel)) return path;
  return rel.split(sep).filter((p) => p === '..').length <= 1 ? rel.split(sep).join('/') : path;
}
