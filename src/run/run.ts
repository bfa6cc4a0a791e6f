import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/write.js';
import { join, resolve } from 'node:path';
import type { Io } from '../io/io.js';
import type { LintResult } from '../lint/engine.js';
import { buildPlan } from '../plan/plan.js';
import { buildPrompt } from '../plan/prompt.js';
import type { PlanTask, RunPlan } from '../plan/types.js';
import { useColor } from '../report/color.js';
import { UsageError } from '../util/errors.js';
import { specdagCommand } from './claude.js';
import { formatDryRun } from './dry-run.js';
import { Git, withoutGitRedirects } from './git.js';
import { Launcher } from './launcher.js';
import { earlierRuns, workOnTarget } from './history.js';
import { branchTips } from './refs.js';
import { Merger } from './merge.js';
import { groupAlive } from './process.js';
import { Lock } from './lock.js';
import { agentFor, preflight, realish } from './preflight.js';
import { duration, Progress, shownPath } from './progress.js';
import { removeStaleLocks } from './recover.js';
import { Scheduler } from './scheduler.js';
import { repoPathsOf } from './where.js';
import {
  alive,
  countByStatus,
  createRunDir,
  findRun,
  isProblem,
  listRuns,
  newRunId,
  readState,
  RUN_ID,
  SPECDAG_DIR,
  writeState,
  type RunState,
  type TaskState,
} from './state.js';

export interface RunRequest {
  /** The spec folder (default `specs`; a resume without one uses the run's own). */
  dir: string;
  maxParallel?: number;
  agent?: string;
  only?: string[];
  dryRun: boolean;
  /** true: the last run; a string: that run id. */
  resume?: boolean | string;
  /** Per-task time limit in minutes (fractions allowed in-process). */
  timeoutMinutes?: number;
}

/** The worktree, in worktree_dir, where merges are made and checked before the target moves: a name no task id can take. */
export const MERGE_CHECK_WORKTREE = '.merge-check';

/** Exit codes after a signal: 128 + its number, as shells report them. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `specdag run` on a folder that linted clean: plan, check, then hand the
 * tasks to the scheduler. Returns the exit code: 0 all merged, 1 a task
 * failed / conflicted / was skipped, 2 refused (UsageError), 130 / 143 / 129
 * stopped by SIGINT / SIGTERM / SIGHUP, once no process it started is alive.
 */
export async function executeRun(req: RunRequest, result: LintResult, io: Io): Promise<number> {
  // A run starts git hundreds of times, and its checks before anything starts side by side: through a few kept
  // shells from the first call (see GitSpawner), which end with the run once every git they started has ended.
  // Agents, setups and checks start from a kept shell too (see Launcher); git waits while one is starting.
  const launcher = Launcher.for(withoutGitRedirects(io.env));
  const git = new Git(io.env).throughShells(launcher);
  try {
    return await execute(req, result, io, git, launcher);
  } finally {
    await git.close();
    launcher?.close();
  }
}

