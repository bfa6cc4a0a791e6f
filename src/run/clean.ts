import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import type { Git } from './git.js';
import { alive, listRuns, readState, runsDir, type RunState, type TaskStatus } from './state.js';
import { realish } from './preflight.js';
import { shown } from './where.js';

export interface CleanRequest {
  git: Git;
  /** Where `.specdag/runs` is. */
  root: string;
  targetBranch: string;
  baseBranch: string;
  dryRun: boolean;
  /** Paths are shown relative to it. */
  cwd: string;
  say: (line: string) => void;
}

export interface CleanResult {
  worktrees: number;
  branches: number;
  kept: number;
}

/** One branch clean may remove, with the worktree it was made for. */
interface Candidate {
  branch: string;
  worktree: string;
  /** The task's state in the latest run that has it; none for the target branch. */
  status?: TaskStatus;
  reason?: string;
  /** The branch whose history must hold this one for it to go: the target, or for the target the base. */
  into: string;
  /** The target branch itself. */
  target?: true;
}

interface Worktree {
  path: string;
  branch?: string;
  locked: boolean;
}

type Decision = { keep: string } | { remove: { worktree?: Worktree; branch: boolean } } | undefined;

/**
 * `clean`: for every task of the runs on the target branch, its worktree
 * and then its branch go, only when the branch is merged into the target and
 * the worktree holds nothing uncommitted; then the target branch and its
 * worktree, once the target is merged into the base branch. Only git's own
 * safe commands remove anything (`worktree remove` without --force, `branch
 * -d`), so git refuses, too, whatever would lose work.
 */
export async function clean(req: CleanRequest): Promise<CleanResult> {
  const result: CleanResult = { worktrees: 0, branches: 0, kept: 0 };
  const runs = runsOn(req.root, req.targetBranch);
  if (runs.length === 0) {
    req.say(`no run on '${req.targetBranch}' in ${shown(runsDir(req.root), req.cwd)}; nothing to clean`);
    return result;
  }
  const live = runs.find((r) => r.status === 'running' && alive(r.pid));
  if (live) {
    req.say(`run ${live.runId} is still going (pid ${live.pid}) on '${req.targetBranch}'; nothing removed: run clean again once it ends`);
    return result;
  }

  const latest = runs[runs.length - 1]!;
  const tasks = new Map<string, Candidate>();
  for (const run of runs) {
    for (const t of run.tasks) {
      // Version 1 ran foundation and integration tasks on the target branch itself: that is the target's own case below.
      if (t.branch === req.targetBranch) continue;
      tasks.set(t.branch, { branch: t.branch, worktree: t.worktree, status: t.status, ...(t.reason ? { reason: t.reason } : {}), into: req.targetBranch });
    }
  }
  const target: Candidate = { branch: req.targetBranch, worktree: latest.targetWorktree, into: req.baseBranch, target: true };
  const ordered = [...tasks.values()].sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0));
  for (const c of [...ordered, target]) await handle(req, c, result);

  if (!req.dryRun && existsSync(latest.worktreeDir) && readdirSync(latest.worktreeDir).length === 0) {
    // The folder specdag made for worktrees, now empty: rmdir removes nothing else.
    rmdirSync(latest.worktreeDir);
  }
  return result;
}

/** The runs whose target branch this is, oldest first; a state that cannot be read is not one of them. */
function runsOn(root: string, targetBranch: string): RunState[] {
  const runs: RunState[] = [];
  for (const id of listRuns(root)) {
    try {
      const state = readState(root, id);
      if (state.targetBranch === targetBranch) runs.push(state);
    } catch {
      // Another version's or a damaged state names no branch clean could trust.
    }
  }
  return runs;
}

async function handle(req: CleanRequest, c: Candidate, result: CleanResult): Promise<void> {
  const { git, root } = req;
  const worktrees = await listWorktrees(git, root);
  const tip = await git.resolve(root, `refs/heads/${c.branch}`);
  const here = worktrees.find((w) => realish(w.path) === realish(c.worktree));
  const what = [here ? `worktree ${shown(c.worktree, req.cwd)}` : '', tip ? `branch ${c.branch}` : ''].filter(Boolean).join(' and ');
  const decision = await decide(req, c, tip, here, worktrees);
  if (!decision) return;
  if ('keep' in decision) {
    result.kept++;
    req.say(`${req.dryRun ? 'would keep' : 'kept'} ${what}: ${decision.keep}`);
    return;
  }
  if (req.dryRun) {
    result.worktrees += decision.remove.worktree ? 1 : 0;
    result.branches += decision.remove.branch ? 1 : 0;
    req.say(`would remove ${what} (merged into ${c.into})`);
    return;
  }
  const done = await remove(git, root, c, decision.remove);
  if (done.worktree) result.worktrees++;
  if (done.branch) result.branches++;
  if (done.refused) {
    result.kept++;
    req.say(done.worktree ? `removed worktree ${shown(c.worktree, req.cwd)}; kept branch ${c.branch}: ${done.refused}` : `kept ${what}: ${done.refused}`);
  } else {
    req.say(`removed ${what} (merged into ${c.into})`);
  }
  if (!here && existsSync(c.worktree) && realish(c.worktree) !== realish(root)) req.say(`left ${shown(c.worktree, req.cwd)} as it is: it is not a worktree of this repository`);
}

