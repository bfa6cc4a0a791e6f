import { dirname, resolve } from 'node:path';
import type { Nodes } from 'mdast';
import { defineRule } from '../types.js';

/** A URL with a scheme (`https:`, `mailto:`), protocol-relative, root-relative or a bare fragment is not a file link. */
const NOT_RELATIVE = /^(?:[a-z][a-z0-9+.-]*:|\/|#)/i;

function* links(node: Nodes): Generator<Extract<Nodes, { url: string }>> {
  if (node.type === 'link' || node.type === 'image' || node.type === 'definition') yield node;
  if ('children' in node) for (const child of node.children as Nodes[]) yield* links(child);
}

function targetPath(url: string): string | undefined {
  if (NOT_RELATIVE.test(url)) return undefined;
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
    for (const link of links(parsed.mdast())) {
      const path = targetPath(link.url);
      if (path === undefined) continue;
      if (!exists(resolve(dirname(spec.path), path))) {
        const pos = link.position!;
        report({ at: parsed.lines.span(pos.start.offset!, pos.end.offset!), message: `link target '${link.url}' does not exist (resolved against ${dirname(spec.file) || '.'}/)` });
      }
    }
  },
});
