import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isScalar, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';

/**
 * The frontmatter nearly every spec has, composed without the yaml package's
 * lexer, parser and composer: a map of plain keys whose values are one-line
 * scalars (plain, or quoted without escapes), block lists of them, or
 * one-line flow lists of them; LF or CRLF line endings.
 *
 * Why: on a first lint of a small folder the yaml package's parser, run cold,
 * cost 1 ms a spec (30 specs: about 35 ms of a 260 ms command), while the
 * same nodes made here cost a few hundredths of that. The result is the
 * yaml package's own Document, Scalar, YAMLSeq and YAMLMap, with the ranges
 * its composer gives and every value resolved by its own schema's tags, so
 * nothing downstream can tell the difference; a test checks that node for
 * node on every folder we have and on generated ones.
 *
 * Anything else returns undefined and the caller parses the text with
 * `parseDocument`: comments, blank lines, tabs, anchors, tags,
 * nested collections, multi-line scalars, a key twice, a key that is not a
 * plain word, a scalar with `: ` or ` #` in it, a scalar that starts with an
 * indicator, trailing blanks. Errors are never made here; the full parser
 * makes them, with its messages.
 */
export function quickDocument(text: string, options: ParseOptions & DocumentOptions & SchemaOptions): Document.Parsed | undefined {
  if (text.length === 0) return undefined;
  const doc = new Document(undefined, options) as Document.Parsed;
  const schema = doc.schema;
  const map = new YAMLMap(schema);
  const keys = new Set<string>();
  /** The list under the last key while its `- ` lines are read. */
  let seq: YAMLSeq | undefined;
  /** The key whose value is the list that follows (`owns:` alone on its line). */
  let open: Scalar | undefined;
  let itemIndent = -1;
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    // A CRLF file: the CR is part of the line ending (the caller has made every lone CR a LF).
    const end = nl === -1 ? text.length : text.charCodeAt(nl - 1) === CR && nl > start ? nl - 1 : nl;
    /** Where the node on this line ends, its line ending included (the yaml composer's third range value). */
    const after = nl === -1 ? end : nl + 1;
    const first = text.charCodeAt(start);
    if (first === SPACE || first === DASH) {
      // A list item: `- value` under a key alone on its line, all at one indentation.
      if (open === undefined && seq === undefined) return undefined;
      let dash = start;
      while (text.charCodeAt(dash) === SPACE) dash++;
      if (text.charCodeAt(dash) !== DASH || text.charCodeAt(dash + 1) !== SPACE) return undefined;
      const indent = dash - start;
      if (seq === undefined) {
        seq = new YAMLSeq(schema);
        seq.range = [dash, after, after];
        map.items.push(new Pair(open, seq));
        open = undefined;
        itemIndent = indent;
      } else if (indent !== itemIndent) return undefined;
      let at = dash + 2;
      while (text.charCodeAt(at) === SPACE) at++;
      const item = scalar(doc, text, at, end, after, false);
      if (!item) return undefined;
      seq.items.push(item);
      seq.range![1] = seq.range![2] = after;
    } else {
      // `key: value`, `key: [a, b]` or `key:` with a list on the lines below.
      if (open !== undefined) return undefined;
      seq = undefined;
      const colon = keyEnd(text, start, end);
      if (colon === -1) return undefined;
      const key = scalar(doc, text, start, colon, colon, false);
      if (!key || typeof key.value !== 'string' || keys.has(key.value)) return undefined;
      keys.add(key.value);
      if (colon + 1 === end) {
        open = key;
      } else {
        if (text.charCodeAt(colon + 1) !== SPACE) return undefined;
        let at = colon + 2;
        while (text.charCodeAt(at) === SPACE) at++;
        const value = text.charCodeAt(at) === OPEN_BRACKET ? flowList(doc, text, at, end, after) : scalar(doc, text, at, end, after, false);
        if (!value) return undefined;
        map.items.push(new Pair(key, value));
      }
    }
    start = after;
  }
  // A key with nothing under it is a null the composer places by rules not copied here.
  if (open !== undefined) return undefined;
  map.range = [0, start, start];
  doc.contents = map as YAMLMap.Parsed;
  doc.range = [0, start, start];
  return doc;
}

const MAX_KEY = 1000;
const SPACE = 0x20;
const CR = 0x0d;
const DASH = 0x2d;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;

/** A key is a plain word (letters, digits, `_`, `-`) at the start of the line, then `:`. */
function keyEnd(text: string, start: number, end: number): number {
  let at = start;
  // Past 1024 characters YAML forbids an implicit key (the parser's KEY_OVER_1024_CHARS): that one it must report.
  for (; at < end && at - start <= MAX_KEY; at++) {
    const c = text.charCodeAt(at);
    if (c === COLON) break;
    const word = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || (c === DASH && at > start);
    if (!word) return -1;
  }
  return at === start || at === end || text.charCodeAt(at) !== COLON ? -1 : at;
}

