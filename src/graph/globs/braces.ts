// Brace expansion and bracket classes, read as picomatch 4 reads them (see compile.ts).
// Only picomatch's table of POSIX classes is needed: the constants module alone, not the matcher (the Claude hook loads this file).
import picomatchConstants from 'picomatch/lib/constants.js';

/** More brace alternatives than this and the glob is widened instead. */
export const MAX_ALTERNATIVES = 256;
export const SLASH = 0x2f;
export const MAX_CODE = 0xffff;
/** Marks, inside an expanded alternative, the point from which everything matches. */
export const WILD = '\u0000';

/** Sorted, disjoint, non-adjacent inclusive ranges of UTF-16 code units: [lo0, hi0, lo1, hi1, …]. */
export type Ranges = readonly number[];

/** Any character but '/'. */
export const ANY: Ranges = [0, SLASH - 1, SLASH + 1, MAX_CODE];

// ---------------------------------------------------------------------------
// Brace expansion

/**
 * Expands s[from, to). Escapes, classes and unmatched braces are copied as
 * they are; null when there would be more than MAX_ALTERNATIVES.
 */
export function expandSequence(s: string, from: number, to: number): string[] | null {
  let results = [''];
  let text = '';
  let i = from;
  while (i < to) {
    const c = s[i]!;
    if (c === '\\') {
      text += s.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      const close = bracketClose(s, i, to);
      if (close >= 0) {
        text += s.slice(i, close + 1);
        i = close + 1;
        continue;
      }
    }
    if (c === '{') {
      const close = braceClose(s, i, to);
      if (close >= 0) {
        const options = groupAlternatives(s, i + 1, close);
        if (options === null || results.length * options.length > MAX_ALTERNATIVES) return null;
        const next: string[] = [];
        for (const r of results) for (const o of options) next.push(r + text + o);
        results = next;
        text = '';
        i = close + 1;
        continue;
      }
    }
    text += c;
    i++;
  }
  return text === '' ? results : results.map((r) => r + text);
}

/** The alternatives of the brace group whose body is s[from, to). */
function groupAlternatives(s: string, from: number, to: number): string[] | null {
  const body = s.slice(from, to);
  const parts = splitTopLevelCommas(s, from, to);
  const out: string[] = [];
  const push = (items: string[] | null): boolean => {
    if (items === null || out.length + items.length > MAX_ALTERNATIVES) return false;
    out.push(...items);
    return true;
  };
  if (hasRangeDots(s, from, to)) {
    const range = bashRange(body);
    if (range === 'overflow') return null;
    if (range !== null) {
      if (!push(range.values)) return null;
      if (!range.sameInPicomatch) out.push(WILD);
      return out;
    }
    // Not a plain range: picomatch builds a character class out of the parts,
    // bash keeps the text; cover both.
    out.push(WILD);
  }
  if (parts.length > 1) {
    for (const [a, b] of parts) if (!push(expandSequence(s, a, b))) return null;
  } else {
    const inner = expandSequence(s, from, to);
    if (!push(inner && inner.map((x) => `{${x}}`))) return null;
  }
  return out;
}

/** [start, end) of each comma-separated part of a brace body; groups and classes are opaque. */
function splitTopLevelCommas(s: string, from: number, to: number): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const close = bracketClose(s, i, to);
      if (close >= 0) i = close;
    } else if (c === '{' || c === '(') depth++;
    else if ((c === '}' || c === ')') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      parts.push([start, i]);
      start = i + 1;
    }
  }
  parts.push([start, to]);
  return parts;
}

/** Whether picomatch would treat the group as a range: an unescaped `..` outside nested braces and classes. */
function hasRangeDots(s: string, from: number, to: number): boolean {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const close = bracketClose(s, i, to);
      if (close >= 0) i = close;
    } else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if (c === '.' && s[i + 1] === '.' && depth === 0 && i + 1 < to) return true;
  }
  return false;
}

const INT_RANGE = /^([-+]?\d+)\.\.([-+]?\d+)(?:\.\.([-+]?\d+))?$/;
const CHAR_RANGE = /^([^\\])\.\.([^\\])(?:\.\.([-+]?\d+))?$/;

