import { sameTitle } from '../../spec/body.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'acceptance-criteria-empty',
  scope: 'file',
  summary: '`Acceptance criteria` has no list item',
  help: 'The acceptance criteria are how an agent (and you) know the task is done: give them as a list, ideally a checklist (- [ ] ...), one checkable statement per item.',
  check({ parsed, report }) {
    if (parsed.scan.kind !== 'block') return;
    for (const section of parsed.body().sections) {
      if (sameTitle(section.title, 'Acceptance criteria') && !section.hasListItem) {
        report({
          at: parsed.lines.span(section.start, section.end),
          message: "'## Acceptance criteria' has no list item; write each criterion as a list item such as '- [ ] POST /login returns a token'",
        });
      }
    }
  },
});