/** `[a, b]` on one line: plain items, `,` then spaces between them, nothing after `]`. */
function flowList(doc: Document, text: string, open: number, end: number, after: number): YAMLSeq | undefined {
  if (text.charCodeAt(end - 1) !== CLOSE_BRACKET) return undefined;
  const list = new YAMLSeq(doc.schema);
  list.flow = true;
  list.range = [open, end, after];
  const close = end - 1;
  let at = open + 1;
  if (at === close) return list;
  for (;;) {
    let stop = at;
    const quote = text.charCodeAt(at);
    if (quote === QUOTE || quote === DOUBLE_QUOTE) stop = closingQuote(text, at, close);
    if (stop === -1) return undefined;
    while (stop < close && text.charCodeAt(stop) !== COMMA) stop++;
    const item = scalar(doc, text, at, stop, stop, true);
    if (!item) return undefined;
    list.items.push(item);
    if (stop === close) return list;
    at = stop + 1;
    while (text.charCodeAt(at) === SPACE) at++;
    if (at >= close) return undefined;
  }
}

/** Just past the quote that closes the one at `open` (`''` inside single quotes is a quote), or -1 before `limit`. */
function closingQuote(text: string, open: number, limit: number): number {
  const quote = text.charCodeAt(open);
  for (let at = open + 1; at < limit; at++) {
    if (text.charCodeAt(at) !== quote) continue;
    if (quote === QUOTE && text.charCodeAt(at + 1) === QUOTE) {
      at++;
      continue;
    }
    return at + 1;
  }
  return -1;
}

/**
 * A plain scalar on text[start, end), resolved by the document's schema as the
 * composer does (`true` a boolean, `3` a number, `30m` a string), or undefined
 * when the text is not one this reader is sure of.
 */
function scalar(doc: Document, text: string, start: number, end: number, after: number, inFlow: boolean): Scalar | undefined {
  if (start >= end) return undefined;
  const source = text.slice(start, end);
  const first = source.charCodeAt(0);
  if (first === QUOTE || first === DOUBLE_QUOTE) return quoted(source, start, end, after);
  if (!PLAIN_START.test(source) || (inFlow ? !FLOW_PLAIN.test(source) : !BLOCK_PLAIN.test(source))) return undefined;
  let value: unknown = source;
  let format: string | undefined;
  for (const tag of doc.schema.tags) {
    if (tag.default === true && !tag.collection && tag.test?.test(source)) {
      // A tag that cannot read the text is an error (TAG_RESOLVE_FAILED) the full parser reports.
      let failed = false;
      try {
        value = tag.resolve(source, () => (failed = true), doc.options);
      } catch {
        failed = true;
      }
      if (failed) return undefined;
      format = tag.format;
      break;
    }
  }
  const node = isScalar(value) ? value : new Scalar(value);
  node.range = [start, end, after];
  node.source = source;
  node.type = Scalar.PLAIN;
  if (format) node.format = format;
  return node as Scalar;
}

/** `'text'` (`''` a quote) or `"text"` without escapes, on one line: always a string. */
function quoted(source: string, start: number, end: number, after: number): Scalar | undefined {
  const double = source.charCodeAt(0) === DOUBLE_QUOTE;
  if (source.length < 2 || closingQuote(source, 0, source.length) !== source.length) return undefined;
  const inner = source.slice(1, -1);
  if (!QUOTED.test(inner) || (double && inner.includes('\\'))) return undefined;
  const node = new Scalar(double ? inner : inner.replaceAll("''", "'"));
  node.range = [start, end, after];
  node.source = node.value as string;
  node.type = double ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
  return node;
}

/** Not an indicator, a blank or a quote (`-`, `?` and `:` too: YAML allows them before a non-blank, this reader leaves that to the parser). */
const PLAIN_START = /^[^-?:,[\]{}#&*!|>'"%@` ]/;
/** No `: `, no ` #`, no blank at the end, nothing YAML reads as a line break or forbids. */
const BLOCK_PLAIN = /^(?:[^:#\s\x00-\x1f\x7f\x85\u2028\u2029\ufeff]|:(?=[^\s])|#| (?=[^\s#]))*$/;
/** The same inside `[ ]`, where `,`, brackets, braces and `:` are not read as text either. */
const FLOW_PLAIN = /^(?:[^:#,[\]{}\s\x00-\x1f\x7f\x85\u2028\u2029\ufeff]|#| (?=[^\s#,[\]{}:]))*$/;
/** What a one-line quoted scalar may hold here: no control characters, no line breaks YAML knows. */
const QUOTED = /^[^\x00-\x1f\x7f\x85\u2028\u2029\ufeff]*$/;
