import { defineRule } from '../types.js';

export default defineRule({
  id: 'frontmatter-syntax',
  scope: 'file',
  summary: 'YAML that does not parse (at the error\'s line:column)',
  help: 'The frontmatter must be valid YAML 1.2: no tabs for indentation, no duplicate keys, closed quotes and brackets, and a closing --- line.',
  check({ parsed, report }) {
    if (parsed.scan.kind === 'unterminated') {
      report({ at: parsed.fence, message: "the frontmatter opened by '---' on line 1 is never closed; add a '---' line after the last key" });
    }
    for (const e of parsed.yamlErrors) report({ at: e.span, message: e.message });
  },
});
