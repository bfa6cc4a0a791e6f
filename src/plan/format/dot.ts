import { PHASES } from '../../spec/types.js';
import { formatMinutes } from '../estimate.js';
import { taskNeeds } from '../needs.js';
import type { RunPlan } from '../types.js';
import { oneLine } from '../../util/text.js';

const CRITICAL = '#d1242f';
const IMPLIED = '#8c959f';

/** A double-quoted DOT string: only `"` and `\` are special there (`\` starts label escapes like `\n`). */
export function dotString(text: string): string {
  return `"${oneLine(text).replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Graphviz: phases as clusters, one box per task with the branch and
 * worktree its agent works in, `depends_on` as edges, the order the plan adds
 * dashed (every edge `run` waits on is drawn: see taskNeeds), the critical
 * path in red.
 */
export function formatPlanDot(plan: RunPlan): string {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const critical = new Set(plan.criticalPath.tasks);
  const path = plan.criticalPath.tasks;
  const onPath = new Set<string>();
  for (let k = 1; k < path.length; k++) onPath.add(`${path[k - 1]}\u0000${path[k]}`);

  const lines = [
    'digraph specdag {',
    `  graph [rankdir=LR, fontname="Helvetica", label=${dotString(`${plan.project ?? 'specdag'}: critical path ${formatMinutes(plan.criticalPath.minutes)}; every task is merged into ${plan.targetBranch}`)}, labelloc=t];`,
    '  node [shape=box, style="rounded", fontname="Helvetica"];',
    '  edge [fontname="Helvetica"];',
  ];
  for (const phase of PHASES) {
    const tasks = plan.tasks.filter((t) => t.phase === phase);
    if (tasks.length === 0) continue;
    lines.push(`  subgraph cluster_${phase} {`, `    label=${dotString(phase)};`, '    style="dashed";');
    for (const t of tasks) {
      const facts = [formatMinutes(t.estimateMinutes), `wave ${t.wave}`, ...(t.status === 'ready' ? [] : [t.status])].join(' · ');
      const label = [t.id, t.title, facts, t.branch, t.worktree].map((text) => dotString(text).slice(1, -1)).join('\\n');
      const attrs = [`label="${label}"`];
      if (critical.has(t.id)) attrs.push(`color="${CRITICAL}"`, 'penwidth=2');
      if (t.status === 'done') attrs.push('style="rounded,dashed"', 'fontcolor="#6e7781"');
      lines.push(`    "${t.id}" [${attrs.join(', ')}];`);
    }
    lines.push('  }');
  }

  const seen = new Set<string>();
  const edge = (from: string, to: string, implied: boolean) => {
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    // The order the plan adds is drawn light, so the explicit dependencies stay the picture's backbone.
    const colour = onPath.has(key) ? [`color="${CRITICAL}"`, 'penwidth=2'] : implied ? [`color="${IMPLIED}"`] : [];
    const attrs = [...(implied ? ['style=dashed'] : []), ...colour];
    lines.push(`  "${from}" -> "${to}"${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  };
  for (const t of plan.tasks) for (const dep of t.dependsOn) if (byId.has(dep)) edge(dep, t.id, false);
  for (const [id, needs] of taskNeeds(plan)) for (const dep of needs) edge(dep, id, true);
  // The critical path may step from any foundation task (the implicit rule puts them all first): draw that step too.
  for (let k = 1; k < path.length; k++) if (byId.get(path[k - 1]!)?.phase === 'foundation') edge(path[k - 1]!, path[k]!, true);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
