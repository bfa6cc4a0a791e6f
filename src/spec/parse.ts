import { isMap, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Root } from 'mdast';
import { scanFrontmatter, type FrontmatterScan } from './frontmatter.js';
import { LineIndex } from './lines.js';
import { quickBody, summariseTree, type BodySummary } from './body.js';
import { parseMarkdown } from './markdown.js';
import type { Span } from './types.js';
import { excerpt } from '../util/text.js';

export interface Problem {
  message: string;
  span: Span;
}

/** One spec file's text, its frontmatter as a positioned YAML document, and its body on demand. */
export interface ParsedFile {
  /** The text without a leading BOM; every offset refers to it. */
  text: string;
  bom: boolean;
  lines: LineIndex;
  scan: FrontmatterScan;
  /** The frontmatter document; null when there is no frontmatter block. */
  doc: Document.Parsed | null;
  /** Offset in `text` where the YAML text starts. */
  yamlOffset: number;
  /** YAML syntax errors (and resource limits), positioned in the file. */
  yamlErrors: Problem[];
  /** The frontmatter as plain data when it parsed cleanly; `{}` for an empty block. */
  data: unknown;
  /** Span of the opening fence (or 1:1 when there is none). */
  fence: Span;
  /** Why the body is not read (it passes a limit); the body rules then say nothing about it. */
  bodyProblem?: Problem;
  /** The Markdown body as mdast, parsed on first use. */
  mdast(): Root;
  /** What the body rules need of the body, read on first use: straight off the text when that is exact, else from `mdast()`. */
  body(): BodySummary;
}

/** Aliases expanded beyond this count are refused: a YAML "billion laughs" must not hang lint. */
const MAX_ALIAS_COUNT = 100;

export function parseSpecText(raw: string): ParsedFile {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  const lines = new LineIndex(text);
  const scan = scanFrontmatter(text);
  const fence = lines.span(0, Math.min(3, text.length));
  let doc: Document.Parsed | null = null;
  let yamlOffset = 0;
  const yamlErrors: Problem[] = [];
  let data: unknown;
  if (scan.kind === 'block') {
    yamlOffset = scan.block.valueStart;
    // The yaml package does not break lines on a lone CR (old Mac files); a LF in its place keeps every offset.
    const yamlText = text.slice(scan.block.valueStart, scan.block.valueEnd).replace(/\r(?!\n)/g, '\n');
    doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
    for (const e of doc.errors) {
      const start = yamlOffset + e.pos[0];
      const end = Math.max(start, yamlOffset + Math.min(e.pos[1], yamlText.length));
      const span = lines.span(start, end);
      // One mistake often trips the parser twice on a line; the first error is the one that explains it.
      if (yamlErrors.some((p) => p.span.line === span.line)) continue;
      yamlErrors.push({ message: yamlMessage(e.code, e.message), span });
    }
    if (yamlErrors.length === 0) {
      try {
        data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
      } catch (err) {
        yamlErrors.push({
          message: `frontmatter expands YAML aliases too often (over ${MAX_ALIAS_COUNT}); write the values out instead of nesting aliases`,
          span: lines.span(yamlOffset, yamlOffset),
        });
        void err;
      }
    }
  }
  let tree: Root | undefined;
  let summary: BodySummary | undefined;
  const mdast = () => (tree ??= parseMarkdown(text));
  return {
    text,
    bom,
    lines,
    scan,
    doc,
    yamlOffset,
    yamlErrors,
    data,
    fence,
    mdast,
    body: () =>
      (summary ??= (scan.kind === 'block' ? quickBody(text, scan.block.end, parseMarkdown) : undefined) ?? summariseTree(mdast())),
  };
}

/** The yaml library's first line is the useful one (the rest is a code excerpt we show by position instead), with how to fix it. */
function yamlMessage(code: string, message: string): string {
  // The library quotes names from the text (an alias, a tag): a message stays short whatever the text holds.
  const first = excerpt((message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, ''), 200);
  const hint = YAML_HINTS[code === 'BLOCK_AS_IMPLICIT_KEY' && /sequence/.test(first) ? 'SEQUENCE_INDENT' : code];
  return `invalid YAML: ${first}${hint ? `; ${hint}` : ''}`;
}

/** How to fix the mistakes people make most in frontmatter: indentation, mostly. */
const YAML_HINTS: Record<string, string> = {
  BAD_INDENT: "start this line at the column of the other keys of its mapping (in a list, with '- ' like the items above)",
  BLOCK_AS_IMPLICIT_KEY: 'the next line is indented more than this key, so YAML reads it as part of this value; start it at the column of this key',
  SEQUENCE_INDENT: "indent every '- ' item of one list by the same number of spaces, under its key",
  MULTILINE_IMPLICIT_KEY: 'a key and its colon belong on one line; check the indentation of this line and the one above',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MISSING_CHAR: "write 'key: value', or make the line a list item ('- value') indented like the others",
};

/** Span of a YAML node (value only, without trailing comments), in file coordinates. */
export function nodeSpan(file: ParsedFile, node: YamlNode | null | undefined): Span | undefined {
  const r = node?.range;
  if (!r) return undefined;
  return file.lines.span(file.yamlOffset + r[0], file.yamlOffset + r[1]);
}

export { isMap, isScalar, isSeq };
