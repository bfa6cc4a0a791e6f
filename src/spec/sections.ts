import type { Heading, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';

export interface Section {
  heading: Heading;
  /** Heading text, trimmed, inner whitespace folded. */
  title: string;
  /** Everything up to the next heading of depth 1 or 2. */
  nodes: RootContent[];
}

const cache = new WeakMap<Root, Section[]>();

/** The `##` sections of a spec body, in order. */
export function sections(root: Root): Section[] {
  let found = cache.get(root);
  if (found) return found;
  found = [];
  let current: Section | undefined;
  for (const node of root.children) {
    if (node.type === 'yaml') continue;
    if (node.type === 'heading' && node.depth <= 2) {
      current = node.depth === 2 ? { heading: node, title: normalise(toString(node)), nodes: [] } : undefined;
      if (current) found.push(current);
    } else current?.nodes.push(node);
  }
  cache.set(root, found);
  return found;
}

export function normalise(title: string): string {
  return title.trim().replace(/\s+/g, ' ');
}

export function sameTitle(a: string, b: string): boolean {
  return normalise(a).toLowerCase() === normalise(b).toLowerCase();
}
