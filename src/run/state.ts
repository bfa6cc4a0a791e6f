import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/write.js';
import { join } from 'node:path';
import type { Phase } from '../spec/types.js';
import { UsageError } from '../util/errors.js';

export const TASK_STATUSES = ['pending', 'running', 'done', 'merged', 'failed', 'conflict', 'skipped'] as const;
/**
 * `done`: the agent finished and its work is committed on its branch, not yet
 * merged. `merged`: the task's work is on the target branch.
 */
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Why a task failed (CLI.md, "Trusted results"): every failed or conflicting task carries one. */
export const FAILURES = ['agent', 'timeout', 'setup', 'no-changes', 'outside-owns', 'verify', 'merge-verify', 'conflict', 'interrupted'] as const;
export type Failure = (typeof FAILURES)[number];

/** One command specdag ran to judge a task: its `setup`, its check, or the check of its merge. */
export interface CheckRecord {
  /** `setup` in a new worktree, `verify` (the task's check in its worktree), `merge` (PROJECT.md's verify on the merge, before the target moves). */
  kind: 'setup' | 'verify' | 'merge';
  /** The folder it ran in. */
  where: string;
  command: string;
  /** Null when a signal ended it (a timeout, or specdag stopped). */
  exitCode: number | null;
  /** Its whole output. */
  log: string;
  startedAt: string;
  durationMs: number;
  /** The commit it judged (the task's branch tip, or the merge commit). */
  commit?: string;
}

/** One task of a run, as `state.json` records it. */
export interface TaskState {
  id: string;
  title: string;
  phase: Phase;
  dependsOn: string[];
  status: TaskStatus;
  /** Why a task is skipped, failed or in conflict, in one sentence. */
  reason?: string;
  /** What made a failed or conflicting task fail. */
  failure?: Failure;
  /** Every setup and check run for it, oldest first. */
  checks?: CheckRecord[];
  /** How a task found `merged` at the start was known to be on the target branch (an earlier run, or its branch merged there). */
  onTarget?: string;
  /** True for a task whose spec says `status: done`: never run, counts as finished. */
  alreadyDone?: boolean;
  /** True for a task whose spec says `status: draft`: not run; the tasks that depend on it are skipped. */
  draft?: boolean;
  /** True for a task stopped by Ctrl-C, SIGTERM or SIGHUP (failure `interrupted`) or found `running` after its run died. */
  interrupted?: boolean;
  agent?: string;
  command?: string;
  /** The branch the task works on: its own, `<branch_prefix><id>`, whatever its phase. */
  branch: string;
  /** Absolute path of the worktree it runs in. */
  worktree: string;
  /** Absolute paths of its log and of the prompt it was given. */
  log: string;
  prompt: string;
  /** Absolute path of the spec file. */
  specFile: string;
  owns: string[];
  /** The task's check: its spec's `verify`, else PROJECT.md's. */
  check?: string;
  /** The spec's `allow_empty: true`: an agent that changes nothing still succeeds. */
  allowEmpty?: boolean;
  /** PROJECT.md's `setup` passed in the task's worktree (it runs once per worktree). */
  setupDone?: boolean;
  startedAt?: string;
  endedAt?: string;
  /** The agent's exit code; null when it was killed by a signal. */
  exitCode?: number | null;
  signal?: string;
  timedOut?: boolean;
  /** Process group of the running agent. */
  agentPid?: number;
  /** The commit the task started from (kept across retries: the base of its changes). */
  startCommit?: string;
  /** The task's last commit: its branch tip when it was merged. */
  commit?: string;
  /** The merge commit on the target branch, and when it was made. */
  mergeCommit?: string;
  mergedAt?: string;
  /** Files it changed (against startCommit) that none of its `owns` globs match. */
  outsideOwns: string[];
  /** How many times its agent was started. */
  attempts: number;
}

