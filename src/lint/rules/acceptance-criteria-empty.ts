import type { Nodes } from 'mdast';
import { sameTitle, sections } from '../../spec/sections.js';
import { defineRule } from '../types.js';

function hasListItem(node: Nodes): boolean {
  if (node.type === 'listItem') return true;
  return 'children' in node && (node.children as Nodes[]).some(hasListItem);
}

export default defineRule({
  id: 'acceptance-criteria-empty',
  scope: 'file',
  summary: '`Acceptance criteria` has no list item',
  help: 'The acceptance criteria are how an agent (and you) know the task is done: give them as a list, ideally a checklist (- [ ] ...), one checkable statement per item.',
  check({ parsed, report }) {
    if (parsed.scan.kind !== 'block') return;
    for (const section of sections(parsed.mdast())) {
      if (sameTitle(section.title, 'Acceptance criteria') && !section.nodes.some(hasListItem)) {
        const pos = section.heading.position!;
        report({
          at: parsed.lines.span(pos.start.offset!, pos.end.offset!),
          message: "'## Acceptance criteria' has no list item; write each criterion as a list item such as '- [ ] POST /login returns a token'",
        });
      }
    }
  },
});
