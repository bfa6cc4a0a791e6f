import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

export default defineRule({
  id: 'self-dependency',
  scope: 'project',
  summary: 'a task depends on itself',
  help: 'A task that waits for itself can never start. Remove its own id from depends_on.',
  check({ specs, report }) {
    for (const spec of specs.list) {
      const id = spec.id?.value;
      if (id === undefined) continue;
      for (const dep of spec.dependsOn) {
        if (dep.value === id) report({ file: spec.file, at: dep.span, message: `'${excerpt(id)}' depends on itself; remove it from depends_on` });
      }
    }
  },
});
