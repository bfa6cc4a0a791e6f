// The picture without a browser: where boxes and edges go, and that every
// value from the specs leaves as text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatPlanHtml } from '../../src/plan/format/html.js';
import type { PlanTask, RunPlan } from '../../src/plan/types.js';
import { fit, LAYERED_MAX, layoutPlan, textWidth, type Layout } from '../../src/ui/layout.js';
import { ROOT } from '../helpers.js';

const shop = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'plan', 'shop', 'plan.json'), 'utf8')) as RunPlan;

/** A plan of `n` tasks: a foundation chain, parallel waves with a few dependencies each, one integration task. */
function synthetic(n: number, foundation = 8): RunPlan {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const tasks: PlanTask[] = [];
  const task = (id: string, phase: PlanTask['phase'], wave: number, dependsOn: string[]): PlanTask => ({
    id, title: `Task ${id} with a title of some length`, phase, dependsOn, status: 'ready', estimateMinutes: 60, wave,
    branch: `specdag/${id}`, worktree: `../x.worktrees/${id}`, file: `specs/${id}.md`, owns: [], provides: [], consumes: [],
  });
  for (let i = 0; i < foundation; i++) tasks.push(task(`f${i}`, 'foundation', i, i > 0 && i % 3 === 0 ? [`f${i - 1}`, `f${i - 3}`] : i > 0 ? [`f${i - 1}`] : []));
  const parallel: PlanTask[] = [];
  for (let i = 0; i < n - foundation - 1; i++) {
    const deps = parallel.length > 0 && rand() < 0.8 ? [...new Set([parallel[Math.floor(rand() * parallel.length)]!, parallel[Math.floor(rand() * parallel.length)]!])] : [];
    const wave = Math.max(foundation, ...deps.map((d) => d.wave + 1));
    parallel.push(task(`p${i}`, 'parallel', wave, deps.map((d) => d.id).sort()));
  }
  tasks.push(...parallel);
  const last = Math.max(...parallel.map((t) => t.wave));
  const sinks = parallel.filter((t) => !parallel.some((u) => u.dependsOn.includes(t.id))).map((t) => t.id);
  tasks.push(task('end', 'integration', last + 1, sinks.sort()));
  tasks.sort((a, b) => a.wave - b.wave || a.id.localeCompare(b.id));
  return {
    ...shop,
    tasks,
    waves: [],
    criticalPath: { tasks: ['f0', 'f1', ...(parallel[0] ? [parallel[0].id] : []), 'end'], minutes: 240 },
  };
}

function checkShape(plan: RunPlan, layout: Layout): void {
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  assert.equal(layout.nodes.length, plan.tasks.length);
  // No two boxes overlap, and every box is inside the picture.
  const boxes = [...layout.nodes].sort((a, b) => a.x - a.width / 2 - (b.x - b.width / 2));
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    assert.ok(a.x - a.width / 2 >= 0 && a.x + a.width / 2 <= layout.width && a.y - a.height / 2 >= layout.top && a.y + a.height / 2 <= layout.height, `${a.id} inside`);
    for (let j = i + 1; j < boxes.length && boxes[j]!.x - boxes[j]!.width / 2 < a.x + a.width / 2; j++) {
      const b = boxes[j]!;
      assert.ok(Math.abs(a.y - b.y) >= (a.height + b.height) / 2, `${a.id} and ${b.id} overlap`);
    }
  }
  // Each phase is one band, in order, and holds its tasks.
  assert.deepEqual(layout.bands.map((b) => b.phase), ['foundation', 'parallel', 'integration'].filter((p) => plan.tasks.some((t) => t.phase === p)));
  for (let i = 1; i < layout.bands.length; i++) assert.ok(layout.bands[i - 1]!.x + layout.bands[i - 1]!.width <= layout.bands[i]!.x, 'bands do not overlap');
  for (const t of plan.tasks) {
    const band = layout.bands.find((b) => b.phase === t.phase)!;
    const n = byId.get(t.id)!;
    assert.ok(n.x - n.width / 2 >= band.x && n.x + n.width / 2 <= band.x + band.width, `${t.id} in the ${t.phase} band`);
  }
  // An edge per depends_on, from its task's box to the dependent's, never backwards.
  const drawn = new Set(layout.edges.filter((e) => !e.implicit).map((e) => `${e.from}>${e.to}`));
  assert.deepEqual(drawn, new Set(plan.tasks.flatMap((t) => t.dependsOn.map((d) => `${d}>${t.id}`))));
  for (const e of layout.edges) {
    const a = byId.get(e.from)!;
    const b = byId.get(e.to)!;
    const start = e.points[0]!;
    const end = e.points[e.points.length - 1]!;
    assert.ok(Math.abs(start.y - a.y) <= a.height / 2 + 0.5 && Math.abs(end.y - b.y) <= b.height / 2 + 1, `${e.from} → ${e.to} touches both boxes`);
    if (a.x === b.x) assert.ok(a.y < b.y, `${e.from} → ${e.to}, stacked, goes down`);
    else assert.ok(a.x < b.x, `${e.from} → ${e.to} goes right`);
  }
}

