import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

export default defineRule({
  id: 'section-empty',
  scope: 'file',
  summary: 'a section heading with nothing under it',
  help: 'An empty section tells the agent nothing; write its content or remove the heading.',
  check({ parsed, report }) {
    if (parsed.scan.kind !== 'block') return;
    for (const section of parsed.body().sections) {
      if (!section.says) {
        report({ at: parsed.lines.span(section.start, section.end), message: `section '## ${excerpt(section.title)}' is empty; write its content or remove the heading` });
      }
    }
  },
});
