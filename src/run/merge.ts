import type { Git } from './git.js';
import { firstLine } from './worktree.js';

export type MergeResult =
  | { ok: true; /** The merge commit, now the target's tip. */ commit: string; /** The commit merged in (the second parent). */ merged: string }
  | { ok: false; /** Paths that conflict; empty when the merge failed otherwise. */ conflicts: string[]; /** The commit that was to be merged, when known. */ merged?: string; message: string };

/**
 * Merges into the target branch, in its worktree, with `--no-ff`: the target
 * only ever moves by such merges, one at a time (the caller holds the lock).
 * A merge that conflicts is aborted, so the target worktree is left as it
 * was.
 */
export class Merger {
  constructor(
    private readonly git: Git,
    private readonly targetWorktree: string,
  ) {}

  async merge(ref: string, messages: string[]): Promise<MergeResult> {
    const { git } = this;
    const wt = this.targetWorktree;
    const r = await git.exec(wt, ['merge', '--no-ff', '--no-edit', ...messages.flatMap((m) => ['-m', m]), ref]);
    if (r.code === 0) {
      const [commit, merged] = (await git.run(wt, ['rev-parse', 'HEAD', 'HEAD^2'])).trim().split('\n');
      return { ok: true, commit: commit!, merged: merged! };
    }
    const [conflicts, mergeHead] = await Promise.all([
      git.run(wt, ['diff', '--name-only', '--diff-filter=U', '-z']).then((out) => out.split('\0').filter(Boolean)),
      git.resolve(wt, 'MERGE_HEAD'),
    ]);
    if (mergeHead !== undefined) await git.run(wt, ['merge', '--abort']);
    return { ok: false, conflicts, ...(mergeHead ? { merged: mergeHead } : {}), message: firstLine(r.stderr || r.stdout) };
  }
}
