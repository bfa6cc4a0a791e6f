import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { alive, listRuns, runsDir } from '../run/state.js';
import { safeStatus } from './svg.js';

/**
 * What the live page knows of a run. It reads `state.json` as written by
 * any version of the runner: known fields are checked for their type, and
 * anything else (a field added later, a status it does not know) is passed
 * on as data or shown as `unknown`, never trusted as markup.
 */
export interface TaskSummary {
  status: string;
  failure?: string;
  reason?: string;
}

export interface RunSummary {
  /** True when `tasks` holds every task of the run (a task left out has no state). */
  full: boolean;
  run: { id: string; status: string; counts: Record<string, number> } | null;
  tasks: Record<string, TaskSummary>;
}

export interface CheckView {
  [key: string]: string | number | boolean | null | undefined;
}

/** One task of a run, for the side panel. */
export interface TaskRun {
  status: string;
  failure?: string;
  reason?: string;
  attempts?: number;
  exitCode?: number | null;
  signal?: string;
  startedAt?: string;
  endedAt?: string;
  branch?: string;
  worktree?: string;
  commit?: string;
  mergeCommit?: string;
  outsideOwns: string[];
  checks: CheckView[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Reads and parses a run's state.json; undefined while it is missing or half written. */
export function readRunState(repoRoot: string, runId: string): Json | undefined {
  try {
    const data: unknown = JSON.parse(readFileSync(join(runsDir(repoRoot), runId, 'state.json'), 'utf8'));
    return isObject(data) && Array.isArray(data.tasks) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds the latest run of one spec folder among the runs of the repository
 * (several folders may share it). A run's folder never changes, so each
 * answer is kept.
 */
export class RunFinder {
  private readonly folderOf = new Map<string, string | null>();
  private readonly specDir: string;
  constructor(
    private readonly repoRoot: string,
    specDir: string,
  ) {
    this.specDir = real(specDir);
  }

  latest(): string | undefined {
    const runs = listRuns(this.repoRoot);
    for (let i = runs.length - 1; i >= 0; i--) {
      const id = runs[i]!;
      let folder = this.folderOf.get(id);
      if (folder === undefined) {
        const state = readRunState(this.repoRoot, id);
        // A state not readable yet (a run just starting) is asked again next time.
        if (!state) continue;
        folder = typeof state.specDir === 'string' ? real(state.specDir) : null;
        this.folderOf.set(id, folder);
      }
      if (folder === this.specDir) return id;
    }
    return undefined;
  }
}

/** The run's status as `status` shows it: a run recorded as running whose process is gone has died. */
function runStatus(state: Json): string {
  const status = safeStatus(state.status);
  if (status === 'running' && typeof state.pid === 'number' && !alive(state.pid)) return 'died';
  return status;
}

export function summarise(runId: string, state: Json): RunSummary {
  const tasks: Record<string, TaskSummary> = {};
  const counts: Record<string, number> = {};
  for (const t of state.tasks as unknown[]) {
    if (!isObject(t) || typeof t.id !== 'string') continue;
    const status = safeStatus(t.status);
    counts[status] = (counts[status] ?? 0) + 1;
    const failure = str(t.failure);
    const reason = str(t.reason);
    tasks[t.id] = { status, ...(failure !== undefined ? { failure } : {}), ...(reason !== undefined ? { reason } : {}) };
  }
  return { full: true, run: { id: runId, status: runStatus(state), counts }, tasks };
}

/** Only the tasks whose summary changed since `before` (the run as a whole is always sent). */
export function changes(before: RunSummary | null, after: RunSummary): RunSummary {
  if (!before || before.run?.id !== after.run?.id) return after;
  const tasks: Record<string, TaskSummary> = {};
  for (const [id, t] of Object.entries(after.tasks)) {
    const old = before.tasks[id];
    if (!old || old.status !== t.status || old.failure !== t.failure || old.reason !== t.reason) tasks[id] = t;
  }
  const gone = Object.keys(before.tasks).some((id) => !(id in after.tasks));
  return gone ? after : { full: false, run: after.run, tasks };
}

const scalar = (v: unknown): v is string | number | boolean | null => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** One task's record in the run, with only the fields the panel shows, each of the type it expects. */
export function taskRun(state: Json, id: string): TaskRun | undefined {
  const t = (state.tasks as unknown[]).find((x) => isObject(x) && x.id === id) as Json | undefined;
  if (!t) return undefined;
  const out: TaskRun = { status: safeStatus(t.status), outsideOwns: [], checks: [] };
  for (const key of ['failure', 'reason', 'signal', 'startedAt', 'endedAt', 'branch', 'worktree', 'commit', 'mergeCommit'] as const) {
    const v = str(t[key]);
    if (v !== undefined) out[key] = v;
  }
  if (typeof t.attempts === 'number') out.attempts = t.attempts;
  if (typeof t.exitCode === 'number' || t.exitCode === null) out.exitCode = t.exitCode;
  if (Array.isArray(t.outsideOwns)) out.outsideOwns = t.outsideOwns.filter((p): p is string => typeof p === 'string');
  if (Array.isArray(t.checks)) {
    out.checks = t.checks.filter(isObject).map((c) => {
      const view: CheckView = {};
      for (const [k, v] of Object.entries(c)) view[k] = scalar(v) ? v : JSON.stringify(v);
      return view;
    });
  }
  return out;
}
