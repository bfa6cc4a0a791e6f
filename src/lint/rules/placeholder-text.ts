import { findPlaceholders } from '../../spec/placeholders.js';
import { excerpt } from '../../util/text.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'placeholder-text',
  scope: 'file',
  summary: 'a section still holding template text: `TODO`, `TBD`, `FIXME` or `???` as words outside code, or the placeholder text that `specdag new` and `init` write (version 2)',
  help: 'An agent takes a spec literally: a TODO or a scaffolded sentence left in it is work nobody specified. Write what the section needs. A marker that belongs in the text (a TODO an agent must grep for, say) goes in a code span: `TODO`.',
  check({ parsed, report }) {
    if (parsed.scan.kind !== 'block' || parsed.bodyProblem) return;
    for (const hit of findPlaceholders(parsed)) {
      report({
        at: parsed.lines.span(hit.start, hit.end),
        message:
          hit.kind === 'word'
            ? `'${excerpt(hit.text)}' marks unfinished text; write what it stands for (a marker meant as text goes in a code span)`
            : `'${hit.text}' is placeholder text from 'specdag new'; write this task's own`,
      });
    }
  },
});