async function execute(req: RunRequest, result: LintResult, io: Io, git: Git, launcher: Launcher | undefined): Promise<number> {
  const specDir = resolve(io.cwd, req.dir);
  const paths = await repoPathsOf(git, specDir);
  const repoRoot = paths?.root;
  const plan = buildPlan(result, { repoRoot: repoRoot ?? io.cwd, cwd: io.cwd });
  const project = result.specs.project;

  if (typeof req.resume === 'string' && !RUN_ID.test(req.resume) && existsSync(resolve(io.cwd, req.resume))) {
    // commander gives `--resume specs` the folder as the run's name.
    throw new UsageError(`--resume took '${req.resume}' as a run id, but it is a folder; put the folder first: specdag run ${req.resume} --resume`);
  }
  let previous: RunState | undefined;
  if (repoRoot !== undefined && req.resume !== undefined) {
    previous = findRun(repoRoot, typeof req.resume === 'string' ? req.resume : undefined);
    checkResumable(previous, plan);
  }
  const only = req.only ?? previous?.only;
  if (only) {
    const unknown = only.filter((id) => !plan.tasks.some((t) => t.id === id));
    if (unknown.length > 0) throw new UsageError(`--only names ${unknown.map((id) => `'${id}'`).join(', ')}, which no spec in '${req.dir}' has`);
  }
  const selected = only ? plan.tasks.filter((t) => only.includes(t.id)) : plan.tasks;
  const agentOverride = req.agent ?? previous?.agentOverride;

  const specFiles = [...result.specs.list.map((s) => resolve(io.cwd, s.path)), ...(project.file ? [resolve(io.cwd, project.file)] : [])];
  const commands = [project.setup, project.verify, ...selected.map((t) => specOf(result, t.id).verify?.value)].filter((c): c is string => c !== undefined);
  const checks = await preflight({
    git,
    repoRoot,
    project,
    plan,
    env: io.env,
    taskIds: selected.map((t) => t.id),
    specFiles,
    specDir,
    commands,
    ...(agentOverride !== undefined ? { agentOverride } : {}),
  });
  // A dry run only shows what would happen: an agent program missing from this machine, or work not committed yet, is worth a warning.
  const warnOnly = (c: { id: string }) => req.dryRun && (c.id === 'agent-executable' || c.id === 'committed-inputs' || c.id === 'clean-tracked-files');
  const refused = checks.find((c) => !c.ok && !warnOnly(c));
  if (refused) throw new UsageError(refused.message);
  for (const c of checks) if (!c.ok) io.stderr.write(`specdag: warning: ${c.message} (a real run stops here)\n`);
  const root = repoRoot!;
  checkConcurrentRuns(root, selected, previous);
  const earlier = earlierRuns(root, plan.targetBranch, previous?.runId);
  const common = paths!.common;
  const onTarget = await workOnTarget(git, root, common, plan.targetBranch, plan.tasks, previous ? [previous, ...earlier] : earlier);
  const satisfiedOutside = only ? checkOutsideDependencies(plan, selected, result, onTarget) : new Set<string>();

  const locks = join(root, SPECDAG_DIR, 'locks');
  const lockName = plan.targetBranch.replace(/[^A-Za-z0-9._-]/g, '_');
  const lock = new Lock(join(locks, `${lockName}.lock`));
  const tips = tipRecord(join(locks, `${lockName}.tip`));
  const worktreeLock = new Lock(join(locks, 'worktrees.lock'));
  // A run on this target that died (killed outright) may have left the locks of the git command it was running.
  const died = [...(previous ? [previous] : []), ...earlier].find((r) => r.status === 'running' && r.pid !== process.pid && !alive(r.pid));
  if (died && !req.dryRun) {
    for (const lock of removeStaleLocks(died, resolve(root, plan.worktreeDir, MERGE_CHECK_WORKTREE), common)) {
      io.stderr.write(`specdag: removed ${lock}, left by run ${died.runId} (it died while git worked there; no git holds it now)\n`);
    }
  }
  // Another specdag (make -j4 running `run --only` side by side) may be in the middle of a merge there: look under its lock.
  // Without a target worktree there is nothing to look at, and nothing (not even the lock) is created before a refusal.
  const target = existsSync(resolve(root, plan.targetWorktree)) && existsSync(join(root, SPECDAG_DIR)) ? await lock.run(() => checkTarget(git, root, plan, previous)) : await checkTarget(git, root, plan, previous);
  const mergeToAbort = target.ownMerge;
  if (target.dirty.length > 0) {
    const n = target.dirty.length;
    const message = `the target worktree ${resolve(root, plan.targetWorktree)} has uncommitted changes (${target.dirty.slice(0, 3).join(', ')}${n > 3 ? ', …' : ''}), which specdag's merges there would mix with its work; commit them on '${plan.targetBranch}' or move them away, and run again`;
    if (!req.dryRun) throw new UsageError(message);
    io.stderr.write(`specdag: warning: ${message} (a real run stops here)\n`);
  }

  const maxParallel = req.maxParallel ?? previous?.maxParallel ?? project.maxParallel;
  const timeoutMinutes = req.timeoutMinutes ?? previous?.timeoutMinutes;
  const order = selected; // the plan's order: by wave, then id

  if (req.dryRun) {
    const baseCommit = (await git.resolve(root, `refs/heads/${plan.baseBranch}`))!;
    const targetCommit = await git.resolve(root, `refs/heads/${plan.targetBranch}`);
    const existing = new Set<string>();
    for (const t of order) if (await git.branchExists(root, t.branch)) existing.add(t.id);
    io.stdout.write(
      formatDryRun({
        plan,
        order,
        repoRoot: root,
        cwd: io.cwd,
        baseCommit,
        targetCommit,
        targetWorktreeExists: existsSync(resolve(root, plan.targetWorktree)),
        existingBranches: existing,
        commandOf: (t) => agentFor(t, project, agentOverride),
        maxParallel,
        previous,
        onTarget,
        retries: project.retries,
        outsideOwns: project.outsideOwns,
        mergeCheckWorktree: resolve(root, plan.worktreeDir, MERGE_CHECK_WORKTREE),
        checkOf: (t) => specOf(result, t.id).verify?.value ?? project.verify,
        baseGained: targetCommit && !previous ? Number(await git.line(root, ['rev-list', '--count', `${targetCommit}..${baseCommit}`])) : 0,
        ...(project.setup !== undefined ? { setup: project.setup } : {}),
        ...(project.verify !== undefined ? { verify: project.verify } : {}),
        ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}),
      }),
    );
    return 0;
  }

  const runId = previous?.runId ?? newRunId();
  const runDir = createRunDir(root, runId);
  const state = previous ?? newState(runId, root, specDir, plan, maxParallel);
  // (state is previous itself on a resume: read what it recorded before the tasks are replaced.)
  const resumedConflicts = new Set(previous ? previous.tasks.filter((t) => t.status === 'conflict' && !onTarget.has(t.id)).map((t) => t.id) : []);
  // A task that failed after its agent finished (its check, files outside its owns) is looked at again before its agent starts.
  const rejudge = new Set(previous ? previous.tasks.filter((t) => t.status === 'failed' && (t.failure === 'verify' || t.failure === 'outside-owns')).map((t) => t.id) : []);
  const mergedBefore = new Set(previous ? previous.tasks.filter((t) => t.status === 'merged').map((t) => t.id) : []);
  state.tasks = taskStates(order, plan, result, root, runDir, (t) => agentFor(t, project, agentOverride), previous, onTarget);
  state.status = 'running';
  state.pid = process.pid;
  state.maxParallel = maxParallel;
  if (agentOverride !== undefined) state.agentOverride = agentOverride;
  if (only) state.only = only;
  if (timeoutMinutes !== undefined) state.timeoutMinutes = timeoutMinutes;
  state.plan = planSummary(plan);
  if (previous) state.resumes.push({ at: new Date().toISOString(), pid: process.pid });
  delete state.endedAt;
  writeState(state);

  const progress = new Progress(io.stdout, io.cwd, useColor(io.stdout, io.env));
  // Merges wait behind what frees a task's slot (the kept shells' queue): nobody waits on most of them.
  const merger: Merger = new Merger(
    git.later(),
    root,
    state.targetWorktree,
    common,
    plan.targetBranch,
    project.verify !== undefined ? { worktree: resolve(root, plan.worktreeDir, MERGE_CHECK_WORKTREE), worktreeLock, ...(project.setup !== undefined ? { setup: (where: string): Promise<boolean> => scheduler.setupGate(where) } : {}) } : undefined,
  );
  const scheduler: Scheduler = new Scheduler({
    git,
    state,
    progress,
    lock,
    worktreeLock,
    env: withoutGitRedirects(io.env),
    ...(launcher ? { launcher } : {}),
    promptOf: (t) => buildPrompt(plan.tasks.find((p) => p.id === t.id)!, plan, result),
    maxParallel,
    priority: startPriority(order, result),
    satisfiedOutside,
    merger,
    resumedConflicts,
    specdagCommand: specdagCommand(),
    retries: project.retries,
    outsideOwns: project.outsideOwns,
    rejudge,
    tips,
    commonDir: common,
    ...(project.setup !== undefined ? { setup: project.setup } : {}),
    ...(project.verify !== undefined ? { mergeCheck: project.verify } : {}),
    ...(timeoutMinutes !== undefined ? { timeoutMs: timeoutMinutes * 60_000 } : {}),
  });

  const onSignal = (signal: NodeJS.Signals) => scheduler.stop(signal);
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const started = Date.now();
  try {
    progress.line(`specdag: run ${runId}${previous ? ' (resumed)' : ''}: ${state.tasks.length} task${state.tasks.length === 1 ? '' : 's'}, up to ${maxParallel} at once, on '${plan.targetBranch}' (from '${plan.baseBranch}')`);
    const { worktreeLater } = await lock.run(async () => {
      const prepared = await worktreeLock.run(() => prepareTarget(git, state, common, mergeToAbort));
      // From here on the target moves only by specdag's merges (this process's, or another's on the same target).
      tips.write(state.targetCommit!);
      if (!prepared.created && !previous) await scheduler.mergeBase();
      return prepared;
    });
    const found = state.tasks.filter((t) => t.onTarget !== undefined && !mergedBefore.has(t.id));
    if (found.length > 0) progress.line(`specdag: already on '${plan.targetBranch}', not run again: ${found.map((t) => t.id).join(', ')}`);
    progress.begin(state.tasks);
    const running = scheduler.run();
    // The first tasks have asked for their worktrees by now: the target's (when new) and the merge-check worktree come
    // after them. Under the target's lock, like every change there: another specdag on the same target may make it first.
    if (worktreeLater) merger.prepareTarget(lock.run(() => worktreeLock.run(() => addTargetWorktree(git.later(), state), false)));
    merger.prepareGate(state.targetCommit!);
    await running;
    await merger.idle();
    await scheduler.dropPremade();
    if (!scheduler.moved) await lock.run(() => scheduler.branchesInPlace());
  } catch (err) {
    // Whatever went wrong, the state on disk must not claim a live run.
    state.status = 'interrupted';
    writeState(state);
    throw err;
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
    progress.end();
  }

  const signal = scheduler.stoppedBy;
  state.status = signal || scheduler.moved ? 'interrupted' : 'finished';
  state.endedAt = new Date().toISOString();
  writeState(state);
  if (!signal && state.tasks.some((t) => t.status === 'merged' && t.mergedAt !== undefined && Date.parse(t.mergedAt) >= started)) await git.maintain(root);
  io.stdout.write(summary(state, Date.now() - started, io.cwd, req.dir, signal, scheduler.moved));
  if (signal) return SIGNAL_EXIT[signal] ?? 1;
  return scheduler.moved || state.tasks.some(isProblem) ? 1 : 0;
}

