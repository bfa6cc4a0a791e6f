import { resolve } from 'node:path';
import type { PlanTask, RunPlan } from '../plan/types.js';
import { shownPath } from './progress.js';
import type { RunState } from './state.js';

export interface DryRunInput {
  plan: RunPlan;
  /** The tasks of the run, in the order they may start. */
  order: PlanTask[];
  repoRoot: string;
  cwd: string;
  baseCommit: string;
  /** The target branch's commit when it exists already. */
  targetCommit: string | undefined;
  targetWorktreeExists: boolean;
  /** Ids of tasks whose branch exists already (reused, not created). */
  existingBranches: Set<string>;
  commandOf(task: PlanTask): { name: string; command: string | undefined } | undefined;
  maxParallel: number;
  timeoutMinutes?: number;
  /** The run --resume would continue. */
  previous: RunState | undefined;
  /** Tasks whose work is on the target branch already, and how that is known. */
  onTarget: Map<string, string>;
  /** PROJECT.md's setup, verify (the merge check), retries and outside_owns. */
  setup?: string;
  verify?: string;
  retries: number;
  outsideOwns: 'warn' | 'fail';
  /** Where merges are checked (with verify). */
  mergeCheckWorktree: string;
  /** The task's own check (its spec's verify, else PROJECT.md's). */
  checkOf(task: PlanTask): string | undefined;
  /** Commits the base branch gained since the target was made (a new run merges them in first). */
  baseGained: number;
}

const short = (sha: string) => sha.slice(0, 7);

/** What `run` would create and run, in order; pure text. */
export function formatDryRun(input: DryRunInput): string {
  const { plan, cwd, repoRoot } = input;
  const show = (p: string) => shownPath(resolve(repoRoot, p), cwd);
  const target = plan.targetBranch;
  const before = new Map((input.previous?.tasks ?? []).map((t) => [t.id, t]));
  const lines: string[] = [];
  lines.push(`specdag run --dry-run: nothing is created and nothing is run.${input.previous ? ` It would resume run ${input.previous.runId}.` : ''}`);
  lines.push('');
  lines.push(`base branch      ${plan.baseBranch} at ${short(input.baseCommit)} (read, never written)`);
  lines.push(`target branch    ${target}: ${input.targetCommit ? `exists, at ${short(input.targetCommit)}` : `would be created from ${plan.baseBranch}`}`);
  lines.push(`target worktree  ${show(plan.targetWorktree)}: ${input.targetWorktreeExists ? 'exists' : `would be added (git worktree add)`}`);
  lines.push(`state and logs   ${shownPath(resolve(repoRoot, '.specdag', 'runs', input.previous?.runId ?? '<run-id>'), cwd)}/ (state.json, <task>.log, <task>.prompt.md)`);
  if (input.baseGained > 0 && !input.previous) {
    lines.push(`base merge       ${plan.baseBranch} gained ${input.baseGained} commit${input.baseGained === 1 ? '' : 's'} since ${target} was made: merged into it first${input.verify ? ', checked like every merge' : ''} (dropped if that conflicts or fails)`);
  }
  lines.push(
    `agents           up to ${input.maxParallel} at once; each command runs through 'sh -c' in its task's worktree, the prompt on stdin${input.timeoutMinutes !== undefined ? `, stopped after ${input.timeoutMinutes} minute(s)` : ''}`,
  );
  if (input.setup !== undefined) {
    const gate = input.verify !== undefined ? `; once in ${show(input.mergeCheckWorktree)} too` : '';
    lines.push(`setup            ${input.setup} (in each new worktree, before its first agent${gate})`);
  }
  if (input.verify !== undefined) {
    lines.push(`merge check      ${input.verify}: each merge is made in ${show(input.mergeCheckWorktree)} and checked there before ${target} moves to it; one at a time`);
  }
  lines.push(`after an agent   a task that changed nothing fails (unless allow_empty: true); files outside its owns ${input.outsideOwns === 'fail' ? 'fail it' : 'are reported'}${input.retries > 0 ? `; a failed check starts its agent again, up to ${input.retries} more time${input.retries === 1 ? '' : 's'}` : ''}`);
  lines.push('');

  const skipped: string[] = [];
  let n = 0;
  for (const t of input.order) {
    const old = before.get(t.id);
    if (t.status === 'done') {
      skipped.push(`${t.id} (status: done in its spec)`);
      continue;
    }
    if (t.status === 'draft') {
      skipped.push(`${t.id} (status: draft; the tasks that depend on it are skipped too)`);
      continue;
    }
    if (old?.status === 'merged') {
      skipped.push(`${t.id} (merged in run ${input.previous!.runId})`);
      continue;
    }
    const found = input.onTarget.get(t.id);
    if (found !== undefined) {
      skipped.push(`${t.id} (already on ${target}: ${found})`);
      continue;
    }
    n++;
    if (old?.status === 'done') {
      lines.push(`${n}. ${t.phase} ${t.id}: finished in run ${input.previous!.runId}; git merge --no-ff ${t.branch} into ${target}`);
      continue;
    }
    if (old?.status === 'conflict') {
      lines.push(`${n}. ${t.phase} ${t.id}: in conflict in run ${input.previous!.runId}; git merge --no-ff ${t.branch} into ${target} again first (its agent runs again only if that still conflicts)`);
      continue;
    }
    const after = t.dependsOn.length ? ` after ${t.dependsOn.join(', ')}` : t.phase === 'foundation' ? '' : ' after the foundation';
    const agent = input.commandOf(t);
    const command = agent ? `agent ${agent.name}: ${agent.command ?? '(no command)'}` : 'no agent';
    const branch = input.existingBranches.has(t.id) ? `branch ${t.branch} (exists: reused as it is)` : `branch ${t.branch} from the tip of ${target}`;
    lines.push(`${n}. ${t.phase} ${t.id}${after}, wave ${t.wave}`);
    lines.push(`     create   ${branch}, worktree ${show(t.worktree)}`);
    lines.push(`     run      ${command}`);
    const check = input.checkOf(t);
    if (check !== undefined) lines.push(`     check    ${check} (in its worktree)`);
    lines.push(`     then     commit what it leaves on ${t.branch}; git merge --no-ff ${t.branch} into ${target}${input.verify !== undefined ? ', once the merge passes the merge check' : ''}`);
  }
  if (n === 0) lines.push('nothing to run');
  if (skipped.length) {
    lines.push('');
    lines.push(`not run: ${skipped.join(', ')}`);
  }
  lines.push('');
  lines.push(
    `Every task works on its own branch and worktree and is merged into ${target} one merge at a time. Foundation tasks run one at a time, in this order, each after the one before it is merged; each parallel task starts as soon as its dependencies are merged and a slot is free; integration tasks run last.`,
  );
  return `${lines.join('\n')}\n`;
}
