/**
 * Could one repository path match two `owns` / `reads` globs? The pure core
 * behind `ownership-conflict` and `read-write-race`.
 *
 * A glob means what it means to picomatch 4 with `{ dot: true }`, on
 * repository-relative paths with `/` separators, widened in a few documented
 * places. The answer is sound: never "no" when picomatch matches some path
 * with both globs (a seeded property test checks this against picomatch).
 * It says "yes" without such a path only where a glob was widened on purpose:
 *
 * - Folders. A glob whose last segment is a plain name without an extension
 *   (`src/auth`, `app/[slug]`, `packages/x/src`), or that ends in `/`
 *   (`docs/v1.2/`), names a folder and also covers everything below it: an
 *   agent that owns a folder owns its files. A last segment with an
 *   extension (`README.md`, `src/a.ts`: a `.` that is neither its first nor
 *   its last character) names a file and covers only itself. Extensionless
 *   files (`Makefile`, `.env`) are taken as folders too: `Makefile` overlaps
 *   `**` + `/*.md`.
 * - Extglobs and groups (`@(a|b)`, `!(x)`, `+(a)`, `(a|b)`) count as `*`
 *   inside their segment: `src/@(a|b).ts` overlaps `src/c.ts`.
 * - "From here on, anything" (the rest of the glob becomes `*` then `**`)
 *   where picomatch's reading is not modelled: a group whose body holds `/`,
 *   `**`, a class or a quote; quotes; a class that can match `/` (`[a/b]`,
 *   `[+-0]`, `[^[:alpha:]]`) or uses regex escapes (`[\d]`); `**` inside a
 *   segment after its start (`a**`, `(a)**`, which picomatch may let cross
 *   folders); more than 256 brace alternatives; brace ranges picomatch reads
 *   differently from bash (`{1..10}` is the class `[1-10]` to picomatch, so
 *   `{01..03}`, steps, signs and `{1..3,x}` also get this alternative); and
 *   places where picomatch passes regex syntax through (a `|` outside groups,
 *   `++`, `\d`-style escapes, `[ab]+`, `{a,b}+`, `(a)?`, an unmatched `(`
 *   or `)`, a `[` it opens but never closes), from the first class, brace or
 *   group on. A `|` outside groups splits picomatch's whole regex, so such a
 *   glob matches everything, as does a negated glob (`!src/x`).
 * - `[!abc]` is a negated class in bash but the plain class `!abc` in
 *   picomatch 4: both readings are kept, so it matches any one character.
 * - A segment that starts with `**` but is longer (`**.ts`) reads as `**`
 *   followed by the segment `*.ts`: picomatch lets `**.ts` cross folders at
 *   the start of a glob.
 * - When picomatch rebuilds its regex from tokens (after a POSIX class, a
 *   brace range, `***` or a repeated extglob), a `.` that follows plain text
 *   matches any character, `/` included: `src/v{1..3}.ts` also matches
 *   `src/v1/ts`. Each such dot is read both ways (at most 4; beyond, the
 *   glob is widened from the first).
 * - `*` and `**` also match `.` and `..` segments, which picomatch never
 *   does; such paths are not repository-relative anyway.
 *
 * picomatch quirks that are followed, because a matcher built on picomatch
 * follows them: `[ab]` matches `a`, `b` and the literal name `[ab]` (Next.js
 * `app/[slug]` folders); a glob matches its own text as a path; `{a}` is the
 * literal `{a}`; `\/` separates folders; a class may span a `/`.
 *
 * Algorithm: `compileGlob` expands braces, splits each alternative into
 * segments and each segment into tokens (literal character, character set,
 * `*`), once. `compiledOverlap` compares alternatives pairwise with a dynamic
 * programme over segments (`**` matches zero or more whole segments), whose
 * cells compare two segments with a dynamic programme over tokens (two sets
 * intersect when they share a character). No regex is built per pair.
 */
import picomatch from 'picomatch';

/** More brace alternatives than this and the glob is widened instead. */
const MAX_ALTERNATIVES = 256;
/** Classes with a literal reading (`[ab]` is also the name `[ab]`) expanded both ways per alternative; beyond, they count as `*`. */
const MAX_LITERAL_CLASSES = 4;
const SLASH = 0x2f;
const MAX_CODE = 0xffff;
/** Marks, inside an expanded alternative, the point from which everything matches. */
const WILD = '\u0000';

