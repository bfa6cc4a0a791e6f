import type { RunPlan } from '../plan/types.js';
import type { Layout, Point } from './layout.js';
import { ID_FONT_PX, NODE_HEIGHT, TITLE_FONT_PX } from './metrics.js';

/** Text for an HTML or SVG text node or a quoted attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A status as the page may show it: one of the known words, or a word the page treats as unknown. */
export function safeStatus(status: unknown): string {
  return typeof status === 'string' && /^[a-z][a-z-]{0,31}$/.test(status) ? status : 'unknown';
}

const r = (n: number) => Math.round(n * 10) / 10;

/** Left to right through the route points, each step an S-curve that leaves and arrives horizontally. */
function pathOf(points: Point[]): string {
  const first = points[0]!;
  let d = `M${r(first.x)} ${r(first.y)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const mid = (a.x + b.x) / 2;
    d += a.y === b.y ? `L${r(b.x)} ${r(b.y)}` : `C${r(mid)} ${r(a.y)} ${r(mid)} ${r(b.y)} ${r(b.x)} ${r(b.y)}`;
  }
  return d;
}

/**
 * The plan's graph as one `<svg>` element (a large plan's starts zoomed out,
 * its labels hidden until the reader zooms in: laying out thousands of text
 * elements nobody can read yet was most of its first paint): phase bands, edges, then one
 * focusable `<g>` per task carrying the contract's `data-*` attributes.
 * Every text from the specs is escaped. `statusOf` gives each task's
 * `data-status`.
 */
export function renderGraphSvg(plan: RunPlan, layout: Layout, statusOf: (id: string) => string): string {
  const critical = new Set(plan.criticalPath.tasks);
  const out: string[] = [];
  out.push(
    `<svg id="graph" class="${layout.mode === 'grid' ? 'grid far' : layout.mode}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${r(layout.width)} ${r(layout.height)}" data-width="${r(layout.width)}" data-height="${r(layout.height)}" data-top="${layout.top}" role="group" aria-label="Task graph: ${plan.tasks.length} tasks">`,
    '<defs>',
    ...['arrow', 'arrow-critical', 'arrow-up', 'arrow-down'].map(
      (id) => `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto"><path d="M0 1L10 5L0 9z"/></marker>`,
    ),
    '</defs>',
    '<g id="scene">',
    '<g class="bands">',
  );
  for (const band of layout.bands) {
    out.push(`<rect class="band band-${band.phase}" x="${r(band.x)}" y="0" width="${r(band.width)}" height="${r(layout.height)}" rx="10"/>`);
    out.push(`<text class="band-label" x="${r(band.x + 12)}" y="22">${escapeXml(band.phase)}</text>`);
  }
  for (const column of layout.columns) out.push(`<text class="wave-label" x="${r(column.x)}" y="${r(layout.top - 12)}">${escapeXml(column.label)}</text>`);
  out.push('</g>', '<g class="edges">');
  for (const e of layout.edges) {
    const cls = `edge${e.implicit ? ' implicit' : ''}${e.critical ? ' critical' : ''}`;
    out.push(`<path class="${cls}" data-from="${escapeXml(e.from)}" data-to="${escapeXml(e.to)}" d="${pathOf(e.points)}"/>`);
  }
  out.push('</g>', '<g class="nodes">');
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  const h = NODE_HEIGHT;
  for (const n of layout.nodes) {
    const t = tasks.get(n.id)!;
    const status = safeStatus(statusOf(n.id));
    const id = escapeXml(n.id);
    const left = r(-n.width / 2 + 12);
    out.push(
      `<g class="node" tabindex="0" role="button" data-task-id="${id}" data-phase="${escapeXml(t.phase)}" data-critical="${critical.has(n.id)}" data-status="${status}" transform="translate(${r(n.x)} ${r(n.y)})" aria-label="${id}: ${escapeXml(t.title)}">`,
      `<title>${id}: ${escapeXml(t.title)}</title>`,
      `<rect class="box" x="${r(-n.width / 2)}" y="${-h / 2}" width="${n.width}" height="${h}" rx="7"/>`,
      `<text class="id" x="${left}" y="${-h / 2 + 8 + ID_FONT_PX}">${escapeXml(n.idLabel)}</text>`,
      `<text class="title" x="${left}" y="${-h / 2 + 12 + ID_FONT_PX + TITLE_FONT_PX}">${escapeXml(n.titleLabel)}</text>`,
      `<text class="meta" x="${left}" y="${h / 2 - 8}">${escapeXml(n.meta)}</text>`,
      `<text class="status" x="${r(n.width / 2 - 10)}" y="${h / 2 - 8}">${status}</text>`,
      '</g>',
    );
  }
  out.push('</g>', '</g>', '</svg>');
  return out.join('');
}
