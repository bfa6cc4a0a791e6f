import { defineRule } from '../types.js';

export default defineRule({
  id: 'frontmatter-missing',
  scope: 'file',
  summary: 'a spec with no frontmatter block',
  help: "Every task spec starts, on its very first line, with a YAML frontmatter block between two '---' lines that holds at least `id` and `title`.",
  check({ parsed, spec, report }) {
    const scan = parsed.scan;
    if (scan.kind === 'missing') {
      report({
        at: parsed.fence,
        message: `no frontmatter: a spec must start with a '---' line, then at least 'id: ${spec.stem}' and 'title: ...', then a closing '---' line`,
      });
    } else if (scan.kind === 'misplaced') {
      const at = parsed.lines.span(scan.fenceStart, scan.fenceStart + 3);
      report({ at, message: `no frontmatter: the '---' block on line ${at.line} must start on line 1, with nothing before it` });
    }
  },
});