/** A resumed run must be one nobody else is driving, on the same branches. */
function checkResumable(previous: RunState, plan: RunPlan): void {
  if (previous.status === 'running' && previous.pid !== process.pid && alive(previous.pid)) {
    throw new UsageError(`run ${previous.runId} is still in progress (pid ${previous.pid}); wait for it, or stop it with Ctrl-C (kill -INT ${previous.pid}), then resume`);
  }
  if (previous.targetBranch !== plan.targetBranch || previous.baseBranch !== plan.baseBranch) {
    throw new UsageError(
      `run ${previous.runId} went from '${previous.baseBranch}' to '${previous.targetBranch}', but PROJECT.md now says '${plan.baseBranch}' to '${plan.targetBranch}'; start a new run (without --resume) or restore PROJECT.md`,
    );
  }
  for (const t of previous.tasks) {
    if (t.status === 'running' && t.agentPid !== undefined && groupAlive(t.agentPid)) {
      throw new UsageError(`the agent of task '${t.id}' from run ${previous.runId} is still running (process group ${t.agentPid}); stop it (kill -- -${t.agentPid}) or let it finish, then resume`);
    }
  }
}

/**
 * Another live `specdag run` on the same tasks would put two agents in one
 * worktree. Runs on other tasks (`make -j4` calling `specdag run --only <id>`)
 * may go side by side: the locks keep their merges apart.
 */