async function decide(req: CleanRequest, c: Candidate, tip: string | undefined, here: Worktree | undefined, worktrees: Worktree[]): Promise<Decision> {
  const { git, root } = req;
  if (!tip && !here) return undefined;
  const onHold = heldBy(c);
  if (onHold) return { keep: onHold };
  if (tip) {
    const into = await git.resolve(root, `refs/heads/${c.into}`);
    if (!into || !(await git.isAncestor(root, tip, into))) {
      return {
        keep: c.target
          ? `'${c.branch}' is not merged into '${c.into}' yet; merge it there (it holds the runs' work), then run clean again`
          : `it has commits that are not on '${c.into}'`,
      };
    }
    const elsewhere = worktrees.find((w) => w.branch === c.branch && w !== here);
    if (elsewhere) return { keep: `'${c.branch}' is checked out in ${shown(elsewhere.path, req.cwd)}; switch that checkout to another branch, then run clean again` };
  }
  if (here) {
    if (here.locked) return { keep: `the worktree is locked; unlock it (git worktree unlock ${shown(here.path, req.cwd)}) to let clean remove it` };
    if (here.branch !== c.branch) return { keep: `the worktree holds ${here.branch ? `branch '${here.branch}'` : 'a detached HEAD'}, not '${c.branch}'` };
    if (existsSync(here.path)) {
      const dirty = await git.dirty(here.path).catch((err: Error) => err);
      if (dirty instanceof Error) return { keep: `git status cannot read the worktree: ${dirty.message}` };
      if (dirty.length > 0) return { keep: `the worktree has ${dirty.length} uncommitted or untracked file${dirty.length === 1 ? '' : 's'}; commit or remove ${dirty.length === 1 ? 'it' : 'them'}, then run clean again` };
    }
  }
  return { remove: { ...(here ? { worktree: here } : {}), branch: tip !== undefined } };
}

/** Why a task's branch stays whatever git says: its last run did not merge it. */
function heldBy(c: Candidate): string | undefined {
  switch (c.status) {
    case 'failed':
      return `the task failed${c.reason ? ` (${c.reason})` : ''}; look at its work there, or resume the run`;
    case 'conflict':
      return `its merge conflicted${c.reason ? ` (${c.reason})` : ''}; resolve it on its branch and resume the run`;
    case 'done':
      return `the task finished but is not merged yet; resume the run to merge it`;
    case 'running':
    case 'pending':
      return `the task did not finish${c.reason ? ` (${c.reason})` : ''}; resume the run to finish it`;
    default:
      return undefined;
  }
}

/** The worktree, then the branch: what went, and git's sentence when it refused one. */
async function remove(git: Git, root: string, c: Candidate, what: { worktree?: Worktree; branch: boolean }): Promise<{ worktree: boolean; branch: boolean; refused?: string }> {
  if (what.worktree) {
    const r = await git.exec(root, ['worktree', 'remove', what.worktree.path]);
    // A folder deleted by hand: older gits refuse to remove it, and prune drops only the records of folders that are gone.
    if (r.code !== 0 && (existsSync(what.worktree.path) || (await git.exec(root, ['worktree', 'prune'])).code !== 0)) {
      return { worktree: false, branch: false, refused: `git worktree remove refused: ${firstLine(r.stderr)}` };
    }
  }
  if (!what.branch) return { worktree: what.worktree !== undefined, branch: false };
  // `branch -d` checks against the branch's upstream when it has one: given for this command only, it checks exactly "merged into c.into".
  const upstream = ['-c', `branch.${c.branch}.remote=.`, '-c', `branch.${c.branch}.merge=refs/heads/${c.into}`];
  const r = await git.exec(root, [...upstream, 'branch', '-d', c.branch]);
  if (r.code !== 0) return { worktree: what.worktree !== undefined, branch: false, refused: `git branch -d refused: ${firstLine(r.stderr)}` };
  return { worktree: what.worktree !== undefined, branch: true };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? 'no message';
}

/** `git worktree list --porcelain`, with what clean needs: the branch and whether it is locked. */
async function listWorktrees(git: Git, root: string): Promise<Worktree[]> {
  const out = await git.run(root, ['worktree', 'list', '--porcelain']);
  const list: Worktree[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('worktree ')) list.push({ path: line.slice('worktree '.length), locked: false });
    const last = list[list.length - 1];
    if (!last) continue;
    if (line.startsWith('branch ')) last.branch = line.slice('branch '.length).replace(/^refs\/heads\//, '');
    if (line === 'locked' || line.startsWith('locked ')) last.locked = true;
  }
  return list;
}
