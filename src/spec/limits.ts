import { LineCursor } from './lines.js';

// What one spec file may cost to read. The parsers behind lint (yaml,
// remark) recurse once per nesting level, and remark's time grows faster
// than the text for deeply nested containers, so the depth of a file is
// measured first, by a linear scan without recursion, and a file past a limit
// gets a diagnostic instead of being handed to them. The same input then
// gives the same answer on any thread, whatever its stack size.

export const FILE_LIMITS = {
  /** Levels of YAML nesting in the frontmatter (block and flow collections, counted together). */
  yamlDepth: 64,
  /** Values YAML aliases may add to the frontmatter once expanded (a "billion laughs" adds billions). */
  aliasValues: 10_000,
  /** Levels of Markdown containers on one line of the body: block quotes and list items. */
  markdownDepth: 32,
  /** Levels of nested brackets in one paragraph (links inside link texts, images inside images). */
  bracketDepth: 32,
};

const BLOCK_SCALAR = /(?:^|[\s:-])[|>][0-9+-]*[ \t]*(?:#.*)?$/;

/**
 * The first line where the YAML text nests deeper than the limit, by an
 * upper bound: the indentation levels open at a line, plus the compact `- `
 * entries that start it, plus the flow brackets open there. Quoted scalars,
 * comments and block scalars are skipped. Over-counts only in text no one
 * writes by hand.
 */
export function yamlTooDeep(text: string): { offset: number; depth: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  /** Inside a quoted scalar that runs over lines: its quote character. */
  let quote = '';
  /** Inside a block scalar (`|`, `>`): the indentation of the line that opened it. */
  let blockAt = -1;
  let pos = 0;
  while (pos <= text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    const line = text.slice(pos, eol);
    const start = pos;
    pos = eol + 1;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    const blank = indent === line.length || line[indent] === '#' || line[indent] === '\r';
    if (blockAt >= 0) {
      if (blank || indent > blockAt) continue;
      blockAt = -1;
    }
    if (blank && quote === '') continue;
    let i = indent;
    if (quote === '' && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
    }
    // Compact nesting: `- - - x`, `- key: value`, `? key`.
    let compact = 0;
    while (quote === '' && (line[i] === '-' || line[i] === '?') && (line[i + 1] === ' ' || line[i + 1] === '\t' || i + 1 === line.length)) {
      compact++;
      i += 2;
      while (line[i] === ' ' || line[i] === '\t') i++;
    }
    let depth = indents.length + compact + flow;
    for (; i < line.length; i++) {
      const c = line[i]!;
      if (quote !== '') {
        if (c === '\\' && quote === '"') i++;
        else if (c === quote) {
          if (quote === "'" && line[i + 1] === "'") i++;
          else quote = '';
        }
        continue;
      }
      const prev = i === 0 ? ' ' : line[i - 1]!;
      const tokenStart = prev === ' ' || prev === '\t' || prev === '[' || prev === '{' || prev === ',' || prev === ':';
      if ((c === '"' || c === "'") && tokenStart) quote = c;
      else if (c === '#' && (prev === ' ' || prev === '\t')) break;
      else if (c === '[' || c === '{') {
        flow++;
        depth = Math.max(depth, indents.length + compact + flow);
      } else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    if (depth > FILE_LIMITS.yamlDepth) return { offset: start, depth };
    if (quote === '' && flow === 0 && BLOCK_SCALAR.test(line)) blockAt = indent;
  }
  return undefined;
}

const SPACE = 32;
const TAB = 9;
const QUOTE = 62; // >
const OPEN = 91; // [
const CLOSE = 93; // ]
const ESCAPE = 92; // \

/** The length of the list marker at i (`-`, `+`, `*`, `1.`, `12)`: up to 9 digits), followed by a blank or the line's end; else 0. */
function listMarker(text: string, i: number, eol: number): number {
  const c = text.charCodeAt(i);
  let end = i + 1;
  if (c >= 48 && c <= 57) {
    while (end < eol && end - i < 10 && isDigit(text.charCodeAt(end))) end++;
    const after = text.charCodeAt(end);
    if (end - i > 9 || end >= eol || (after !== 46 && after !== 41)) return 0;
    end++;
  } else if (c !== 45 && c !== 43 && c !== 42) return 0;
  const next = text.charCodeAt(end);
  return end >= eol || next === SPACE || next === TAB ? end - i : 0;
}

/** Past the spaces and tabs at i. */
function blanks(text: string, i: number, eol: number): number {
  for (let c = text.charCodeAt(i); i < eol && (c === SPACE || c === TAB); c = text.charCodeAt(++i));
  return i;
}

/** The column after the blanks from..to, starting at col (tabs stop every 4 columns). */
function columnAt(text: string, from: number, to: number, col: number): number {
  for (let k = from; k < to; k++) col += text.charCodeAt(k) === TAB ? 4 - (col % 4) : 1;
  return col;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The length of the run of ` or ~ at i when it is three or more (a fence), else 0. */
function fenceRun(text: string, i: number, eol: number): number {
  const c = text.charCodeAt(i);
  if (c !== 96 && c !== 126) return 0;
  let end = i + 1;
  while (end < eol && text.charCodeAt(end) === c) end++;
  return end - i >= 3 ? end - i : 0;
}

/**
 * An upper bound of the container depth of a Markdown body: per line, the
 * list items it sits in (by indentation) plus the `>` and list markers that
 * start it; and the deepest nesting of `[` in a paragraph. Fenced code is
 * skipped. Returns the first line (0-based offset into `text`) past either
 * limit, or undefined. Runs over character codes of the whole text: it is
 * read once for every spec linted.
 */
export function markdownTooDeep(text: string, from: number): { offset: number; what: 'containers' | 'brackets'; depth: number } | undefined {
  const items: number[] = [];
  let fence: { char: number; size: number } | undefined;
  let brackets = 0;
  // The next '[' and ']' at or after the line's first character (-1: none left): most lines hold neither.
  let open = text.indexOf('[', from);
  let close = text.indexOf(']', from);
  for (const line = new LineCursor(text, from); line.advance(); ) {
    const start = line.start;
    const eol = line.end;
    let i = blanks(text, start, eol);
    let col = columnAt(text, start, i, 0);
    if (i === eol) {
      brackets = 0;
      continue;
    }
    if (fence) {
      const run = text.charCodeAt(i) === fence.char ? fenceRun(text, i, eol) : 0;
      if (run >= fence.size && text.slice(i + run, eol).trim() === '') fence = undefined;
      continue;
    }
    let quotes = 0;
    // Quote markers first: the list items a line sits in are measured from where its quote prefix ends.
    while (text.charCodeAt(i) === QUOTE && i < eol) {
      quotes++;
      const after = blanks(text, ++i, eol);
      col = columnAt(text, i, after, col + 1);
      i = after;
    }
    while (items.length > 0 && items[items.length - 1]! > col) items.pop();
    // Then the markers this line opens (`- - x`, `- > x`): list items join the stack, quotes are counted.
    while (i < eol) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        quotes++;
        const after = blanks(text, ++i, eol);
        col = columnAt(text, i, after, col + 1);
        i = after;
        continue;
      }
      const marker = listMarker(text, i, eol);
      if (marker === 0) break;
      i += marker;
      col += marker;
      items.push(col + 1);
      const after = blanks(text, i, eol);
      col = columnAt(text, i, after, col);
      i = after;
    }
    const depth = items.length + quotes;
    if (depth > FILE_LIMITS.markdownDepth) return { offset: start, what: 'containers', depth };
    const run = fenceRun(text, i, eol);
    if (run > 0) {
      fence = { char: text.charCodeAt(i), size: run };
      continue;
    }
    // Only a '[' (or a ']' while one is open) changes the count.
    if (open !== -1 && open < i) open = text.indexOf('[', i);
    if (close !== -1 && close < i) close = text.indexOf(']', i);
    if ((open === -1 || open >= eol) && (brackets === 0 || close === -1 || close >= eol)) continue;
    for (; i < eol; i++) {
      const ch = text.charCodeAt(i);
      if (ch === ESCAPE) i++;
      else if (ch === OPEN) {
        if (++brackets > FILE_LIMITS.bracketDepth) return { offset: start, what: 'brackets', depth: brackets };
      } else if (ch === CLOSE && brackets > 0) brackets--;
    }
  }
  return undefined;
}
