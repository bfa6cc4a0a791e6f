import type { Phase } from '../../spec/types.js';
import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

const RANK: Record<Phase, number> = { foundation: 0, parallel: 1, integration: 2 };

export default defineRule({
  id: 'phase-order',
  scope: 'project',
  summary: 'foundation depending on parallel/integration, or parallel depending on integration',
  help: 'Foundation tasks run first, then parallel tasks, then integration tasks. A task may depend only on tasks of its own phase or an earlier one.',
  check({ specs, report }) {
    for (const spec of specs.list) {
      if (!spec.parsed) continue;
      for (const dep of spec.dependsOn) {
        const target = specs.byId.get(dep.value)?.find((s) => s.parsed);
        if (!target || target === spec || RANK[target.phase] <= RANK[spec.phase]) continue;
        const allowed = spec.phase === 'foundation' ? 'foundation tasks' : 'foundation and parallel tasks';
        report({
          file: spec.file,
          at: dep.span,
          message: `${spec.phase} task '${excerpt(spec.id?.value ?? spec.stem)}' depends on ${target.phase} task '${excerpt(dep.value)}' (${target.file}); a ${spec.phase} task may only depend on ${allowed}`,
        });
      }
    }
  },
});
