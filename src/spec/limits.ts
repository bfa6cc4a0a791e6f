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

const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)/;
const FENCE = /^(`{3,}|~{3,})/;

/**
 * An upper bound of the container depth of a Markdown body: per line, the
 * list items it sits in (by indentation) plus the `>` and list markers that
 * start it; and the deepest nesting of `[` in a paragraph. Fenced code is
 * skipped. Returns the first line (0-based offset into `text`) past either
 * limit, or undefined.
 */
export function markdownTooDeep(text: string, from: number): { offset: number; what: 'containers' | 'brackets'; depth: number } | undefined {
  const items: number[] = [];
  let fence: { char: string; size: number } | undefined;
  let brackets = 0;
  let pos = from;
  while (pos < text.length) {
    let eol = pos;
    while (eol < text.length && text.charCodeAt(eol) !== 10 && text.charCodeAt(eol) !== 13) eol++;
    const line = text.slice(pos, eol);
    const start = pos;
    pos = text.charCodeAt(eol) === 13 && text.charCodeAt(eol + 1) === 10 ? eol + 2 : eol + 1;
    let i = 0;
    let col = 0;
    const skipBlanks = () => {
      while (line[i] === ' ' || line[i] === '\t') {
        col += line[i] === '\t' ? 4 - (col % 4) : 1;
        i++;
      }
    };
    skipBlanks();
    if (i === line.length) {
      brackets = 0;
      continue;
    }
    if (fence) {
      const close = FENCE.exec(line.slice(i));
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.size && line.slice(i + close[1]!.length).trim() === '') fence = undefined;
      continue;
    }
    let quotes = 0;
    // Quote markers first: the list items a line sits in are measured from where its quote prefix ends.
    while (line[i] === '>') {
      quotes++;
      i++;
      col++;
      skipBlanks();
    }
    while (items.length > 0 && items[items.length - 1]! > col) items.pop();
    // Then the markers this line opens (`- - x`, `- > x`): list items join the stack, quotes are counted.
    for (;;) {
      if (line[i] === '>') {
        quotes++;
        i++;
        col++;
        skipBlanks();
        continue;
      }
      const marker = LIST_MARKER.exec(line.slice(i, i + 12));
      if (!marker) break;
      i += marker[0].length;
      col += marker[0].length;
      items.push(col + 1);
      skipBlanks();
    }
    const depth = items.length + quotes;
    if (depth > FILE_LIMITS.markdownDepth) return { offset: start, what: 'containers', depth };
    const opening = FENCE.exec(line.slice(i));
    if (opening) {
      fence = { char: opening[1]![0]!, size: opening[1]!.length };
      continue;
    }
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === '\\') i++;
      else if (c === '[') {
        if (++brackets > FILE_LIMITS.bracketDepth) return { offset: start, what: 'brackets', depth: brackets };
      } else if (c === ']' && brackets > 0) brackets--;
    }
  }
  return undefined;
}
