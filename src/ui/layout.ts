import { formatMinutes } from '../plan/estimate.js';
import type { Phase } from '../spec/types.js';
import type { RunPlan } from '../plan/types.js';
import { placeGrid } from './grid.js';
import { placeLayered } from './layered.js';
import { ID_FONT_PX, NODE_HEIGHT, TITLE_FONT_PX, TOP } from './metrics.js';

export interface Point {
  x: number;
  y: number;
}

export interface LayoutNode {
  id: string;
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The lines drawn in the box, already cut to fit its width. */
  idLabel: string;
  titleLabel: string;
  meta: string;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** From the right side of `from` to the left side of `to`, through the columns between. */
  points: Point[];
  /** An order the plan adds (foundation tasks one after another), not a `depends_on`. */
  implicit: boolean;
  critical: boolean;
}

export interface Band {
  phase: Phase;
  x: number;
  width: number;
}

/** A column of the picture (or a group of them): what the ruler above it says. */
export interface Column {
  label: string;
  /** Centre and width of the column or group. */
  x: number;
  width: number;
}

export interface Layout {
  /** `layered`: dagre, one column per wave. `grid`: large plans, tall waves wrapped into several columns. */
  mode: 'layered' | 'grid';
  width: number;
  height: number;
  /** Where the nodes start: room above them for the band and wave labels. */
  top: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  bands: Band[];
  columns: Column[];
}

const MIN_WIDTH = 190;
const MAX_WIDTH = 290;
const PADDING_X = 12;
/** Up to this many tasks dagre lays the plan out; above, the grid (see layoutPlan). */
export const LAYERED_MAX = 200;

/**
 * How wide a text is likely to be, without a browser to measure it. The
 * widths are a little generous for DejaVu Sans and the system sans-serif
 * fonts (a label cut one character early reads better than one that spills
 * out of its box); `mono` is exact for monospace fonts (0.6 em).
 */
export function textWidth(text: string, px: number, mono = false): number {
  if (mono) return text.length * 0.6 * px;
  let em = 0;
  for (const ch of text) {
    if ('iljt.,:;|!\'"`()[]{} frI1'.includes(ch)) em += 0.36;
    else if ('mwMW@%<>=+~&#'.includes(ch)) em += 0.92;
    else if (ch >= 'A' && ch <= 'Z') em += 0.72;
    else if (ch.charCodeAt(0) > 0x2e80) em += 1;
    else em += 0.6;
  }
  return em * px;
}

