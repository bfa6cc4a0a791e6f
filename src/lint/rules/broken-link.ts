import { dirname, resolve } from 'node:path';
import { defineRule } from '../types.js';
import { excerpt } from '../../util/text.js';

function targetPath(url: string): string | undefined {
  const path = url.replace(/[?#].*$/s, '');
  if (path === '') return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export default defineRule({
  id: 'broken-link',
  scope: 'file',
  summary: 'a relative Markdown link to a file that does not exist',
  help: 'Relative links (and images and link definitions) resolve against the spec file\'s folder; an agent that follows a dead link works blind. Fix the path or remove the link.',
  check({ parsed, spec, exists, report }) {
    if (parsed.scan.kind === 'unterminated') return;
    for (const link of parsed.body().links) {
      const path = targetPath(link.url);
      if (path === undefined) continue;
      if (!exists(resolve(dirname(spec.path), path))) {
        report({ at: parsed.lines.span(link.start, link.end), message: `link target '${excerpt(link.url)}' does not exist (resolved against ${dirname(spec.file) || '.'}/)` });
      }
    }
  },
});