function checkConcurrentRuns(root: string, selected: PlanTask[], previous: RunState | undefined): void {
  const ours = new Set(selected.map((t) => t.id));
  for (const id of listRuns(root)) {
    if (id === previous?.runId) continue;
    let other: RunState;
    try {
      other = readState(root, id);
    } catch {
      continue;
    }
    if (other.status !== 'running' || other.pid === process.pid || !alive(other.pid)) continue;
    const shared = other.tasks.filter((t) => ours.has(t.id) && (t.status === 'pending' || t.status === 'running' || t.status === 'done')).map((t) => t.id);
    if (shared.length > 0) {
      throw new UsageError(
        `run ${id} (pid ${other.pid}) is still working on ${shared.slice(0, 3).map((t) => `'${t}'`).join(', ')}${shared.length > 3 ? ', …' : ''}; wait for it, or stop it (kill -INT ${other.pid}) and continue it with --resume ${id}`,
      );
    }
  }
}

/**
 * With --only, the selected tasks' dependencies outside the selection
 * (explicit ones, and every foundation task for a parallel or integration
 * task) must already be done: `status: done` in their spec, or their work on
 * the target branch as it is now.
 */
function checkOutsideDependencies(plan: RunPlan, selected: PlanTask[], result: LintResult, onTarget: Map<string, string>): Set<string> {
  const inRun = new Set(selected.map((t) => t.id));
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const needed = new Set<string>();
  for (const t of selected) {
    for (const d of t.dependsOn) if (!inRun.has(d)) needed.add(d);
    if (t.phase !== 'foundation') for (const f of plan.tasks) if (f.phase === 'foundation' && !inRun.has(f.id)) needed.add(f.id);
  }
  const satisfied = new Set([...needed].filter((id) => byId.get(id)?.status === 'done' || onTarget.has(id)));
  const missing = [...needed].filter((id) => !satisfied.has(id)).sort((a, b) => result.graph.topo[result.graph.index.get(a)!]! - result.graph.topo[result.graph.index.get(b)!]!);
  if (missing.length > 0) {
    throw new UsageError(
      `--only ${selected.map((t) => t.id).join(',')} needs ${missing.map((id) => `'${id}'`).join(', ')} merged into '${plan.targetBranch}' first, and ${missing.length === 1 ? 'it is' : 'they are'} not; add ${missing.length === 1 ? 'it' : 'them'} to --only, or run ${missing.length === 1 ? 'it' : 'them'} first`,
    );
  }
  return satisfied;
}

