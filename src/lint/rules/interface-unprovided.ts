import { Suggester } from '../../util/closest.js';
import { excerpt } from '../../util/text.js';
import { defineRule } from '../types.js';
import { providers } from '../interfaces.js';

export default defineRule({
  id: 'interface-unprovided',
  scope: 'project',
  summary: '`consumes` a name that no task provides',
  help: 'Every interface a task consumes must be provided by some task (list it under that task\'s provides), or the consuming agent will look for something nobody builds.',
  check({ specs, report }) {
    const provided = providers(specs);
    // Built on the first unprovided name; each distinct name is looked up once (see Suggester).
    let names: Suggester | undefined;
    for (const spec of specs.list) {
      for (const item of spec.consumes) {
        if (provided.has(item.value)) continue;
        const hint = (names ??= new Suggester(provided.keys())).hint(item.value);
        report({ file: spec.file, at: item.span, message: `consumes '${excerpt(item.value)}', which no task provides; list it under the provides of the task that builds it${hint}` });
      }
    }
  },
});
