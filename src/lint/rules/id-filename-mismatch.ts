import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

export default defineRule({
  id: 'id-filename-mismatch',
  scope: 'file',
  summary: "`id` differs from the file's basename",
  help: 'A task with id X lives in X.md (in any subfolder), so that the id, the file, the branch and the worktree all carry the same name.',
  check({ spec, report }) {
    if (spec.id && spec.id.value !== spec.stem) {
      report({
        at: spec.id.span,
        message: `id '${excerpt(spec.id.value)}' differs from the file name '${spec.stem}.md'; rename the file to '${excerpt(spec.id.value)}.md' or set 'id: ${spec.stem}'`,
      });
    }
  },
});