/**
 * Which ready task gets a free slot first: foundation tasks in the plan's
 * order (their waves); then the task with the longest chain of estimated
 * work still behind it, so the critical path never waits for a slot; then by
 * wave and id.
 */
export function startPriority(tasks: PlanTask[], result: LintResult): string[] {
  const { graph } = result;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const chain = new Map<string, number>();
  for (let k = graph.order.length - 1; k >= 0; k--) {
    const i = graph.order[k]!;
    const t = byId.get(graph.ids[i]!);
    if (!t) continue;
    let behind = 0;
    for (const j of graph.dependents[i]!) behind = Math.max(behind, chain.get(graph.ids[j]!) ?? 0);
    chain.set(t.id, (t.status === 'done' ? 0 : t.estimateMinutes) + behind);
  }
  const rank = (t: PlanTask) => (t.phase === 'foundation' ? 0 : 1);
  return [...tasks]
    .sort((a, b) => {
      if (rank(a) !== rank(b)) return rank(a) - rank(b);
      if (rank(a) === 1 && chain.get(a.id) !== chain.get(b.id)) return chain.get(b.id)! - chain.get(a.id)!;
      return a.wave - b.wave || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    })
    .map((t) => t.id);
}

function specOf(result: LintResult, id: string) {
  return result.graph.specs[result.graph.index.get(id)!]!;
}

function planSummary(plan: RunPlan): RunState['plan'] {
  return { project: plan.project, taskCount: plan.tasks.length, waves: plan.waves, criticalPath: plan.criticalPath, maxParallelism: plan.maxParallelism };
}

function newState(runId: string, root: string, specDir: string, plan: RunPlan, maxParallel: number): RunState {
  const now = new Date().toISOString();
  return {
    version: 1,
    runId,
    status: 'running',
    repoRoot: root,
    specDir,
    baseBranch: plan.baseBranch,
    targetBranch: plan.targetBranch,
    targetWorktree: resolve(root, plan.targetWorktree),
    worktreeDir: resolve(root, plan.worktreeDir),
    baseCommit: '',
    startedAt: now,
    updatedAt: now,
    pid: process.pid,
    maxParallel,
    resumes: [],
    plan: planSummary(plan),
    tasks: [],
  };
}

/**
 * The run's tasks, from the plan as it is now. On resume, what the earlier
 * attempt knew is kept (branch start, attempts, commits); merged and done
 * tasks keep their status, everything else goes back to pending.
 */
