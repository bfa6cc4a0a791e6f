import { PHASES } from '../../spec/types.js';
import { formatMinutes } from '../estimate.js';
import type { RunPlan } from '../types.js';
import { oneLine } from '../../util/text.js';

const CRITICAL = '#d1242f';

/** A double-quoted DOT string: only `"` and `\` are special there (`\` starts label escapes like `\n`). */
export function dotString(text: string): string {
  return `"${oneLine(text).replace(/[\\"]/g, '\\$&')}"`;
}

/** Graphviz: phases as clusters, `depends_on` as edges, the plan's implied order dashed, the critical path in red. */
export function formatPlanDot(plan: RunPlan): string {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const critical = new Set(plan.criticalPath.tasks);
  const path = plan.criticalPath.tasks;
  const onPath = new Set<string>();
  for (let k = 1; k < path.length; k++) onPath.add(`${path[k - 1]}\u0000${path[k]}`);

  const lines = [
    'digraph specdag {',
    `  graph [rankdir=LR, fontname="Helvetica", label=${dotString(`${plan.project ?? 'specdag'}: critical path ${formatMinutes(plan.criticalPath.minutes)}`)}, labelloc=t];`,
    '  node [shape=box, style="rounded", fontname="Helvetica"];',
    '  edge [fontname="Helvetica"];',
  ];
  for (const phase of PHASES) {
    const tasks = plan.tasks.filter((t) => t.phase === phase);
    if (tasks.length === 0) continue;
    lines.push(`  subgraph cluster_${phase} {`, `    label=${dotString(phase)};`, '    style="dashed";');
    for (const t of tasks) {
      const facts = [formatMinutes(t.estimateMinutes), `wave ${t.wave}`, ...(t.status === 'ready' ? [] : [t.status])].join(' · ');
      const attrs = [`label="${t.id}\\n${dotString(t.title).slice(1, -1)}\\n${facts}"`];
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
    const attrs = [...(implied ? ['style=dashed'] : []), ...(onPath.has(key) ? [`color="${CRITICAL}"`, 'penwidth=2'] : [])];
    lines.push(`  "${from}" -> "${to}"${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  };
  const foundation = plan.tasks.filter((t) => t.phase === 'foundation').map((t) => t.id);
  const last = foundation[foundation.length - 1];
  for (const t of plan.tasks) for (const dep of t.dependsOn) if (byId.has(dep)) edge(dep, t.id, false);
  for (let k = 1; k < foundation.length; k++) edge(foundation[k - 1]!, foundation[k]!, true);
  if (last !== undefined) for (const t of plan.tasks) if (t.phase !== 'foundation' && t.dependsOn.length === 0) edge(last, t.id, true);
  for (let k = 1; k < path.length; k++) if (byId.get(path[k - 1]!)?.phase === 'foundation') edge(path[k - 1]!, path[k]!, true);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
