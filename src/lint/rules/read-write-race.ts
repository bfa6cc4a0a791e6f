import { claimsOf, conflicts, firstPerTask } from '../../graph/ownership.js';
import { excerpt } from '../../util/text.js';
import { taskId } from '../interfaces.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'read-write-race',
  scope: 'project',
  summary: 'a task reads a path that a concurrent task owns',
  help: 'A task that reads files another task is changing at the same time sees them half-done, or not at all. Depend on the owner, or read something stable.',
  check({ specs, graph, report }) {
    const g = graph();
    const { owns, reads, ownsIndex } = claimsOf(g, specs.list);
    if (reads.length === 0) return;
    for (const [reader, owners] of firstPerTask(conflicts(g, reads, owns, ownsIndex, false))) {
      for (const owner of owners.values()) {
        const id = taskId(owner.spec);
        report({
          file: reader.spec.file,
          at: reader.item.span,
          message: `reads '${excerpt(reader.item.value)}', which '${id}' (${owner.spec.file}) owns ('${excerpt(owner.item.value)}') and may change at the same time; depend on '${id}' or read something stable`,
        });
      }
    }
  },
});
