import { sameTitle, sections } from '../../spec/sections.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'section-missing',
  scope: 'file',
  summary: 'a required section is absent',
  help: 'Every spec needs the `##` sections that PROJECT.md lists in required_sections (default: Goal, Acceptance criteria); matching ignores case.',
  check({ parsed, project, report }) {
    if (parsed.scan.kind !== 'block') return;
    const root = parsed.mdast();
    const present = sections(root).map((s) => s.title);
    // Anchor on the first line of the body (usually the `# Title`), else on the closing fence.
    const first = root.children.find((n) => n.type !== 'yaml')?.position;
    const start = first ? first.start.offset! : Math.max(0, parsed.scan.block.end - 3);
    const end = first ? (first.end.line === first.start.line ? first.end.offset! : start) : parsed.scan.block.end;
    const at = parsed.lines.span(start, end);
    for (const required of project.requiredSections) {
      if (!present.some((t) => sameTitle(t, required))) {
        report({ at, message: `required section '## ${required}' is missing; add a '## ${required}' heading with its content` });
      }
    }
  },
});
