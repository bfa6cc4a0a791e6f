import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Git } from './git.js';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Branch tips read straight from the repository's files, without starting
 * git: the run reads the target and base branches before every merge, and
 * on the merge queue (one merge at a time) every process counts. A branch is
 * a loose ref file, else a line of packed-refs. Undefined when the files
 * cannot tell (the reftable backend, a symbolic ref, anything unexpected):
 * the caller asks git then. A branch that exists nowhere reads as null.
 */
export function readBranches(commonDir: string, branches: string[]): Map<string, string | null> | undefined {
  if (existsSync(join(commonDir, 'reftable'))) return undefined;
  const found = new Map<string, string | null>();
  let packed: Map<string, string> | undefined;
  for (const branch of branches) {
    let text: string | undefined;
    try {
      text = readFileSync(join(commonDir, 'refs', 'heads', branch), 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return undefined;
    }
    if (text !== undefined) {
      if (!SHA.test(text)) return undefined;
      found.set(branch, text);
      continue;
    }
    packed ??= packedRefs(commonDir);
    if (packed === undefined) return undefined;
    found.set(branch, packed.get(`refs/heads/${branch}`) ?? null);
  }
  return found;
}

/**
 * The tips of `branches` (undefined for one that does not exist), read from
 * the files when they tell (readBranches), else from one `git for-each-ref`.
 */
export async function branchTips(git: Git, root: string, commonDir: string, branches: string[]): Promise<(string | undefined)[]> {
  let at: Map<string, string | null> | undefined = readBranches(commonDir, branches);
  if (!at) {
    const out = await git.run(root, ['for-each-ref', '--format=%(refname) %(objectname)', ...branches.map((b) => `refs/heads/${b}`)]);
    at = new Map(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')).replace(/^refs\/heads\//, ''), l.slice(l.indexOf(' ') + 1)]));
  }
  const found = at;
  return branches.map((b) => found.get(b) ?? undefined);
}

function packedRefs(commonDir: string): Map<string, string> | undefined {
  const refs = new Map<string, string>();
  let text: string;
  try {
    text = readFileSync(join(commonDir, 'packed-refs'), 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? refs : undefined;
  }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    const sha = line.slice(0, space);
    if (space < 0 || !SHA.test(sha)) return undefined;
    refs.set(line.slice(space + 1), sha);
  }
  return refs;
}

/** The commit a detached worktree's HEAD points at, from its git folder, or undefined. */
export function detachedHead(gitDir: string): string | undefined {
  try {
    const text = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    return SHA.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