/**
 * A bash range `{x..y}` / `{x..y..step}` over integers or single characters.
 * `sameInPicomatch`: picomatch, which compiles the range to the class
 * `[x-y]`, matches exactly the same strings.
 */
function bashRange(body: string): { values: string[]; sameInPicomatch: boolean } | 'overflow' | null {
  const int = INT_RANGE.exec(body);
  if (int) {
    const [, xs, ys, ss] = int as unknown as [string, string, string, string | undefined];
    const x = Number(xs);
    const y = Number(ys);
    const points = stepsOf(x, y, ss);
    if (points === 'overflow') return points;
    const padded = /^[-+]?0\d/.test(xs) || /^[-+]?0\d/.test(ys);
    const width = padded ? Math.max(xs.replace('+', '').length, ys.replace('+', '').length) : 0;
    const values = points.map((v) => {
      const digits = String(Math.abs(v)).padStart(width - (v < 0 ? 1 : 0), '0');
      return v < 0 ? `-${digits}` : digits;
    });
    const sameInPicomatch = ss === undefined && /^\d$/.test(xs) && /^\d$/.test(ys);
    return { values, sameInPicomatch };
  }
  const chr = CHAR_RANGE.exec(body);
  if (chr) {
    const [, xs, ys, ss] = chr as unknown as [string, string, string, string | undefined];
    const x = xs.charCodeAt(0);
    const y = ys.charCodeAt(0);
    const points = stepsOf(x, y, ss);
    if (points === 'overflow') return points;
    const values = points.map((v) => {
      // A '/' produced by the range still separates segments, as picomatch's class matches '/'.
      const ch = String.fromCharCode(v);
      return /[\\*?[\]{}()!@+|"]/.test(ch) ? `\\${ch}` : ch;
    });
    // picomatch sorts the ends into the regex class `[x-y]`: the same set for plain characters.
    return { values, sameInPicomatch: ss === undefined && /^[A-Za-z0-9]$/.test(xs) && /^[A-Za-z0-9]$/.test(ys) };
  }
  return null;
}

/** The points from x to y (either way) by the range's step, or 'overflow' past MAX_ALTERNATIVES. */
function stepsOf(x: number, y: number, stepText: string | undefined): number[] | 'overflow' {
  const step = Math.abs(Number(stepText ?? 1)) || 1;
  if (Math.floor(Math.abs(y - x) / step) + 1 > MAX_ALTERNATIVES) return 'overflow';
  const points: number[] = [];
  for (let v = x; x <= y ? v <= y : v >= y; v += x <= y ? step : -step) points.push(v);
  return points;
}

/** Index of the `}` closing the `{` at s[i], or -1. */
function braceClose(s: string, i: number, to: number): number {
  let depth = 0;
  for (let j = i; j < to; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '[') {
      const close = bracketClose(s, j, to);
      if (close >= 0) j = close;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return j;
  }
  return -1;
}

/** The first `{` outside classes and escapes (the glob has one when expansion overflowed). */
export function firstBrace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const close = bracketClose(s, i, s.length);
      if (close >= 0) i = close;
    } else if (c === '{') return i;
  }
  return s.length;
}

// ---------------------------------------------------------------------------
// Classes

/**
 * Index of the `]` closing the class opened at s[i], or -1 when picomatch
 * would read the `[` literally. As in picomatch, a `]` right after `[` or `[^`
 * is a member, and `[:name:]` is skipped whole.
 */
export function bracketClose(s: string, i: number, to: number): number {
  let j = i + 1;
  if (s[j] === '^') j++;
  if (s[j] === ']') j++;
  while (j < to) {
    const c = s[j];
    if (c === '\\') j += 2;
    else if (c === '[' && s[j + 1] === ':') {
      const end = s.indexOf(':]', j + 2);
      j = end >= 0 && end + 1 < to ? end + 2 : j + 1;
    } else if (c === ']') return j;
    else j++;
  }
  return -1;
}

type Bracket = { set: Ranges; alt: string | null } | 'wide';

const POSIX = new Map<string, Ranges>(
  Object.entries(picomatchConstants.POSIX_REGEX_SOURCE).map(([name, source]) => [name, regexClassRanges(source)]),
);