function taskStates(
  order: PlanTask[],
  plan: RunPlan,
  result: LintResult,
  root: string,
  runDir: string,
  agentOf: (t: PlanTask) => { name: string; command: string | undefined } | undefined,
  previous: RunState | undefined,
  onTarget: Map<string, string>,
): TaskState[] {
  const before = new Map((previous?.tasks ?? []).map((t) => [t.id, t]));
  return order.map((p) => {
    const spec = result.graph.specs[result.graph.index.get(p.id)!]!;
    const agent = agentOf(p);
    const check = spec.verify?.value ?? result.specs.project.verify;
    const t: TaskState = {
      id: p.id,
      title: p.title,
      phase: p.phase,
      dependsOn: p.dependsOn,
      status: 'pending',
      branch: p.branch,
      worktree: resolve(root, p.worktree),
      log: join(runDir, `${p.id}.log`),
      prompt: join(runDir, `${p.id}.prompt.md`),
      specFile: resolve(spec.path),
      owns: p.owns,
      ...(check !== undefined ? { check } : {}),
      ...(spec.allowEmpty ? { allowEmpty: true } : {}),
      outsideOwns: [],
      attempts: 0,
      ...(agent ? { agent: agent.name } : {}),
      ...(agent?.command !== undefined ? { command: agent.command } : {}),
    };
    const old = before.get(p.id);
    if (old) {
      for (const key of ['startCommit', 'commit', 'mergeCommit', 'mergedAt', 'startedAt', 'endedAt', 'exitCode', 'signal', 'timedOut', 'setupDone', 'checks', 'failure'] as const) {
        if (old[key] !== undefined) (t as unknown as Record<string, unknown>)[key] = old[key];
      }
      t.attempts = old.attempts;
      t.outsideOwns = old.outsideOwns;
      if (old.status === 'merged' || old.status === 'done') t.status = old.status;
      if (old.status === 'running' || old.interrupted) t.interrupted = true;
      if (old.onTarget !== undefined) t.onTarget = old.onTarget;
      // A conflict, or a merge that failed its check, is first merged again: the user may have resolved it on the task's branch.
      if (old.status === 'conflict' || (old.status === 'failed' && old.failure === 'merge-verify')) {
        t.status = 'done';
        if (old.reason !== undefined) t.reason = old.reason;
      }
    }
    const found = onTarget.get(p.id);
    if (t.status !== 'merged' && found !== undefined && p.status !== 'done') {
      // Its work is on the target branch already (an earlier run, or the user's own merge): nothing to run.
      t.status = 'merged';
      t.onTarget = found;
      delete t.reason;
    }
    if (p.status === 'done') {
      t.status = 'skipped';
      t.alreadyDone = true;
      t.reason = 'status: done in its spec';
    } else if (p.status === 'draft' && t.status === 'pending') {
      t.status = 'skipped';
      t.draft = true;
      t.reason = 'its spec is a draft (status: draft); set status: ready to run it';
    }
    return t;
  });
}

/**
 * Reads, before anything is created, whether the target branch's worktree
 * can be used: the folder is free or already that worktree, and no merge is
 * half done there, except specdag's own from a run that died in it: then
 * true, and that merge is aborted and made again.
 */
async function checkTarget(git: Git, root: string, plan: RunPlan, previous: RunState | undefined): Promise<{ ownMerge: 'abort' | 'undo' | undefined; dirty: string[] }> {
  const wt = resolve(root, plan.targetWorktree);
  const entry = (await git.worktrees(root)).find((w) => realish(w.path) === realish(wt));
  if (entry && entry.branch !== plan.targetBranch) {
    throw new UsageError(`${wt} is a worktree of ${entry.branch ? `'${entry.branch}'` : 'a detached HEAD'}, not of the target branch '${plan.targetBranch}'; check out '${plan.targetBranch}' there, or move it away`);
  }
  if (!entry && existsSync(wt)) throw new UsageError(`${wt} exists and is not a worktree of '${plan.targetBranch}'; move it away, or set worktree_dir in PROJECT.md to another folder`);
  if (!entry || !existsSync(wt)) return { ownMerge: undefined, dirty: [] };
  const ours = previous?.merging ? previous.tasks.find((t) => t.id === previous.merging) : undefined;
  const mergeHead = await git.resolve(wt, 'MERGE_HEAD');
  if (!mergeHead) {
    const dirty = (await git.status(wt)).changed;
    // specdag's own merge there, killed before git wrote MERGE_HEAD: what it staged is undone (git reset --merge keeps any other change).
    if (dirty.length > 0 && ours && previous!.status === 'running' && !alive(previous!.pid)) return { ownMerge: 'undo', dirty: [] };
    return { ownMerge: undefined, dirty };
  }
  const branchTip = ours ? await git.resolve(root, `refs/heads/${ours.branch}`) : undefined;
  if (!ours || branchTip !== mergeHead) {
    throw new UsageError(`a merge is in progress in ${wt}; finish it (git commit) or abort it (git merge --abort) there, then run again`);
  }
  // specdag's own merge, cut short: what it changed there goes with the abort.
  return { ownMerge: 'abort', dirty: [] };
}

