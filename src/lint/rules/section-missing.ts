import { sameTitle } from '../../spec/body.js';
import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

export default defineRule({
  id: 'section-missing',
  scope: 'file',
  summary: 'a required section is absent',
  help: 'Every spec needs the `##` sections that PROJECT.md lists in required_sections (default: Goal, Acceptance criteria); matching ignores case.',
  check({ parsed, project, report }) {
    // A body past a limit is not read: file-unreadable says so, and nothing can be said about its sections.
    if (parsed.scan.kind !== 'block' || parsed.bodyProblem) return;
    const body = parsed.body();
    const present = body.sections.map((s) => s.title);
    // Anchor on the first line of the body (usually the `# Title`), else on the closing fence.
    const at = body.first ? parsed.lines.span(body.first.start, body.first.end) : parsed.lines.span(Math.max(0, parsed.scan.block.end - 3), parsed.scan.block.end);
    for (const required of project.requiredSections) {
      if (!present.some((t) => sameTitle(t, required))) {
        report({ at, message: `required section '## ${excerpt(required)}' is missing; add a '## ${excerpt(required)}' heading with its content` });
      }
    }
  },
});