export interface RunState {
  version: 1;
  runId: string;
  /** `running` while a process drives it; `interrupted` after Ctrl-C; `finished` otherwise. */
  status: 'running' | 'interrupted' | 'finished';
  repoRoot: string;
  /** The spec folder, absolute. */
  specDir: string;
  baseBranch: string;
  targetBranch: string;
  /** Absolute path of the target branch's worktree. */
  targetWorktree: string;
  worktreeDir: string;
  /** The base branch's commit when the run started (it never moves). */
  baseCommit: string;
  /** The target branch's tip as specdag last left it: where new worktrees start. */
  targetCommit?: string;
  /** Why the run stopped on its own: the target or base branch moved under it. */
  stopped?: string;
  /** The setups run in the worktree where merges are checked. */
  gateChecks?: CheckRecord[];
  /** A new run's merge of what the base branch gained since the target was made (`base`: the base commit merged). */
  baseMerge?: { status: 'merged' | 'conflict' | 'failed'; base: string; commit?: string; reason?: string; checks?: CheckRecord[] };
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  /** The process driving the run (the latest one, after a resume). */
  pid: number;
  maxParallel: number;
  agentOverride?: string;
  only?: string[];
  timeoutMinutes?: number;
  /** The task being merged right now: lets a resume after a crash tell specdag's own unfinished merge from the user's. */
  merging?: string;
  /** Every time the run was continued with --resume. */
  resumes: { at: string; pid: number }[];
  plan: { project: string | null; taskCount: number; waves: string[][]; criticalPath: { tasks: string[]; minutes: number }; maxParallelism: number };
  /** In plan order. */
  tasks: TaskState[];
}

export const SPECDAG_DIR = '.specdag';

export function runsDir(repoRoot: string): string {
  return join(repoRoot, SPECDAG_DIR, 'runs');
}

/** A sortable id: UTC time to the millisecond, then a short random suffix. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export const RUN_ID = /^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{6}$/;

/** Makes `.specdag/` (ignored by git through its own .gitignore) and the run's folder. */
export function createRunDir(repoRoot: string, runId: string): string {
  const top = join(repoRoot, SPECDAG_DIR);
  mkdirSync(top, { recursive: true });
  const ignore = join(top, '.gitignore');
  // A self-ignoring folder: nothing to add to the user's own .gitignore, and `git add -A` never picks the state up.
  if (!existsSync(ignore)) writeFileSync(ignore, '# written by specdag: its run state and logs are not part of the project\n*\n');
  const dir = join(runsDir(repoRoot), runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function statePath(repoRoot: string, runId: string): string {
  return join(runsDir(repoRoot), runId, 'state.json');
}

/** Rewrites state.json whole (a reader never sees half of it), without an fsync: it is rewritten at every step of every task. */
export function writeState(state: RunState): void {
  state.updatedAt = new Date().toISOString();
  writeFileAtomic(statePath(state.repoRoot, state.runId), `${JSON.stringify(state, null, 2)}\n`, { durable: false });
}

/** Ids of the runs on disk, oldest first. */
export function listRuns(repoRoot: string): string[] {
  const dir = runsDir(repoRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => RUN_ID.test(name) && existsSync(join(dir, name, 'state.json')))
    .sort();
}

export function readState(repoRoot: string, runId: string): RunState {
  const path = statePath(repoRoot, runId);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the state of run '${runId}' (${path}): ${(err as Error).message}`);
  }
  const state = data as RunState;
  if (!state || state.version !== 1 || !Array.isArray(state.tasks)) {
    throw new UsageError(`${path} is not a specdag run state (version 1); it was written by another version or edited by hand`);
  }
  return state;
}

/** The named run, or the latest one; a sentence when there is none. */
export function findRun(repoRoot: string, runId?: string): RunState {
  const runs = listRuns(repoRoot);
  if (runId !== undefined) {
    if (!runs.includes(runId)) {
      const hint = runs.length ? `the latest is '${runs[runs.length - 1]}'` : "there is no run yet; start one with 'specdag run'";
      throw new UsageError(`no run '${runId}' in ${runsDir(repoRoot)}; ${hint}`);
    }
    return readState(repoRoot, runId);
  }
  if (runs.length === 0) throw new UsageError(`no run in ${runsDir(repoRoot)} yet; start one with 'specdag run'`);
  return readState(repoRoot, runs[runs.length - 1]!);
}

/** True when a process (or process group, for a negative id) with this id exists. */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined || pid === 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Counts by status, for summaries. */
export function countByStatus(tasks: TaskState[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of tasks) counts[t.status]++;
  return counts;
}

/** A task that makes the run unsuccessful: failed, in conflict, skipped because of one, or never finished. */
export function isProblem(t: TaskState): boolean {
  if (t.status === 'skipped') return !t.alreadyDone && !t.draft;
  return t.status !== 'merged';
}
