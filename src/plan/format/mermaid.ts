import { PHASES } from '../../spec/types.js';
import { formatMinutes } from '../estimate.js';
import { taskNeeds } from '../needs.js';
import type { RunPlan } from '../types.js';
import { oneLine } from '../../util/text.js';

const CRITICAL = '#d1242f';

/**
 * Text inside a quoted Mermaid label, shown as written: Mermaid's entity
 * codes stand in for the characters that could end the label, open HTML, or
 * switch the label to a Markdown string.
 */
export function mermaidText(text: string): string {
  return oneLine(text).replace(/[#"<>&`]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

/**
 * A flowchart that renders on GitHub: phases as subgraphs, one node per task
 * with the branch and worktree its agent works in (node ids are `t0`, `t1`…
 * since task ids may hold `--`, which Mermaid reads as an arrow), solid
 * arrows for `depends_on`, dotted ones for the order the plan adds (foundation
 * tasks one after another, every other task after the last of them: every
 * edge `run` waits on, see taskNeeds), and the critical path in red.
 */
export function formatPlanMermaid(plan: RunPlan): string {
  const node = new Map(plan.tasks.map((t, i) => [t.id, `t${i}`]));
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const lines = ['flowchart TD'];
  for (const phase of PHASES) {
    const tasks = plan.tasks.filter((t) => t.phase === phase);
    if (tasks.length === 0) continue;
    lines.push(`  subgraph phase_${phase} ["${phase}"]`);
    for (const t of tasks) {
      const facts = [formatMinutes(t.estimateMinutes), `wave ${t.wave}`, ...(t.status === 'ready' ? [] : [t.status])].join(' · ');
      lines.push(`    ${node.get(t.id)}["${[t.id, t.title, facts, t.branch, t.worktree].map(mermaidText).join('<br/>')}"]`);
    }
    lines.push('  end');
  }

  const edges: { from: string; to: string; implied: boolean }[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, implied: boolean) => {
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, implied });
  };
  for (const t of plan.tasks) for (const dep of t.dependsOn) if (byId.has(dep)) add(dep, t.id, false);
  for (const [id, needs] of taskNeeds(plan)) for (const dep of needs) add(dep, id, true);
  const path = plan.criticalPath.tasks;
  const onPath = new Set<string>();
  for (let k = 1; k < path.length; k++) {
    const [a, b] = [path[k - 1]!, path[k]!];
    // A step with no arrow yet is the implicit foundation rule; any other gap is a done task left out of the path.
    if (!seen.has(`${a}\u0000${b}`) && byId.get(a)?.phase === 'foundation') add(a, b, true);
    onPath.add(`${a}\u0000${b}`);
  }

  const highlighted: number[] = [];
  edges.forEach((e, i) => {
    lines.push(`  ${node.get(e.from)} ${e.implied ? '-.->' : '-->'} ${node.get(e.to)}`);
    if (onPath.has(`${e.from}\u0000${e.to}`)) highlighted.push(i);
  });

  lines.push(`  classDef critical stroke:${CRITICAL},stroke-width:3px`, '  classDef done fill:#eeeeee,color:#6e7781,stroke-dasharray:4 3');
  if (path.length > 0) lines.push(`  class ${path.map((id) => node.get(id)).join(',')} critical`);
  const done = plan.tasks.filter((t) => t.status === 'done');
  if (done.length > 0) lines.push(`  class ${done.map((t) => node.get(t.id)).join(',')} done`);
  if (highlighted.length > 0) lines.push(`  linkStyle ${highlighted.join(',')} stroke:${CRITICAL},stroke-width:3px`);
  return `${lines.join('\n')}\n`;
}
