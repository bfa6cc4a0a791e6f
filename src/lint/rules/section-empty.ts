import type { RootContent } from 'mdast';
import { sections } from '../../spec/sections.js';
import { defineRule } from '../types.js';

/** HTML comments and headings alone say nothing to an agent. */
function says(node: RootContent): boolean {
  if (node.type === 'heading') return false;
  if (node.type === 'html') return !/^\s*<!--[\s\S]*-->\s*$/.test(node.value);
  return true;
}

export default defineRule({
  id: 'section-empty',
  scope: 'file',
  summary: 'a section heading with nothing under it',
  help: 'An empty section tells the agent nothing; write its content or remove the heading.',
  check({ parsed, report }) {
    if (parsed.scan.kind !== 'block') return;
    for (const section of sections(parsed.mdast())) {
      if (!section.nodes.some(says)) {
        const pos = section.heading.position!;
        report({ at: parsed.lines.span(pos.start.offset!, pos.end.offset!), message: `section '## ${section.title}' is empty; write its content or remove the heading` });
      }
    }
  },
});
