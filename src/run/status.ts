import { dirname, join } from 'node:path';
import { duration, shownPath } from './progress.js';
import { alive, countByStatus, type CheckRecord, type Failure, type RunState, type TaskState } from './state.js';

/** A run as `status` shows it: the recorded state, with what can be derived from it now. */
export interface StatusView {
  version: 1;
  runId: string;
  /** `running`, `interrupted`, `finished`, or `died` (recorded as running, but its process is gone: resume it). */
  status: RunState['status'] | 'died';
  /** The spec folder the run read. */
  specDir: string;
  baseBranch: string;
  targetBranch: string;
  targetWorktree: string;
  startedAt: string;
  endedAt?: string;
  durationMs: number;
  pid: number;
  /** Tasks per shown status (`interrupted` counted apart from `failed`). */
  counts: Record<string, number>;
  tasks: (Pick<TaskState, 'id' | 'title' | 'phase' | 'branch' | 'worktree' | 'log' | 'outsideOwns' | 'attempts'> & {
    /** The recorded status, except `interrupted` for a task stopped by a signal (recorded `failed`, failure `interrupted`). */
    status: TaskState['status'] | 'interrupted';
    failure?: Failure;
    reason?: string;
    /** How it was known to be on the target branch already, when it was not run. */
    onTarget?: string;
    checks: CheckRecord[];
    startedAt?: string;
    endedAt?: string;
    durationMs?: number;
    exitCode?: number | null;
    commit?: string;
    mergeCommit?: string;
  })[];
}

const ms = (from?: string, to?: string) => (from ? Math.max(0, (to ? Date.parse(to) : Date.now()) - Date.parse(from)) : undefined);

export function statusView(state: RunState): StatusView {
  const died = state.status === 'running' && !alive(state.pid);
  const status = died ? 'died' : state.status;
  return {
    version: 1,
    runId: state.runId,
    status,
    specDir: state.specDir,
    baseBranch: state.baseBranch,
    targetBranch: state.targetBranch,
    targetWorktree: state.targetWorktree,
    startedAt: state.startedAt,
    ...(state.endedAt ? { endedAt: state.endedAt } : {}),
    durationMs: ms(state.startedAt, state.endedAt ?? (died ? state.updatedAt : undefined)) ?? 0,
    pid: state.pid,
    counts: counts(state.tasks),
    tasks: state.tasks.map((t) => {
      // A task recorded as running in a run that died was interrupted; its time stops where the state was last written.
      const end = t.endedAt ?? (t.status === 'running' && died ? state.updatedAt : undefined);
      const d = t.status === 'pending' && !t.endedAt ? undefined : ms(t.startedAt, end);
      return {
        id: t.id,
        title: t.title,
        phase: t.phase,
        status: t.failure === 'interrupted' && t.status === 'failed' ? 'interrupted' : t.status,
        ...(t.failure ? { failure: t.failure } : {}),
        ...(t.reason ? { reason: t.reason } : {}),
        ...(t.onTarget ? { onTarget: t.onTarget } : {}),
        checks: t.checks ?? [],
        ...(t.startedAt ? { startedAt: t.startedAt } : {}),
        ...(t.endedAt ? { endedAt: t.endedAt } : {}),
        ...(d !== undefined ? { durationMs: d } : {}),
        ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
        ...(t.commit ? { commit: t.commit } : {}),
        ...(t.mergeCommit ? { mergeCommit: t.mergeCommit } : {}),
        branch: t.branch,
        worktree: t.worktree,
        log: t.log,
        outsideOwns: t.outsideOwns,
        attempts: t.attempts,
      };
    }),
  };
}

function counts(tasks: TaskState[]): Record<string, number> {
  const c: Record<string, number> = { ...countByStatus(tasks), interrupted: 0 };
  for (const t of tasks) {
    if (t.status === 'failed' && t.failure === 'interrupted') {
      c.failed!--;
      c.interrupted!++;
    }
  }
  return c;
}

export function formatStatusJson(view: StatusView): string {
  return `${JSON.stringify(view, null, 2)}\n`;
}

/** One header line, then one row per task (status, duration, exit code, log) and its notes. */
export function formatStatusText(view: StatusView, cwd: string): string {
  const c = view.counts;
  const counts = ['merged', 'done', 'running', 'failed', 'interrupted', 'conflict', 'skipped', 'pending'].filter((k) => c[k]! > 0).map((k) => `${c[k]} ${k}`);
  const resume = `specdag run ${shownPath(view.specDir, cwd)} --resume ${view.runId}`;
  const state =
    view.status === 'died'
      ? `died (pid ${view.pid} is gone; continue it with ${resume})`
      : view.status === 'running'
        ? `running (pid ${view.pid})`
        : view.status === 'interrupted'
          ? `interrupted (continue it with ${resume})`
          : view.status;
  const lines = [`run ${view.runId}: ${state}, ${duration(view.durationMs)}; ${counts.join(', ')}`, `  ${view.baseBranch} → ${view.targetBranch} (${shownPath(view.targetWorktree, cwd)})`];
  // Every task on <prefix><id> in <worktree_dir>/<id>: said once; a task that differs (a run of an older version) says so on its own.
  const first = view.tasks[0];
  const prefix = first ? first.branch.slice(0, first.branch.length - first.id.length) : '';
  const folder = first ? dirname(first.worktree) : '';
  const usual = (t: StatusView['tasks'][number]) => t.branch === `${prefix}${t.id}` && t.worktree === join(folder, t.id);
  if (first && usual(first)) lines.push(`  each task on its own branch ${prefix}<task>, in ${shownPath(folder, cwd)}/<task>`);
  lines.push('');
  const rows = view.tasks.map((t) => [
    t.id,
    t.status,
    t.durationMs !== undefined ? duration(t.durationMs) : '-',
    t.exitCode === undefined ? '-' : t.exitCode === null ? 'signal' : String(t.exitCode),
    t.startedAt || t.status === 'running' ? shownPath(t.log, cwd) : '-',
  ]);
  const header = ['task', 'status', 'time', 'exit', 'log'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  lines.push(row(header));
  view.tasks.forEach((t, i) => {
    lines.push(row(rows[i]!));
    if (!first || !usual(first) || !usual(t)) lines.push(`  on ${t.branch}, in ${shownPath(t.worktree, cwd)}`);
    if (t.reason && t.status !== 'merged') lines.push(`  ${t.failure && t.failure !== 'interrupted' ? `${t.failure}: ` : ''}${t.reason}`);
    if (t.onTarget) lines.push(`  already on ${view.targetBranch}, not run: ${t.onTarget}`);
    if (t.outsideOwns.length > 0) lines.push(`  outside its owns: ${t.outsideOwns.join(', ')}`);
    for (const c of t.checks) {
      const how = c.exitCode === null ? 'stopped' : `exit ${c.exitCode}`;
      lines.push(`  ${c.kind === 'setup' ? 'setup' : `check ${c.kind}`} '${c.command}': ${how}, ${duration(c.durationMs)}${c.kind === 'setup' ? '' : `, ${shownPath(c.log, cwd)}`}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
