import { defineRule } from '../types.js';

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
        const text = path.map((i) => g.ids[i]).join(' → ');
        for (const spec of specs.byId.get(g.ids[m]!) ?? []) {
          const item = spec.dependsOn.find((d) => d.value === next);
          if (item) report({ file: spec.file, at: item.span, message: `dependency cycle: ${text}; remove one of these dependencies` });
        }
      }
    }
  },
});

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
