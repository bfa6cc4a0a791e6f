import type { Git } from './git.js';
import { branchTips } from './refs.js';
import { listRuns, readState, type RunState } from './state.js';

/** The runs on disk that worked on this target branch, newest first (unreadable ones are passed over). */
export function earlierRuns(root: string, targetBranch: string, except?: string): RunState[] {
  const out: RunState[] = [];
  for (const id of listRuns(root).reverse()) {
    if (id === except) continue;
    try {
      const state = readState(root, id);
      if (state.targetBranch === targetBranch) out.push(state);
    } catch {
      // a state another version wrote, or a half-deleted run: it cannot vouch for anything
    }
  }
  return out;
}

/**
 * Which tasks' work is already on the target branch, and how we know: the
 * task's branch is merged there, or an earlier run recorded it merged and
 * its merge is still in the target's history.
 *
 * "Merged" needs care: a branch created from the target's tip that never
 * got a commit is an ancestor of the target too. But the target moves only
 * by merges, so such a branch points at a commit of the target's
 * first-parent history, while a merged branch's work came in as a second
 * parent. Two git calls answer this for every task at once.
 */
export async function workOnTarget(
  git: Git,
  root: string,
  /** The repository's common git folder, where the target's tip can be read without starting git. */
  commonDir: string,
  targetBranch: string,
  tasks: { id: string; branch: string }[],
  earlier: RunState[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const [tip] = await branchTips(git, root, commonDir, [targetBranch]);
  if (!tip) return found;
  const [chainOut, mergedOut] = await Promise.all([
    git.run(root, ['rev-list', '--first-parent', tip]),
    git.run(root, ['for-each-ref', `--merged=${tip}`, '--format=%(objectname) %(refname)', 'refs/heads/']),
  ]);
  const chain = new Set(chainOut.split('\n').filter(Boolean));
  const merged = new Map<string, string>();
  for (const line of mergedOut.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) merged.set(line.slice(space + 1).replace(/^refs\/heads\//, ''), line.slice(0, space));
  }
  for (const t of tasks) {
    const sha = merged.get(t.branch);
    if (sha !== undefined && !chain.has(sha)) found.set(t.id, `its branch '${t.branch}' is merged into '${targetBranch}'`);
  }
  const ids = new Set(tasks.map((t) => t.id));
  for (const run of earlier) {
    for (const t of run.tasks) {
      if (!ids.has(t.id) || found.has(t.id) || t.status !== 'merged') continue;
      // Version 1 committed foundation and integration tasks on the target itself: their commit is on the chain too.
      const commit = t.mergeCommit ?? t.commit;
      if (commit !== undefined && chain.has(commit)) found.set(t.id, `merged by run ${run.runId}`);
    }
  }
  return found;
}
