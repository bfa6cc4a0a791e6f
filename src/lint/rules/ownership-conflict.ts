import { claimsOf, conflicts, type Claim } from '../../graph/ownership.js';
import { taskId } from '../interfaces.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'ownership-conflict',
  scope: 'project',
  summary: 'two tasks that may run concurrently own overlapping paths',
  help: 'Tasks that can run at the same time work on separate branches; if both may change the same file, their merge conflicts. Make their owns disjoint, or make one depend on the other.',
  check({ specs, graph, report }) {
    const g = graph();
    const { owns, ownsIndex } = claimsOf(g, specs.list);
    const seen = new Set<string>();
    const say = (me: Claim, other: Claim) => {
      const key = `${me.spec.file}\0${me.item.span.start}\0${other.task}`;
      if (seen.has(key)) return;
      seen.add(key);
      report({
        file: me.spec.file,
        at: me.item.span,
        message: `'${me.item.value}' overlaps '${other.item.value}' owned by '${taskId(other.spec)}' (${other.spec.file}), which may run at the same time; make the owns disjoint or add a dependency`,
      });
    };
    for (const [a, b] of conflicts(g, owns, ownsIndex, true)) {
      say(a, b);
      say(b, a);
    }
  },
});
