import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

// remark and micromark: a third of the code lint would load, needed only for a
// body the quick reader (body.ts) cannot take. The build bundles this module on
// its own (dist/remark.cjs) and loads it on first use (see remark-loader.ts).

const whole = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).freeze();
/** For the pieces after the first: a `---` line there is a thematic break, never frontmatter. */
const body = unified().use(remarkParse).freeze();

/** Markdown → mdast; the frontmatter becomes a `yaml` node, so it is never read as a heading. */
export function parseWhole(text: string): Root {
  return whole.parse(text) as Root;
}

/** Markdown that holds no frontmatter → mdast. */
export function parseBody(text: string): Root {
  return body.parse(text) as Root;
}
