import { Suggester } from '../../util/closest.js';
import { excerpt } from '../../util/text.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'unknown-dependency',
  scope: 'project',
  summary: '`depends_on` names no spec (at the list item; suggest the closest id)',
  help: 'Every id in depends_on must be the id of a spec in the folder. A typo here would let a task start before the work it needs exists.',
  check({ specs, report }) {
    // Built on the first unknown name; each distinct name is looked up once (see Suggester).
    let ids: Suggester | undefined;
    for (const spec of specs.list) {
      for (const dep of spec.dependsOn) {
        if (specs.byId.has(dep.value)) continue;
        const lower = dep.value.toLowerCase();
        const hint = lower !== dep.value && specs.byId.has(lower) ? `; did you mean '${lower}'?` : (ids ??= new Suggester(specs.byId.keys())).hint(dep.value);
        report({ file: spec.file, at: dep.span, message: `depends_on names '${excerpt(dep.value)}', which no spec has${hint}` });
      }
    }
  },
});
