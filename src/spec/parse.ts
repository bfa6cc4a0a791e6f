import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Alias, type Document, type Node as YamlNode } from 'yaml';
import type { Root } from 'mdast';
import { scanFrontmatter, type FrontmatterScan } from './frontmatter.js';
import { LineIndex } from './lines.js';
import { quickDocument } from './quickyaml.js';
import { quickBody, summariseTree, type BodySummary } from './body.js';
import { MAX_PIECE_LINES, parseInPieces, parseMarkdown, planPieces } from './markdown.js';
import { FILE_LIMITS, markdownTooDeep, yamlTooDeep } from './limits.js';
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
  /** The node a value stands for: an alias's anchored node, anything else itself. */
  resolve(node: YamlNode | null | undefined): YamlNode | undefined;
  /** The Markdown body as mdast, parsed on first use. */
  mdast(): Root;
  /** What the body rules need of the body, read on first use: straight off the text when that is exact, else from `mdast()`. */
  body(): BodySummary;
}

/** Aliases expanded beyond this count are refused by the yaml library too (its own measure of a "billion laughs"). */
const MAX_ALIAS_COUNT = 100;

const EMPTY_ROOT: Root = { type: 'root', children: [] };

const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false } as const;

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
  let targets = new Map<Alias, YamlNode | undefined>();
  if (scan.kind === 'block') {
    yamlOffset = scan.block.valueStart;
    // The yaml package does not break lines on a lone CR (old Mac files); a LF in its place keeps every offset.
    const yamlText = text.slice(scan.block.valueStart, scan.block.valueEnd).replace(/\r(?!\n)/g, '\n');
    // Most frontmatter is a flat map of plain values and lists: composed straight into the same nodes (quickyaml.ts).
    const quick = quickDocument(yamlText, YAML_OPTIONS);
    const deep = quick ? undefined : yamlTooDeep(yamlText);
    if (quick) {
      // No aliases, no errors: nothing to check before reading it as data.
      doc = quick;
      data = quick.toJS();
    } else if (deep) {
      const at = lines.span(yamlOffset + deep.offset, yamlOffset + deep.offset);
      yamlErrors.push({ message: `the frontmatter nests ${deep.depth.toLocaleString('en-US')} levels deep here; YAML is read up to ${FILE_LIMITS.yamlDepth} levels: flatten it`, span: at });
    } else {
      doc = parseDocument(yamlText, YAML_OPTIONS);
      const errorLines = new Set<number>();
      for (const e of doc.errors) {
        const start = yamlOffset + e.pos[0];
        const end = Math.max(start, yamlOffset + Math.min(e.pos[1], yamlText.length));
        const span = lines.span(start, end);
        // One mistake often trips the parser twice on a line; the first error is the one that explains it.
        if (errorLines.has(span.line)) continue;
        errorLines.add(span.line);
        yamlErrors.push({ message: yamlMessage(e.code, e.message), span });
      }
    }
    if (!quick && doc && yamlErrors.length === 0) {
      targets = aliasTargets(doc);
      const added = aliasExpansion(doc, targets);
      const at = lines.span(yamlOffset, yamlOffset);
      if (added === Infinity) {
        yamlErrors.push({ message: 'a YAML alias stands for a value that holds the alias itself; write the value out', span: at });
      } else if (added > FILE_LIMITS.aliasValues) {
        yamlErrors.push({ message: `YAML aliases would repeat more than ${FILE_LIMITS.aliasValues.toLocaleString('en-US')} values here; write the values out instead of nesting aliases`, span: at });
      } else {
        try {
          data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
        } catch {
          yamlErrors.push({ message: `frontmatter expands YAML aliases too often (over ${MAX_ALIAS_COUNT}); write the values out instead of nesting aliases`, span: at });
        }
      }
    }
  }
  // The body is measured before anything parses it: past a limit it is not read at all.
  const bodyStart = scan.kind === 'block' ? scan.block.end : 0;
  let bodyProblem: Problem | undefined;
  let cuts: number[] = [];
  const deepBody = markdownTooDeep(text, bodyStart);
  if (deepBody) {
    const line = lines.pos(deepBody.offset).line;
    bodyProblem = {
      message:
        deepBody.what === 'containers'
          ? `line ${line} nests block quotes and lists ${deepBody.depth.toLocaleString('en-US')} levels deep; specdag reads Markdown up to ${FILE_LIMITS.markdownDepth} levels, so the body is not checked: flatten it`
          : `line ${line} nests brackets ${deepBody.depth.toLocaleString('en-US')} deep; specdag reads links up to ${FILE_LIMITS.bracketDepth} levels, so the body is not checked: flatten them`,
      span: lines.span(deepBody.offset, deepBody.offset),
    };
  } else {
    const plan = planPieces(text, bodyStart);
    cuts = plan.cuts;
    if (plan.longest.lines > MAX_PIECE_LINES) {
      const line = lines.pos(plan.longest.offset).line;
      bodyProblem = {
        message: `from line ${line} on, more than ${MAX_PIECE_LINES.toLocaleString('en-US')} lines of Markdown hang together (one list, quote or paragraph: no blank line followed by text at the left margin); specdag reads up to ${MAX_PIECE_LINES.toLocaleString('en-US')} at once, so the body is not checked: split it`,
        span: lines.span(plan.longest.offset, plan.longest.offset),
      };
    }
  }
  let tree: Root | undefined;
  let summary: BodySummary | undefined;
  const mdast = () => (tree ??= bodyProblem ? EMPTY_ROOT : parseInPieces(text, cuts));
  const file: ParsedFile = {
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
      (summary ??= (scan.kind === 'block' && !bodyProblem ? quickBody(text, scan.block.end, parseMarkdown) : undefined) ?? summariseTree(mdast())),
    resolve: (node) => (isAlias(node) ? targets.get(node) : (node ?? undefined)),
  };
  if (bodyProblem) file.bodyProblem = bodyProblem;
  return file;
}

