import { defineRule } from '../types.js';
import { excerpt, listed } from '../../util/text.js';

export default defineRule({
  id: 'duplicate-id',
  scope: 'project',
  summary: 'two specs with the same id (on each)',
  help: 'Ids name branches and worktrees, so each must be unique in the folder, subfolders included.',
  check({ specs, report }) {
    for (const [id, group] of specs.byId) {
      const declared = group.filter((s) => s.id);
      if (declared.length < 2) continue;
      for (const spec of declared) {
        const others = declared.filter((o) => o !== spec).map((o) => o.file);
        report({ file: spec.file, at: spec.id!.span, message: `id '${excerpt(id)}' is also used by ${listed(others)}; every task needs its own id` });
      }
    }
  },
});
