import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

export default defineRule({
  id: 'dependency-cycle',
  scope: 'project',
  summary: 'a cycle, reported on every member with the whole path `a → b → c → a`',
  help: 'Tasks on a dependency cycle wait for each other and can never start. Break the cycle by removing one of the dependencies on the path (arrows read "depends on").',
  check({ specs, graph, report }) {
    const g = graph();
    for (const cycle of g.cycles) {
      const members = new Set(cycle);
      for (const m of cycle) {
        const path = shortestCycle(g.deps, members, m);
        if (!path) continue;
        const next = g.ids[path[1]!]!;
        const text = cycleText(path.map((i) => excerpt(g.ids[i]!)));
        for (const spec of specs.byId.get(g.ids[m]!) ?? []) {
          const item = spec.dependsOn.find((d) => d.value === next);
          if (item) report({ file: spec.file, at: item.span, message: `dependency cycle: ${text}; remove one of these dependencies` });
        }
      }
    }
  },
});

/** Longer cycles are shown by their ends: every member is reported with its own path, so the output grows with the square of the length. */
export const MAX_CYCLE_SHOWN = 2_000;

/** The path as `a → b → c → a`. */
function cycleText(ids: string[]): string {
  if (ids.length <= MAX_CYCLE_SHOWN + 1) return ids.join(' → ');
  return [...ids.slice(0, 10), `… (${(ids.length - 20).toLocaleString('en-US')} more)`, ...ids.slice(-10)].join(' → ');
}

/** The shortest path start → … → start along "depends on" edges inside one component (breadth-first, ties by id order). */
function shortestCycle(deps: number[][], members: Set<number>, start: number): number[] | undefined {
  const parent = new Map<number, number>();
  let frontier = [start];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const v of frontier) {
      for (const u of deps[v]!) {
        if (!members.has(u)) continue;
        if (u === start) {
          const path = [start];
          for (let w = v; w !== start; w = parent.get(w)!) path.push(w);
          path.push(start);
          return [start, ...path.slice(1, -1).reverse(), start];
        }
        if (parent.has(u)) continue;
        parent.set(u, v);
        next.push(u);
      }
    }
    frontier = next;
  }
  return undefined;
}
