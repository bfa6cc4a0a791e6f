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
import { ANY, bracketClose, expandSequence, firstBrace, parseBracket, SLASH, WILD, type Ranges } from './braces.js';

/** Classes with a literal reading (`[ab]` is also the name `[ab]`) expanded both ways per alternative; beyond, they count as `*`. */
const MAX_LITERAL_CLASSES = 4;
export const CHAR = 0;
export const SET = 1;
export const STAR = 2;

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

