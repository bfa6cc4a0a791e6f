import type { RunPlan } from '../plan/types.js';
import type { Column, LayoutEdge, LayoutNode, Placement, Point } from './layout.js';
import { columnsOf } from './layered.js';
import { MARGIN, NODE_HEIGHT, TOP } from './metrics.js';
import { orderLayers } from './order.js';

const ROW = NODE_HEIGHT + 22;
const GAP_IN_WAVE = 30;
const GAP_BETWEEN_WAVES = 80;

/**
 * Large plans: every wave in order (foundation tasks one after another, then
 * each wave of parallel tasks, then integration), wrapped into columns of at
 * most `perColumn` boxes, about as many as make the whole picture a little
 * wider than high. Inside a wave the tasks are ordered so that a task sits
 * near what it depends on, and the wave is cut into columns in that order,
 * so related tasks share a column. Edges are direct curves from the right
 * side of one box to the left side of the next; two foundation tasks one
 * above the other are joined straight down, or by a bracket on the left
 * when tasks lie between them.
 */
export function placeGrid(plan: RunPlan, nodes: LayoutNode[], edges: LayoutEdge[]): Placement {
  const count = plan.tasks.length;
  const index = new Map(plan.tasks.map((t, i) => [t.id, i]));
  const column = columnsOf(plan);
  const layerOf = Int32Array.from(plan.tasks, (t) => column.get(t.id)!);
  const layerCount = layerOf.reduce((a, l) => Math.max(a, l + 1), 0);
  const preds: number[][] = plan.tasks.map(() => []);
  const succs: number[][] = plan.tasks.map(() => []);
  for (const e of edges) {
    succs[index.get(e.from)!]!.push(index.get(e.to)!);
    preds[index.get(e.to)!]!.push(index.get(e.from)!);
  }
  const layers = orderLayers(layerOf, preds, succs, layerCount, 12);
  const perColumn = Math.max(24, Math.ceil(Math.sqrt(count * 2.4)));

  // Columns, grouped: all foundation tasks in one group (one per wave, stacked), then one group per wave.
  const groups: { label: string; columns: number[][] }[] = [];
  const foundation = layers.filter((l) => l.length > 0 && plan.tasks[l[0]!]!.phase === 'foundation').map((l) => l[0]!);
  for (let i = 0; i < foundation.length; i += perColumn) {
    const part = foundation.slice(i, i + perColumn);
    const first = plan.tasks[part[0]!]!.wave;
    const last = plan.tasks[part[part.length - 1]!]!.wave;
    groups.push({ label: first === last ? `wave ${first}` : `waves ${first}–${last}`, columns: [part] });
  }
  for (const layer of layers) {
    if (layer.length === 0 || plan.tasks[layer[0]!]!.phase === 'foundation') continue;
    const parts = Math.ceil(layer.length / perColumn);
    const size = Math.ceil(layer.length / parts);
    const columns: number[][] = [];
    for (let i = 0; i < layer.length; i += size) columns.push(layer.slice(i, i + size));
    groups.push({ label: `wave ${plan.tasks[layer[0]!]!.wave}`, columns });
  }

  const where = new Int32Array(count);
  const row = new Int32Array(count);
  const left: number[] = [];
  const labels: Column[] = [];
  let x = MARGIN;
  let rows = 0;
  groups.forEach((group, g) => {
    if (g > 0) x += GAP_BETWEEN_WAVES - GAP_IN_WAVE;
    const start = x;
    for (const members of group.columns) {
      const width = Math.max(...members.map((v) => nodes[v]!.width));
      members.forEach((v, r) => {
        nodes[v]!.x = x + width / 2;
        nodes[v]!.y = TOP + MARGIN + r * ROW + NODE_HEIGHT / 2;
        where[v] = left.length;
        row[v] = r;
      });
      left.push(x);
      rows = Math.max(rows, members.length);
      x += width + GAP_IN_WAVE;
    }
    labels.push({ label: group.label, x: (start + x - GAP_IN_WAVE) / 2, width: x - GAP_IN_WAVE - start });
  });

  const fixed = edges.map((e): Point[] | undefined => {
    const a = index.get(e.from)!;
    const b = index.get(e.to)!;
    if (where[a] !== where[b]) return undefined;
    const from = nodes[a]!;
    const to = nodes[b]!;
    if (row[b] === row[a]! + 1) return [{ x: from.x, y: from.y + NODE_HEIGHT / 2 }, { x: to.x, y: to.y - NODE_HEIGHT / 2 - 1 }];
    const side = left[where[a]!]! - 10 - 4 * Math.min(row[b]! - row[a]!, 6);
    return [
      { x: from.x - from.width / 2, y: from.y },
      { x: side, y: from.y },
      { x: side, y: to.y },
      { x: to.x - to.width / 2 - 1, y: to.y },
    ];
  });
  return {
    width: x - GAP_IN_WAVE + MARGIN,
    height: TOP + 2 * MARGIN + rows * ROW - (ROW - NODE_HEIGHT),
    columns: labels,
    routes: edges.map(() => []),
    fixed,
  };
}
