import { defineRule } from '../types.js';

export default defineRule({
  id: 'redundant-dependency',
  scope: 'project',
  summary: 'a dependency already implied through another one (fixable)',
  help: 'If a depends on b and b depends on c, a listing c too adds nothing to the schedule and goes stale when b changes. `specdag lint --fix` removes it.',
  check({ specs, graph, report }) {
    const g = graph();
    for (const spec of specs.list) {
      if (!spec.parsed || spec.dependsOn.length < 2) continue;
      const t = g.index.get(spec.id?.value ?? spec.stem);
      if (t === undefined || g.inCycle[t] !== -1) continue;
      const direct = new Map<number, string>();
      for (const dep of spec.dependsOn) {
        const j = g.index.get(dep.value);
        if (j !== undefined && j !== t && g.inCycle[j] === -1) direct.set(j, dep.value);
      }
      if (direct.size < 2) continue;
      // Tasks ranked before every direct dependency cannot lead to one (ranks hold behind a cycle too).
      let floor = Infinity;
      for (const j of direct.keys()) floor = Math.min(floor, g.rank[j]!);
      const implied = new Map<number, number[]>();
      for (const via of [...direct.keys()].sort((a, b) => a - b)) {
        // Walk up from `via`; tasks ranked before every direct dependency cannot be one of them.
        const parent = new Map<number, number>([[via, -1]]);
        const stack = [via];
        while (stack.length > 0) {
          const v = stack.pop()!;
          for (const u of g.deps[v]!) {
            if (parent.has(u) || g.rank[u]! < floor) continue;
            parent.set(u, v);
            if (direct.has(u) && !implied.has(u)) {
              const path: number[] = [];
              for (let w = u; w !== -1; w = parent.get(w)!) path.push(w);
              implied.set(u, path.reverse());
            }
            stack.push(u);
          }
        }
      }
      for (const dep of spec.dependsOn) {
        const j = g.index.get(dep.value);
        const path = j === undefined ? undefined : implied.get(j);
        if (!path) continue;
        report({
          file: spec.file,
          at: dep.span,
          message: `'${dep.value}' is already implied through '${g.ids[path[0]!]}' (${chain(path.map((i) => g.ids[i]!))}); remove it from depends_on`,
          fix: { kind: 'remove-item', key: 'depends_on', value: dep.value, start: dep.span.start, end: dep.span.end },
        });
        implied.delete(j!);
      }
    }
  },
});

/** A path as `a → b → c`; a long one keeps its ends (a 2,000-task chain must not make a 20 KB message). */
function chain(ids: string[]): string {
  if (ids.length <= 8) return ids.join(' → ');
  return [...ids.slice(0, 4), `… ${ids.length - 7} more`, ...ids.slice(-3)].join(' → ');
}
