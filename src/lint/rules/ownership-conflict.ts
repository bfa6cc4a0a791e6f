import { claimsOf, conflicts, firstPerTask, type Claim } from '../../graph/ownership.js';
import { excerpt } from '../../util/text.js';
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
    const pairs = conflicts(g, owns, owns, ownsIndex, true);
    const both = function* (): Generator<[Claim, Claim]> {
      for (const [a, b] of pairs) {
        yield [a, b];
        yield [b, a];
      }
    };
    for (const [me, others] of firstPerTask(both())) {
      for (const other of others.values()) {
        report({
          file: me.spec.file,
          at: me.item.span,
          message: `'${excerpt(me.item.value)}' overlaps '${excerpt(other.item.value)}' owned by '${taskId(other.spec)}' (${other.spec.file}), which may run at the same time; make the owns disjoint or add a dependency`,
        });
      }
    }
  },
});
