import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).freeze();

/** Markdown → mdast; the frontmatter becomes a `yaml` node, so it is never read as a heading. */
export function parseMarkdown(text: string): Root {
  return processor.parse(text) as Root;
}