/** Each alias with the node it stands for: the last node before it with its anchor (as YAML defines it), found in one walk. */
function aliasTargets(doc: Document.Parsed): Map<Alias, YamlNode | undefined> {
  const targets = new Map<Alias, YamlNode | undefined>();
  const anchors = new Map<string, YamlNode>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/**
 * How many values the aliases add once expanded (Infinity for an alias inside
 * the value it stands for), counted bottom-up with each node's size memoised
 * and stopping just past the limit: a "billion laughs" costs a few hundred
 * steps. Iterative, as alias chains may be long.
 */
function aliasExpansion(doc: Document.Parsed, targets: Map<Alias, YamlNode | undefined>): number {
  if (targets.size === 0 || !doc.contents) return 0;
  const children = (node: unknown, followAliases = true): unknown[] => {
    if (isAlias(node)) {
      const target = followAliases ? targets.get(node) : undefined;
      return target ? [target] : [];
    }
    if (isPair(node)) return [node.key, node.value].filter((n) => n !== null && n !== undefined);
    if (isCollection(node)) return node.items as unknown[];
    return [];
  };
  // The values as written, then as expanded (capped just past the limit).
  let literal = 0;
  for (const walk: unknown[] = [doc.contents]; walk.length > 0; ) {
    const node = walk.pop();
    if (!isAlias(node) && !isPair(node)) literal++;
    for (const kid of children(node, false)) walk.push(kid);
  }
  const cap = literal + FILE_LIMITS.aliasValues + 1;
  const size = new Map<unknown, number>();
  const open = new Set<unknown>();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (size.has(node)) {
      stack.pop();
      continue;
    }
    const kids = children(node);
    if (!open.has(node)) {
      open.add(node);
      for (const kid of kids) {
        if (size.has(kid)) continue;
        if (open.has(kid)) return Infinity;
        stack.push(kid);
      }
      continue;
    }
    let total = isAlias(node) || isPair(node) ? 0 : 1;
    for (const kid of kids) total = Math.min(cap, total + size.get(kid)!);
    size.set(node, total);
    open.delete(node);
    stack.pop();
  }
  return Math.max(0, size.get(doc.contents)! - literal);
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