/** The text cut with an ellipsis to fit `max` pixels. */
export function fit(text: string, max: number, px: number, mono = false): string {
  if (textWidth(text, px, mono) <= max) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (textWidth(chars.slice(0, mid).join('') + '…', px, mono) <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('').trimEnd()}…`;
}

/** One box per task, as wide as its id and title need (within limits), labels cut to fit. */
function sizeNodes(plan: RunPlan): LayoutNode[] {
  const critical = new Set(plan.criticalPath.tasks);
  return plan.tasks.map((t) => {
    // Phase and wave are the band and the column; the box says what they do not.
    const meta = `${formatMinutes(t.estimateMinutes)}${critical.has(t.id) ? ' · critical' : ''}`;
    const want = Math.max(textWidth(t.id, ID_FONT_PX, true), textWidth(t.title, TITLE_FONT_PX)) + 2 * PADDING_X;
    const width = Math.ceil(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, want)));
    const inner = width - 2 * PADDING_X;
    return {
      id: t.id,
      x: 0,
      y: 0,
      width,
      height: NODE_HEIGHT,
      idLabel: fit(t.id, inner, ID_FONT_PX, true),
      titleLabel: fit(t.title, inner, TITLE_FONT_PX),
      meta,
    };
  });
}

/**
 * The edges drawn: every `depends_on`, then the order the plan adds where no
 * `depends_on` says it already (foundation tasks one after another, and the
 * critical path's steps that only that rule makes, such as last foundation
 * task → first parallel task).
 */
function edgesOf(plan: RunPlan): LayoutEdge[] {
  const wave = new Map(plan.tasks.map((t) => [t.id, t.wave]));
  const path = plan.criticalPath.tasks;
  const criticalPairs = new Set(path.slice(1).map((id, i) => `${path[i]!}\u0000${id}`));
  const edges: LayoutEdge[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, implicit: boolean) => {
    const key = `${from}\u0000${to}`;
    if (seen.has(key) || !wave.has(from) || !wave.has(to) || wave.get(from)! >= wave.get(to)!) return;
    seen.add(key);
    edges.push({ from, to, points: [], implicit, critical: criticalPairs.has(key) });
  };
  for (const t of plan.tasks) for (const dep of t.dependsOn) add(dep, t.id, false);
  const foundation = plan.tasks.filter((t) => t.phase === 'foundation').sort((a, b) => a.wave - b.wave);
  for (let i = 1; i < foundation.length; i++) add(foundation[i - 1]!.id, foundation[i]!.id, true);
  for (let i = 1; i < path.length; i++) add(path[i - 1]!, path[i]!, true);
  return edges;
}

/**
 * The points of every edge: it leaves the right side of its box and arrives
 * on the left side of the next, each spread along the side in the order of
 * where it goes or comes from, so arrowheads never pile up. `routes[i]` are
 * the points in between (dagre's bends); `fixed[i]`, when set, is the whole
 * path (an edge the grid draws its own way).
 */
function routeEdges(nodes: LayoutNode[], edges: LayoutEdge[], routes: Point[][], fixed: (Point[] | undefined)[]): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const outOf = new Map<string, number[]>();
  const into = new Map<string, number[]>();
  edges.forEach((e, i) => {
    if (fixed[i]) return;
    (outOf.get(e.from) ?? outOf.set(e.from, []).get(e.from)!).push(i);
    (into.get(e.to) ?? into.set(e.to, []).get(e.to)!).push(i);
  });
  const start: number[] = [];
  const end: number[] = [];
  const spread = (node: LayoutNode, list: number[], towards: (i: number) => number, slot: number[]) => {
    list.sort((i, j) => towards(i) - towards(j) || i - j);
    const step = list.length > 1 ? Math.min(9, (node.height - 16) / (list.length - 1)) : 0;
    list.forEach((i, k) => (slot[i] = node.y + (k - (list.length - 1) / 2) * step));
  };
  for (const [id, list] of outOf) spread(byId.get(id)!, list, (i) => (routes[i]![0] ?? byId.get(edges[i]!.to)!).y, start);
  for (const [id, list] of into) spread(byId.get(id)!, list, (i) => (routes[i]![routes[i]!.length - 1] ?? byId.get(edges[i]!.from)!).y, end);
  edges.forEach((e, i) => {
    const own = fixed[i];
    if (own) {
      e.points = own;
      return;
    }
    const a = byId.get(e.from)!;
    const b = byId.get(e.to)!;
    e.points = [{ x: a.x + a.width / 2, y: start[i]! }, ...routes[i]!, { x: b.x - b.width / 2 - 1, y: end[i]! }];
  });
}

/** One band per phase, around its boxes: the placements keep the phases in separate columns. */
function bandsOf(plan: RunPlan, nodes: LayoutNode[]): Band[] {
  const extent = new Map<Phase, { min: number; max: number }>();
  plan.tasks.forEach((t, i) => {
    const n = nodes[i]!;
    const e = extent.get(t.phase) ?? { min: Infinity, max: -Infinity };
    e.min = Math.min(e.min, n.x - n.width / 2);
    e.max = Math.max(e.max, n.x + n.width / 2);
    extent.set(t.phase, e);
  });
  return (['foundation', 'parallel', 'integration'] as const)
    .filter((phase) => extent.has(phase))
    .map((phase) => ({ phase, x: extent.get(phase)!.min - 20, width: extent.get(phase)!.max - extent.get(phase)!.min + 40 }));
}

/**
 * RunPlan → where every task box, edge, phase band and column label goes,
 * left to right by wave. Pure and deterministic: the same plan gives the
 * same numbers.
 *
 * Up to LAYERED_MAX tasks, dagre lays it out (one column per wave, edges
 * routed between the boxes). Larger plans have waves of hundreds of tasks:
 * one column each made a 1,000-task plan 14,600 × 38,500 px, a strip no
 * screen shows, and took dagre 1 to 3 s; the grid wraps each wave into
 * columns of a few dozen tasks, ordered so that related tasks stay together,
 * and draws edges as direct curves (under the boxes; tracing a task shows
 * its own).
 */
export function layoutPlan(plan: RunPlan): Layout {
  const nodes = sizeNodes(plan);
  const edges = edgesOf(plan);
  const mode = plan.tasks.length <= LAYERED_MAX ? 'layered' : 'grid';
  const placed = mode === 'layered' ? placeLayered(plan, nodes, edges) : placeGrid(plan, nodes, edges);
  routeEdges(nodes, edges, placed.routes, placed.fixed);
  return { mode, width: placed.width, height: placed.height, top: TOP, nodes, edges, bands: bandsOf(plan, nodes), columns: placed.columns };
}

/** What a placement gives back: boxes are placed in their LayoutNode (x, y). */
export interface Placement {
  width: number;
  height: number;
  columns: Column[];
  /** Per edge: the bend points between its two boxes. */
  routes: Point[][];
  /** Per edge: its whole path when the placement draws it itself. */
  fixed: (Point[] | undefined)[];
}