/**
 * The target branch (created from the base branch when missing; the base
 * branch itself is only read) and its worktree, as checkTarget found them.
 * A branch created just now has nothing to merge before the first task's
 * merge, so its worktree is left for later (`worktreeLater`: made by
 * addTargetWorktree while the first task works) instead of delaying the
 * first agent by a checkout.
 */
async function prepareTarget(git: Git, state: RunState, commonDir: string, ownMerge: 'abort' | 'undo' | undefined): Promise<{ created: boolean; worktreeLater: boolean }> {
  const root = state.repoRoot;
  const [base, target] = await branchTips(git, root, commonDir, [state.baseBranch, state.targetBranch]);
  state.baseCommit = base ?? state.baseCommit;
  if (!target) {
    await git.run(root, ['branch', '--no-track', state.targetBranch, `refs/heads/${state.baseBranch}`]);
  }
  state.targetCommit = target ?? base!;
  const wt = state.targetWorktree;
  const worktreeLater = target === undefined && ownMerge === undefined && !existsSync(wt);
  if (!worktreeLater) await addTargetWorktree(git, state);
  // specdag's own merge, cut short when its run died: its task is still `done` and is merged again.
  if (ownMerge === 'abort') await git.run(wt, ['merge', '--abort']);
  if (ownMerge === 'undo') await git.run(wt, ['reset', '--merge', '--quiet']);
  delete state.merging;
  writeState(state);
  return { created: target === undefined, worktreeLater };
}

/** The target branch's worktree, unless it is there (the caller holds the target's lock and the worktree lock). */
async function addTargetWorktree(git: Git, state: RunState): Promise<void> {
  const root = state.repoRoot;
  const wt = state.targetWorktree;
  if (existsSync(wt)) return;
  // A registration whose folder was deleted would make `worktree add` refuse; pruning forgets it and removes no files.
  if ((await git.worktrees(root)).some((w) => realish(w.path) === realish(wt))) await git.run(root, ['worktree', 'prune']);
  await git.run(root, ['worktree', 'add', '--quiet', wt, state.targetBranch]);
}

/** The target's tip as the last specdag merge left it, in a file beside the lock: every specdag process on the target reads and writes it under the lock. */
function tipRecord(file: string): { read(): string | undefined; write(commit: string): void } {
  return {
    read() {
      try {
        return readFileSync(file, 'utf8').trim() || undefined;
      } catch {
        return undefined;
      }
    },
    write(commit) {
      // Another specdag reading it under the lock never sees half a line.
      writeFileAtomic(file, `${commit}\n`, { durable: false });
    },
  };
}

function summary(state: RunState, ms: number, cwd: string, dir: string, signal: NodeJS.Signals | undefined, moved?: string): string {
  const c: Record<string, number> = countByStatus(state.tasks);
  c.interrupted = state.tasks.filter((t) => t.failure === 'interrupted').length;
  c.failed! -= c.interrupted;
  const parts = ['merged', 'done', 'failed', 'interrupted', 'conflict', 'skipped', 'pending'].filter((s) => c[s]! > 0).map((s) => `${c[s]} ${s}`);
  const lines = [
    `specdag: run ${state.runId} ${signal ? `stopped by ${signal}` : moved ? 'stopped (a branch moved)' : 'finished'} in ${duration(ms)}: ${parts.join(', ') || 'nothing to do'}; target branch '${state.targetBranch}' in ${shownPath(state.targetWorktree, cwd)}`,
  ];
  for (const t of state.tasks) {
    if ((t.status === 'failed' || t.status === 'conflict') && t.failure !== 'interrupted') lines.push(`  ${t.status} ${t.id}: ${t.reason ?? ''} (log: ${shownPath(t.log, cwd)})`);
  }
  if (moved) lines.push(`  ${moved}`);
  if (signal || moved || state.tasks.some(isProblem)) lines.push(`  resume with: specdag run ${dir} --resume ${state.runId}`);
  return `${lines.join('\n')}\n`;
}
