import { defineRule } from '../types.js';
import { providers, taskId } from '../interfaces.js';
import { excerpt } from '../../util/text.js';

export default defineRule({
  id: 'interface-not-upstream',
  scope: 'project',
  summary: '`consumes` a name provided only by a task that does not come before it',
  help: 'A consumed interface must exist when the task starts: its provider has to come before the task (a dependency, or a foundation task). Add the provider to depends_on.',
  check({ specs, graph, report }) {
    const provided = providers(specs);
    for (const spec of specs.list) {
      if (spec.consumes.length === 0) continue;
      const g = graph();
      const me = g.index.get(taskId(spec));
      if (me === undefined) continue;
      for (const item of spec.consumes) {
        const list = provided.get(item.value)?.filter((p) => p.spec !== spec);
        if (!list || list.length === 0) continue;
        const upstream = list.some((p) => {
          const i = g.index.get(taskId(p.spec));
          return i !== undefined && g.reaches(i, me);
        });
        if (upstream) continue;
        const first = list[0]!.spec;
        report({
          file: spec.file,
          at: item.span,
          message: `consumes '${excerpt(item.value)}', provided by '${excerpt(taskId(first))}' (${first.file}), which does not come before this task; add '${excerpt(taskId(first))}' to depends_on`,
        });
      }
    }
  },
});
