import { layoutPlan } from '../../ui/layout.js';
import { renderPage } from '../../ui/page.js';
import type { RunPlan } from '../types.js';

/**
 * `plan --format html`: one self-contained page (no file from another host)
 * with the graph laid out here and drawn as inline SVG, every task's spec
 * text inside it. `specs` maps task ids to their spec files' text.
 */
export function formatPlanHtml(plan: RunPlan, specs: Record<string, string>): string {
  const planned = new Map(plan.tasks.map((t) => [t.id, t.status === 'done' ? 'done' : 'planned']));
  return renderPage({ plan, layout: layoutPlan(plan), mode: 'static', statusOf: (id) => planned.get(id) ?? 'planned', specs }).html;
}