/** Sorted, disjoint, non-adjacent inclusive ranges of UTF-16 code units: [lo0, hi0, lo1, hi1, …]. */
type Ranges = readonly number[];

const CHAR = 0;
const SET = 1;
const STAR = 2;

/** One token of a segment pattern. Sets never contain '/'. */
export interface Token {
  readonly kind: typeof CHAR | typeof SET | typeof STAR;
  /** The code unit, for CHAR. */
  readonly code: number;
  /** The characters, for SET. */
  readonly set: Ranges | null;
  /** For a class picomatch also matches literally (`[ab]` matches the name `[ab]`): that name. */
  readonly alt: string | null;
}

/** A path segment pattern, or `**` (zero or more whole segments). */
export interface Segment {
  readonly globstar: boolean;
  readonly tokens: readonly Token[];
  /** The segment's text when it has no wildcard. */
  readonly literal: string | null;
  /** The segment is just `*`. */
  readonly starOnly: boolean;
  /** Some non-empty segment matches it. */
  readonly satisfiable: boolean;
}

export interface Alternative {
  readonly segments: readonly Segment[];
  /** The leading literal segments, joined. */
  readonly base: string;
  /** How many segments `base` has. */
  readonly depth: number;
  readonly hasGlobstar: boolean;
}

/** A glob parsed once, for comparing with many others. */
export interface CompiledGlob {
  readonly source: string;
  /** The literal leading folder part (see `staticBase`). */
  readonly base: string;
  /** The glob matches a path when one alternative does. */
  readonly alternatives: readonly Alternative[];
}

const GLOBSTAR: Segment = { globstar: true, tokens: [], literal: null, starOnly: false, satisfiable: true };
const ANY: Ranges = [0, SLASH - 1, SLASH + 1, MAX_CODE];
const STAR_TOKEN: Token = { kind: STAR, code: -1, set: null, alt: null };
const ANY_TOKEN: Token = { kind: SET, code: -1, set: ANY, alt: null };

/**
 * The literal leading folder part of a glob: 'src/auth/**' -> 'src/auth',
 * 'src/*.ts' -> 'src', '**' -> '', 'README.md' -> 'README.md' (a literal
 * path is its own base), 'src/{a,b}/x' -> 'src'. Every path the glob covers
 * (folder reading included) is the base or lies below it, so two globs whose
 * bases are not nested (`basesNested`) cannot overlap.
 */
export function staticBase(glob: string): string {
  return compileGlob(glob).base;
}

/** True when one base is the other or a folder above it ('' is above everything). */
export function basesNested(a: string, b: string): boolean {
  if (a === b || a === '' || b === '') return true;
  if (a.length < b.length) return b.charCodeAt(a.length) === SLASH && b.startsWith(a);
  if (b.length < a.length) return a.charCodeAt(b.length) === SLASH && a.startsWith(b);
  return false;
}

/**
 * Brace-expanded alternatives: 'src/{a,b}/**' -> ['src/a/**', 'src/b/**'];
 * ranges {1..3}, {a..c} (bash order, zero padding, steps); nested braces; a
 * glob without braces -> [glob]. `{a}` stays literal, as in picomatch. A range
 * picomatch reads differently from bash also yields the text before it
 * followed by `*` and `/**` (see the module comment). More than 256
 * alternatives -> [glob], unexpanded.
 */
export function expandBraces(glob: string): string[] {
  const expanded = expandSequence(glob, 0, glob.length);
  if (expanded === null) return [glob];
  const out = new Set<string>();
  for (const alt of expanded) {
    const wild = alt.indexOf(WILD);
    out.add(wild < 0 ? alt : `${alt.slice(0, wild)}*/**`);
  }
  return [...out];
}

/**
 * True when some file path could match both globs: picomatch semantics with
 * `{ dot: true }`, except that a path naming a folder covers everything below
 * it (`src/a` overlaps `src/a/b.ts`: an agent that owns a folder owns its
 * files), and that extglobs and picomatch oddities are read conservatively
 * (see the module comment).
 */
export function globsOverlap(a: string, b: string): boolean {
  return compiledOverlap(compileGlob(a), compileGlob(b));
}

