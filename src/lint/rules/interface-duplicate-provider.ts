import { defineRule } from '../types.js';
import { providers, taskId } from '../interfaces.js';
import { excerpt, listed } from '../../util/text.js';

export default defineRule({
  id: 'interface-duplicate-provider',
  scope: 'project',
  summary: 'two tasks provide the same name',
  help: 'One interface, one owner: when two tasks both build it, their agents build two different things under one name and the merge conflicts.',
  check({ specs, report }) {
    for (const [name, list] of providers(specs)) {
      if (list.length < 2) continue;
      for (const { spec, item } of list) {
        const others = list.filter((p) => p.spec !== spec).map((p) => `'${excerpt(taskId(p.spec))}' (${p.spec.file})`);
        if (others.length === 0) continue;
        report({ file: spec.file, at: item.span, message: `'${excerpt(name)}' is also provided by ${listed(others)}; one task should provide it` });
      }
    }
  },
});