test('the shop plan: dagre, one column per wave, edges left to right between the boxes, same numbers every time', () => {
  const layout = layoutPlan(shop);
  assert.equal(layout.mode, 'layered');
  checkShape(shop, layout);
  assert.deepEqual(layoutPlan(shop), layout);
  assert.deepEqual(layout.columns.map((c) => c.label), ['wave 0', 'wave 1', 'wave 2', 'wave 3']);
  const x = (id: string) => layout.nodes.find((n) => n.id === id)!.x;
  assert.ok(x('db-schema') < x('auth-api') && x('auth-api') === x('catalog') && x('catalog') < x('cart') && x('cart') < x('integrate'));
  const critical = layout.edges.filter((e) => e.critical).map((e) => `${e.from}>${e.to}`);
  assert.deepEqual(critical.sort(), ['auth-api>integrate', 'db-schema>auth-api']);
});

test(`above ${LAYERED_MAX} tasks: the grid wraps the waves, foundation tasks stacked, still left to right`, () => {
  const plan = synthetic(600);
  const layout = layoutPlan(plan);
  assert.equal(layout.mode, 'grid');
  checkShape(plan, layout);
  assert.ok(layout.width > layout.height && layout.width < 4 * layout.height, `about as wide as a screen: ${Math.round(layout.width)} × ${Math.round(layout.height)}`);
  const foundationX = new Set(layout.nodes.filter((n) => n.id.startsWith('f')).map((n) => n.x));
  assert.equal(foundationX.size, 1, 'eight foundation tasks, one column');
  assert.deepEqual(layoutPlan(plan), layout);
  assert.equal(layoutPlan(synthetic(LAYERED_MAX)).mode, 'layered');
});

test('labels are cut to fit their box, with an ellipsis', () => {
  assert.equal(fit('short', 100, 12), 'short');
  const cut = fit('a title much too long for the box it has to sit in', 120, 12);
  assert.match(cut, /…$/);
  assert.ok(textWidth(cut, 12) <= 120);
  assert.equal(fit('x'.repeat(64), 60, 13, true), `${'x'.repeat(6)}…`);
});

test('plan --format html: every value from the specs leaves as text, never as markup', () => {
  const hostile = '</script><script>alert(1)</script><!-- " \' & <svg onload=alert(2)>';
  const plan: RunPlan = { ...shop, project: hostile, tasks: shop.tasks.map((t, i) => (i === 1 ? { ...t, title: hostile, owns: [hostile] } : t)) };
  const html = formatPlanHtml(plan, Object.fromEntries(plan.tasks.map((t) => [t.id, `---\nid: ${t.id}\n---\n${hostile}\n`])));
  // The page's own three scripts (data, code, specs) and nothing else.
  assert.equal((html.match(/<script/g) ?? []).length, 3);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 3);
  assert.doesNotMatch(html, /<svg onload/);
  assert.doesNotMatch(html, /<!-- "/);
  assert.match(html, /&lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  // A meta CSP names the page's own script and style, nothing else.
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
  assert.match(csp, /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; img-src data:;/);
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, 'nothing from another host');
});