/** Globs made only of names, `/`, `*` and `?` need no expansion, no leak checks and no literal reading. */
const SIMPLE = /^[^{}[\]()\\"|+!@\u0000]*$/;

export function compileGlob(glob: string): CompiledGlob {
  let text = stripDotSlash(glob);
  if (text.startsWith('!') && text[1] !== '(') return everything(glob);
  if (SIMPLE.test(text) && !text.includes('***')) return finish(glob, parseAlternative(text).variants);

  const leak = regexLeak(text);
  if (leak >= 0) text = text.slice(0, leak) + WILD;
  let expanded = expandSequence(text, 0, text.length);
  if (expanded === null) expanded = [text.slice(0, firstBrace(text)) + WILD];
  // picomatch matches a glob's own text as a path; only braces, classes and
  // escapes make that text something the expansions do not already cover
  // (a widened glob covers it already).
  else if (leak < 0 && /[{[\\]/.test(text)) expanded.push(text.replace(/[^/]/g, '\\$&'));
  const loose = /\[:|\*\*\*|[+*]\(/.test(text) || (text.includes('{') && text.includes('..'));
  const all: Segment[][] = [];
  for (const alt of expanded) {
    const parsed = parseAlternative(alt);
    // The folder reading follows what the user wrote, not picomatch's loose dots.
    if (loose) for (const v of looseDots(alt)) all.push(...parseAlternative(v, parsed.folder).variants);
    else all.push(...parsed.variants);
  }
  return finish(glob, all);
}

function finish(glob: string, all: Segment[][]): CompiledGlob {
  const alternatives: Alternative[] = [];
  const seen = new Set<string>();
  for (const segments of all) {
    if (segments.length === 1 && segments[0] === GLOBSTAR) return everything(glob);
    if (all.length > 1) {
      const key = segmentsKey(segments);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    alternatives.push(makeAlternative(segments));
  }
  let base = alternatives[0]?.base ?? '';
  for (const alt of alternatives) base = commonBase(base, alt.base);
  return { source: glob, base, alternatives };
}

export function compiledOverlap(a: CompiledGlob, b: CompiledGlob): boolean {
  if (!basesNested(a.base, b.base)) return false;
  for (const x of a.alternatives) {
    for (const y of b.alternatives) {
      if (basesNested(x.base, y.base) && sequencesIntersect(x, y)) return true;
    }
  }
  return false;
}

/**
 * Where picomatch lets regex syntax through, from the first class, brace or
 * group on (0 for a pipe outside groups, which splits the whole regex):
 * `a|b`, `a++`, `\d`, `[ab]+`, `{a,b}+`, `(a)?`, `@(a)+`, an unmatched `)` or `(`, a `[`
 * that picomatch opens but never closes (`[]*`). -1 when none.
 */
function regexLeak(s: string): number {
  let leak = -1;
  const open: number[] = [];
  const at = (i: number): void => {
    if (leak < 0) leak = i;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const quantified = (s[i + 1] === '?' || s[i + 1] === '+') && s[i + 2] !== '(';
    if (c === '\\') {
      // picomatch passes `\b`, `\d`, `\W`… to the regex as regex escapes, and its fast path drops `\\`.
      if (/[A-Za-z0-9\\]/.test(s[i + 1] ?? '')) at(i);
      i++;
    } else if (c === '|' && open.length === 0) return 0;
    else if (c === '+' && s[i + 1] === '+') at(i); // picomatch's fast path reads `++` as "one or more '+'"
    else if (c === '(') open.push(i);
    else if (c === ')') {
      if (open.pop() === undefined || quantified) at(i);
    } else if (c === '[') {
      const close = bracketClose(s, i, s.length);
      if (close < 0 && s.includes(']', i + 1)) at(i);
      if (close >= 0) i = close;
      if (s[i + 1] === '+' && s[i + 2] !== '(') at(i);
    } else if ((c === '{' || c === '}') && s[i + 1] === '+' && s[i + 2] !== '(') at(i);
  }
  if (leak < 0 && open.length > 0) leak = open[0]!;
  if (leak < 0) return -1;
  // A pipe inside a group that never closes splits the whole regex too.
  if (open.length > 0 && s.includes('|', open[0])) return 0;
  for (let i = 0; i < leak; i++) {
    const c = s[i]!;
    if (c === '\\') i++;
    // An extglob's leading character belongs to it.
    else if ('*?+@!'.includes(c) && s[i + 1] === '(') return i;
    else if (c === '[' || c === '{' || c === '(') return i;
  }
  return leak;
}

/**
 * When picomatch rebuilds its regex from tokens ("backtracking": POSIX
 * classes, brace ranges, `***`, repeated extglobs), a `.` that follows plain
 * text loses its escape and matches any character, '/' included. Each such
 * dot becomes either any character or a folder break; past MAX_LITERAL_CLASSES
 * of them, everything from the first one on matches.
 */
function looseDots(text: string): string[] {
  const dots: number[] = [];
  let afterText = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '[') {
      const close = bracketClose(text, i, text.length);
      if (close >= 0) {
        i = close;
        afterText = false;
        continue;
      }
    }
    if (c === '\\') i++;
    else if (c === '.' && afterText) dots.push(i);
    afterText = !'/*?()'.includes(c);
  }
  if (dots.length === 0) return [text];
  if (dots.length > MAX_LITERAL_CLASSES) return [text.slice(0, dots[0]) + WILD];
  let out = [''];
  let from = 0;
  for (const d of dots) {
    const chunk = text.slice(from, d);
    out = out.flatMap((v) => [`${v + chunk}[^/]`, `${v + chunk}/`]);
    from = d + 1;
  }
  return out.map((v) => v + text.slice(from));
}

function everything(glob: string): CompiledGlob {
  return { source: glob, base: '', alternatives: [makeAlternative([GLOBSTAR])] };
}

function stripDotSlash(text: string): string {
  while (text.startsWith('./')) text = text.slice(2);
  return text;
}

// ---------------------------------------------------------------------------
// Brace expansion

/**
 * Expands s[from, to). Escapes, classes and unmatched braces are copied as
 * they are; null when there would be more than MAX_ALTERNATIVES.
 */
function expandSequence(s: string, from: number, to: number): string[] | null {
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
function firstBrace(s: string): number {
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
function bracketClose(s: string, i: number, to: number): number {
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
  Object.entries(picomatch.constants.POSIX_REGEX_SOURCE).map(([name, source]) => [name, regexClassRanges(source)]),
);

/** The characters of the class s[i..close], with picomatch's reading, or 'wide' when it may match '/' or is not understood. */
function parseBracket(s: string, i: number, close: number): Bracket {
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

function inRanges(ranges: Ranges, code: number): boolean {
  for (let k = 0; k < ranges.length; k += 2) {
    if (code < ranges[k]!) return false;
    if (code <= ranges[k + 1]!) return true;
  }
  return false;
}

function rangesIntersect(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1]! < b[j]!) i += 2;
    else if (b[j + 1]! < a[i]!) j += 2;
    else return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Alternatives -> segments

/**
 * The segment sequences of one brace-free alternative: usually one; more
 * when classes have a literal reading (`[ab]` is also the name `[ab]`).
 * `folder` overrides whether it names a folder; the answer says whether it did.
 */
function parseAlternative(input: string, folder?: boolean): { variants: Segment[][]; folder: boolean } {
  const text = stripDotSlash(input);
  // '.' is the repository root: a folder with everything in it.
  if (text === '.') return { variants: [[GLOBSTAR]], folder: true };
  const segments: Segment[] = [];
  let tokens: Token[] = [];
  let start = 0;
  let literalClasses = 0;
  let widened = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' || (c === '\\' && next === '/')) {
      // picomatch reads an escaped '/' as a separator too.
      closeSegment(segments, tokens, text.slice(start, i));
      tokens = [];
      i += c === '/' ? 1 : 2;
      start = i;
      continue;
    }
    if (c === '\\') {
      addToken(tokens, charToken((next ?? '\\').charCodeAt(0)));
      i += next === undefined ? 1 : 2;
      continue;
    }
    if (c === '(' || ('*?+@!'.includes(c) && next === '(')) {
      const open = c === '(' ? i : i + 1;
      const close = groupClose(text, open);
      if (close < 0 || /[/[\]"\u0000]|\*\*/.test(text.slice(open + 1, close))) {
        widened = true;
        break;
      }
      addToken(tokens, STAR_TOKEN);
      i = close + 1;
      continue;
    }
    if (c === '"' || c === WILD) {
      widened = true;
      break;
    }
    if (c === '*' && next === '*' && i > start) {
      // picomatch may let `**` after a group, a brace or a comma cross folders.
      widened = true;
      break;
    }
    if (c === '*') addToken(tokens, STAR_TOKEN);
    else if (c === '?') addToken(tokens, ANY_TOKEN);
    else if (c === '[') {
      const close = bracketClose(text, i, text.length);
      if (close >= 0) {
        const bracket = parseBracket(text, i, close);
        if (bracket === 'wide') {
          widened = true;
          break;
        }
        if (bracket.alt !== null) literalClasses++;
        addToken(tokens, { kind: SET, code: -1, set: bracket.set, alt: bracket.alt });
        i = close + 1;
        continue;
      }
      addToken(tokens, charToken(0x5b));
    } else addToken(tokens, charToken(c.charCodeAt(0)));
    i++;
  }
  if (widened) {
    if (text.startsWith('**', start)) pushSegment(segments, GLOBSTAR);
    addToken(tokens, STAR_TOKEN);
    pushSegment(segments, makeSegment(tokens));
    pushSegment(segments, GLOBSTAR);
  } else {
    closeSegment(segments, tokens, text.slice(start));
    const last = segments[segments.length - 1];
    // An empty path ('.', './') is the repository root: a folder with everything in it.
    if (last === undefined) return { variants: [[GLOBSTAR]], folder: true };
    folder ??= !last.globstar && namesFolder(last, text.endsWith('/') && !text.endsWith('\\/'));
    if (folder) pushSegment(segments, GLOBSTAR);
  }
  return { variants: literalClasses === 0 ? [segments] : classVariants(segments, literalClasses), folder: folder ?? false };
}

function addToken(tokens: Token[], token: Token): void {
  if (token.kind === STAR && tokens.length > 0 && tokens[tokens.length - 1]!.kind === STAR) return;
  tokens.push(token);
}

/** Ends the segment whose text was `raw`: empty segments vanish, `**` is a globstar, `**x` is `**` then `*x`. */
function closeSegment(segments: Segment[], tokens: Token[], raw: string): void {
  if (raw === '') return;
  if (raw.startsWith('**')) pushSegment(segments, GLOBSTAR);
  if (raw !== '**') pushSegment(segments, makeSegment(tokens));
}

/** Whether the last segment names a folder (see the module comment). */
function namesFolder(last: Segment, trailingSlash: boolean): boolean {
  let name = '';
  for (const t of last.tokens) {
    if (t.kind === CHAR) name += String.fromCharCode(t.code);
    else if (t.alt !== null) name += t.alt;
    else return trailingSlash;
  }
  if (trailingSlash) return true;
  const dot = name.lastIndexOf('.');
  return !(dot > 0 && dot < name.length - 1);
}

/** Each class with a literal reading taken both ways, or as `*` when there are too many. */
function classVariants(segments: Segment[], count: number): Segment[][] {
  if (count > MAX_LITERAL_CLASSES) {
    return [segments.map((s) => (s.globstar ? s : makeSegment(s.tokens.map((t) => (t.alt === null ? t : STAR_TOKEN)))))];
  }
  let variants: Segment[][] = [[]];
  for (const seg of segments) {
    const options = seg.globstar ? [seg] : tokenVariants(seg.tokens).map(makeSegment);
    const next: Segment[][] = [];
    for (const v of variants) for (const o of options) next.push([...v, o]);
    variants = next;
  }
  return variants;
}

function tokenVariants(tokens: readonly Token[]): Token[][] {
  let out: Token[][] = [[]];
  for (const t of tokens) {
    if (t.alt === null) {
      for (const v of out) v.push(t);
      continue;
    }
    const asLiteral: Token[] = [];
    for (let k = 0; k < t.alt.length; k++) asLiteral.push(charToken(t.alt.charCodeAt(k)));
    const asClass: Token = { kind: SET, code: -1, set: t.set, alt: null };
    out = out.flatMap((v) => [[...v, asClass], [...v, ...asLiteral]]);
  }
  return out;
}

/** Index of the `)` closing the `(` at s[i], or -1; classes and escapes are skipped. */
function groupClose(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (c === '\\') j++;
    else if (c === '[') {
      const close = bracketClose(s, j, s.length);
      if (close >= 0) j = close;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return -1;
}

const ASCII_TOKENS: Token[] = Array.from({ length: 128 }, (_, code) => ({ kind: CHAR, code, set: null, alt: null }));

function charToken(code: number): Token {
  return ASCII_TOKENS[code] ?? { kind: CHAR, code, set: null, alt: null };
}

function makeSegment(tokens: readonly Token[]): Segment {
  let isLiteral = true;
  let satisfiable = true;
  for (const t of tokens) {
    if (t.kind !== CHAR) isLiteral = false;
    if (t.kind === SET && t.set!.length === 0) satisfiable = false;
  }
  const literal = isLiteral ? String.fromCharCode(...tokens.map((t) => t.code)) : null;
  const starOnly = tokens.length === 1 && tokens[0]!.kind === STAR;
  return { globstar: false, tokens, literal, starOnly, satisfiable };
}

function pushSegment(segments: Segment[], seg: Segment): void {
  if (seg.globstar && segments[segments.length - 1]?.globstar) return;
  segments.push(seg);
}

function makeAlternative(segments: Segment[]): Alternative {
  const lits: string[] = [];
  for (const s of segments) {
    if (s.literal === null) break;
    lits.push(s.literal);
  }
  return { segments, base: lits.join('/'), depth: lits.length, hasGlobstar: segments.some((s) => s.globstar) };
}

function commonBase(a: string, b: string): string {
  if (basesNested(a, b)) return a.length <= b.length ? a : b;
  const x = a.split('/');
  const y = b.split('/');
  let k = 0;
  while (k < x.length && k < y.length && x[k] === y[k]) k++;
  return x.slice(0, k).join('/');
}

function segmentsKey(segments: readonly Segment[]): string {
  return segments
    .map((s) => (s.globstar ? '**' : s.tokens.map((t) => (t.kind === CHAR ? `c${t.code}` : t.kind === STAR ? '*' : `[${t.set!.join(',')}${t.alt === null ? '' : `|${t.alt}`}]`)).join(' ')))
    .join('/');
}

// ---------------------------------------------------------------------------
// Intersection

let sequenceCells = new Uint8Array(64);
let tokenCells = new Uint8Array(256);

/**
 * Whether some path matches both segment sequences; `**` matches zero or
 * more whole segments. Called only when the bases are nested, so the shorter
 * base's segments are equal on both sides and skipped.
 */
function sequencesIntersect(x: Alternative, y: Alternative): boolean {
  const a = x.segments;
  const b = y.segments;
  const k = Math.min(x.depth, y.depth);
  const n = a.length - k;
  const m = b.length - k;
  if (!x.hasGlobstar && !y.hasGlobstar) {
    if (n !== m) return false;
    for (let i = a.length - 1; i >= k; i--) if (!segmentsIntersect(a[i]!, b[i]!)) return false;
    return true;
  }
  // Paths end with a segment matching both last segments unless one is `**`.
  const lastA = a[a.length - 1]!;
  const lastB = b[b.length - 1]!;
  if (n > 0 && m > 0 && !lastA.globstar && !lastB.globstar && !segmentsIntersect(lastA, lastB)) return false;
  const w = m + 1;
  const size = (n + 1) * w;
  if (sequenceCells.length < size) sequenceCells = new Uint8Array(size * 2);
  const reached = sequenceCells;
  reached.fill(0, 0, size);
  reached[0] = 1;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (reached[i * w + j] === 0) continue;
      if (i === n && j === m) return true;
      const s = a[k + i];
      const t = b[k + j];
      if (s !== undefined && s.globstar) reached[(i + 1) * w + j] = 1;
      if (t !== undefined && t.globstar) reached[i * w + j + 1] = 1;
      if (s === undefined || t === undefined) continue;
      if (s.globstar) {
        if (!t.globstar && t.satisfiable) reached[i * w + j + 1] = 1;
      } else if (t.globstar) {
        if (s.satisfiable) reached[(i + 1) * w + j] = 1;
      } else if (segmentsIntersect(s, t)) {
        reached[(i + 1) * w + j + 1] = 1;
      }
    }
  }
  return false;
}

/** Whether some single segment matches both patterns. */
function segmentsIntersect(a: Segment, b: Segment): boolean {
  if (a.literal !== null) return b.literal !== null ? a.literal === b.literal : matchesLiteral(b.tokens, a.literal);
  if (b.literal !== null) return matchesLiteral(a.tokens, b.literal);
  if (a.starOnly) return b.satisfiable;
  if (b.starOnly) return a.satisfiable;
  return tokensIntersect(a.tokens, b.tokens);
}

/** Classic wildcard match with backtracking to the last `*`. */
function matchesLiteral(tokens: readonly Token[], s: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < s.length) {
    const t = tokens[p];
    if (t !== undefined && t.kind === STAR) {
      star = p++;
      resume = i;
    } else if (t !== undefined && (t.kind === CHAR ? t.code === s.charCodeAt(i) : inRanges(t.set!, s.charCodeAt(i)))) {
      p++;
      i++;
    } else if (star >= 0) {
      p = star + 1;
      i = ++resume;
    } else return false;
  }
  while (p < tokens.length && tokens[p]!.kind === STAR) p++;
  return p === tokens.length;
}

function charsIntersect(x: Token, y: Token): boolean {
  if (x.kind === CHAR) return y.kind === CHAR ? x.code === y.code : inRanges(y.set!, x.code);
  if (y.kind === CHAR) return inRanges(x.set!, y.code);
  return rangesIntersect(x.set!, y.set!);
}

/**
 * Whether some string matches both token lists. Cell (i, j): a common string
 * can take P to token i and Q to token j; a `*` may stay put while the other
 * side consumes a character.
 */
function tokensIntersect(p: readonly Token[], q: readonly Token[]): boolean {
  const n = p.length;
  const m = q.length;
  const w = m + 1;
  const size = (n + 1) * w;
  if (tokenCells.length < size) tokenCells = new Uint8Array(size * 2);
  const reached = tokenCells;
  reached.fill(0, 0, size);
  reached[0] = 1;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (reached[i * w + j] === 0) continue;
      if (i === n && j === m) return true;
      const x = p[i];
      const y = q[j];
      if (x !== undefined && x.kind === STAR) reached[(i + 1) * w + j] = 1;
      if (y !== undefined && y.kind === STAR) reached[i * w + j + 1] = 1;
      if (x === undefined || y === undefined) continue;
      if (x.kind === STAR) {
        if (y.kind !== STAR && (y.kind === CHAR || y.set!.length > 0)) reached[i * w + j + 1] = 1;
      } else if (y.kind === STAR) {
        if (x.kind === CHAR || x.set!.length > 0) reached[(i + 1) * w + j] = 1;
      } else if (charsIntersect(x, y)) {
        reached[(i + 1) * w + j + 1] = 1;
      }
    }
  }
  return false;
}

/** The path as a glob that matches only itself: every glob character escaped. */
function literalGlob(path: string): string {
  return path.replace(/[\\*?[\]{}()!+@|^$]/g, (c) => `\\${c}`);
}

/**
 * "Does this repository path fall under one of these globs?", with the same
 * folder reading as the overlap check (`src/a` covers `src/a/b.ts`), so that
 * what lint calls owned and what a run calls owned never disagree.
 */
export function pathMatcher(globs: string[]): (path: string) => boolean {
  const compiled = globs.map(compileGlob);
  return (path) => {
    const literal = compileGlob(literalGlob(path));
    return compiled.some((g) => compiledOverlap(g, literal));
  };
}

/**
 * A folder at or above `staticBase(glob)`, found without compiling the glob:
 * the literal path up to the folder before the first glob character. Two
 * globs that overlap have nested static bases, and folders above nested
 * folders are nested too, so an index over these bases finds every
 * overlapping pair while compiling only the candidates.
 */
export function quickBase(glob: string): string {
  const text = glob.replace(/^(?:\.\/)+/, '');
  // A negation matches everything; a bare '|' splits the whole pattern.
  if (text.startsWith('!') || text.includes('|')) return '';
  const meta = text.search(/[*?[\]{}()!+@\\]/);
  const literal = (meta === -1 ? text : text.slice(0, text.lastIndexOf('/', meta) + 1)).replace(/\/+$/, '');
  return literal === '.' ? '' : literal;
}
