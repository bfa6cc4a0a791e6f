import { defineRule } from '../types.js';

export default defineRule({
  id: 'no-integration',
  scope: 'project',
  summary: 'two or more parallel tasks and no integration task after them',
  help: 'Parallel tasks end on separate branches; an integration task that depends on them is where their work is reunited, checked together and finished.',
  check({ specs, graph, report }) {
    const parallel = specs.list.filter((s) => s.parsed && s.phase === 'parallel');
    if (parallel.length < 2) return;
    const g = graph();
    // Is some parallel task upstream of an integration task? Walk back from the integration tasks once.
    const seen = new Uint8Array(g.ids.length);
    const stack = g.ids.map((_, i) => i).filter((i) => g.phases[i] === 'integration' && g.specs[i]!.parsed);
    for (const i of stack) seen[i] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const u of g.deps[v]!) {
        if (g.phases[u] === 'parallel') return;
        if (!seen[u]) {
          seen[u] = 1;
          stack.push(u);
        }
      }
    }
    const first = parallel[0]!;
    const message = `${parallel.length} parallel tasks and no integration task after them; add an integration task that depends on them to merge their branches`;
    const project = specs.project.file;
    if (project) report({ file: project, at: { start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 }, message });
    else {
      const phase = first.fields.phase;
      report({ file: first.file, at: phase ? phase.valueSpan : first.fence, message });
    }
  },
});
