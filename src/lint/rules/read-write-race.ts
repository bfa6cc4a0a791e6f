import { claimsOf, conflicts } from '../../graph/ownership.js';
import { taskId } from '../interfaces.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'read-write-race',
  scope: 'project',
  summary: 'a task reads a path that a concurrent task owns',
  help: 'A task that reads files another task is changing at the same time sees them half-done, or not at all. Depend on the owner, or read something stable.',
  check({ specs, graph, report }) {
    const g = graph();
    const { reads, ownsIndex } = claimsOf(g, specs.list);
    if (reads.length === 0) return;
    const seen = new Set<string>();
    for (const [reader, owner] of conflicts(g, reads, ownsIndex, false)) {
      const key = `${reader.spec.file}\0${reader.item.span.start}\0${owner.task}`;
      if (seen.has(key)) continue;
      seen.add(key);
      report({
        file: reader.spec.file,
        at: reader.item.span,
        message: `reads '${reader.item.value}', which '${taskId(owner.spec)}' (${owner.spec.file}) owns ('${owner.item.value}') and may change at the same time; depend on '${taskId(owner.spec)}' or read something stable`,
      });
    }
  },
});