/** The characters of the class s[i..close], with picomatch's reading, or 'wide' when it may match '/' or is not understood. */
export function parseBracket(s: string, i: number, close: number): Bracket {
  const content = s.slice(i + 1, close);
  let j = 0;
  let negate = false;
  let bang = false;
  if (content[0] === '^') negate = true;
  else if (content[0] === '!') bang = true;
  if (negate || bang) j = 1;
  const ranges: number[] = [];
  let posix = false;
  // One member: a code unit, or -1 after a POSIX class, or -2 when not understood.
  const atom = (): number => {
    const c = content[j]!;
    if (c === '\\') {
      const next = content[j + 1];
      j += 2;
      if (next === undefined) return 0x5c;
      return /[A-Za-z0-9]/.test(next) ? -2 : next.charCodeAt(0);
    }
    if (c === '[' && content[j + 1] === ':') {
      const end = content.indexOf(':]', j + 2);
      const named = end >= 0 ? POSIX.get(content.slice(j + 2, end)) : undefined;
      if (!named) return -2;
      ranges.push(...named);
      posix = true;
      j = end + 2;
      return -1;
    }
    j++;
    return c.charCodeAt(0);
  };
  while (j < content.length) {
    const lo = atom();
    if (lo === -2) return 'wide';
    if (lo === -1) continue;
    if (content[j] === '-' && j + 1 < content.length) {
      j++;
      const hi = atom();
      if (hi < 0 || hi < lo) return 'wide';
      ranges.push(lo, hi);
    } else {
      ranges.push(lo, lo);
    }
  }
  const members = normalise(ranges);
  let set: Ranges;
  if (negate) set = complement(posix ? members : union(members, [SLASH, SLASH]));
  else if (bang) set = inRanges(members, SLASH) ? [0, MAX_CODE] : ANY;
  else set = members;
  if (inRanges(set, SLASH)) return 'wide';
  // picomatch also matches the bracket text itself when the class holds no regex syntax.
  const alt = /[-*+?.^${}(|)[\]]/.test(content.slice(bang ? 1 : 0)) || negate ? null : `[${content.replace(/\\(.)/g, '$1')}]`;
  return { set, alt };
}

/** Ranges of a regex class source as in picomatch's POSIX table ('a-zA-Z', '\\x00-\\x7F', ' \\t'). */
function regexClassRanges(source: string): Ranges {
  const out: number[] = [];
  let j = 0;
  const atom = (): number => {
    const c = source[j]!;
    if (c !== '\\') {
      j++;
      return c.charCodeAt(0);
    }
    const next = source[j + 1]!;
    if (next === 'x') {
      j += 4;
      return parseInt(source.slice(j - 2, j), 16);
    }
    j += 2;
    const controls: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };
    return controls[next] ?? next.charCodeAt(0);
  };
  while (j < source.length) {
    const lo = atom();
    if (source[j] === '-' && j + 1 < source.length) {
      j++;
      out.push(lo, atom());
    } else out.push(lo, lo);
  }
  return normalise(out);
}

function normalise(ranges: readonly number[]): number[] {
  const pairs: Array<[number, number]> = [];
  for (let k = 0; k < ranges.length; k += 2) pairs.push([ranges[k]!, ranges[k + 1]!]);
  pairs.sort((p, q) => p[0] - q[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const last = out.length - 1;
    if (last > 0 && lo <= out[last]! + 1) out[last] = Math.max(out[last]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function union(a: Ranges, b: Ranges): number[] {
  return normalise([...a, ...b]);
}

function complement(ranges: Ranges): number[] {
  const out: number[] = [];
  let next = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    if (ranges[k]! > next) out.push(next, ranges[k]! - 1);
    next = ranges[k + 1]! + 1;
  }
  if (next <= MAX_CODE) out.push(next, MAX_CODE);
  return out;
}

export function inRanges(ranges: Ranges, code: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) {
    if (code < ranges[k]!) return false;
    if (code <= ranges[k + 1]!) return true;
  }
  return false;
}

export function rangesIntersect(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}
