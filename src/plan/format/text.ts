import { paint } from '../../report/color.js';
import { formatMinutes } from '../estimate.js';
import type { PlanTask, RunPlan } from '../types.js';
import { oneLine } from '../../util/text.js';

const TITLE_WIDTH = 40;

/** The schedule, wave by wave, for a terminal. `*` marks the critical path. */
export function formatPlanText(plan: RunPlan, opts: { color?: boolean } = {}): string {
  const c = paint(opts.color === true);
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const critical = new Set(plan.criticalPath.tasks);
  const idWidth = widest(plan.tasks.map((t) => t.id));
  const titleWidth = Math.min(TITLE_WIDTH, widest(plan.tasks.map((t) => oneLine(t.title))));
  const estWidth = widest(plan.tasks.map((t) => formatMinutes(t.estimateMinutes)));
  // Every task works on a branch and worktree of its own, whatever its phase (version 2), as run does.
  const branchWidth = widest(plan.tasks.map((t) => oneLine(t.branch)));
  const worktreeWidth = widest(plan.tasks.map((t) => oneLine(t.worktree)));
  const done = plan.tasks.filter((t) => t.status === 'done').length;

  const lines: string[] = [];
  const name = plan.project === null ? 'this project' : oneLine(plan.project);
  lines.push(
    c.bold(`Plan for ${name}: ${count(plan.tasks.length, 'task')} in ${count(plan.waves.length, 'wave')}${done ? `, ${done} done` : ''}`),
    c.dim(`base branch ${oneLine(plan.baseBranch)} → target branch ${oneLine(plan.targetBranch)} (worktree ${oneLine(plan.targetWorktree)})`),
    c.dim(`each task works on its own branch and worktree (below), merged into ${oneLine(plan.targetBranch)} with git merge --no-ff`),
  );
  plan.waves.forEach((ids, w) => {
    const phases = [...new Set(ids.map((id) => byId.get(id)!.phase))].join(' + ');
    lines.push('', c.bold(`Wave ${w}`) + c.dim(` · ${phases}`));
    for (const id of ids) lines.push(row(byId.get(id)!));
  });
  lines.push('');
  if (plan.criticalPath.tasks.length > 0) {
    lines.push(`${c.red('*')} critical path: ${plan.criticalPath.tasks.join(' → ')} (${formatMinutes(plan.criticalPath.minutes)})`);
  } else {
    lines.push('critical path: nothing left to do');
  }
  lines.push(`max parallelism: ${count(plan.maxParallelism, 'task')} side by side (max_parallel: ${plan.maxParallel})`);
  return `${lines.join('\n')}\n`;

  function row(t: PlanTask): string {
    const mark = critical.has(t.id) ? c.red('*') : ' ';
    const title = clip(oneLine(t.title), TITLE_WIDTH).padEnd(titleWidth);
    const est = formatMinutes(t.estimateMinutes).padStart(estWidth);
    const tail = [t.status === 'done' ? c.green('done') : t.status === 'draft' ? c.yellow('draft') : '', t.dependsOn.length ? c.dim(`after ${t.dependsOn.join(', ')}`) : '']
      .filter(Boolean)
      .join('  ');
    const id = t.status === 'done' ? c.dim(t.id.padEnd(idWidth)) : t.id.padEnd(idWidth);
    const where = `${oneLine(t.branch).padEnd(branchWidth)}  ${oneLine(t.worktree).padEnd(worktreeWidth)}`;
    return `  ${mark} ${id}  ${title}  ${est}  ${where}${tail ? `  ${tail}` : ''}`.trimEnd();
  }
}

function widest(texts: string[]): number {
  return texts.reduce((w, s) => Math.max(w, s.length), 0);
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}…`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
