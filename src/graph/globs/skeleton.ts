/**
 * Skeletons: what the ownership index knows of a glob without compiling it
 * (compiling every glob of a 10,000-spec folder costs more than all the
 * comparisons it saves). A skeleton is a list of segments, each a literal
 * name, `**` (zero or more whole segments), or a pattern made of names, `*`
 * and `?`. The skeletons of a glob together cover every path the compiled
 * glob covers (see compile.ts), folder reading included, and sometimes more:
 * whatever the text does not make plain (classes, extglobs, escapes, brace
 * ranges, long globs) is read as "anything below the static base". They only
 * choose which pairs are compared; compiledOverlap still decides.
 */
import { expandBraces, quickBase } from './compile.js';

export type Skeleton = readonly string[];

export const GLOBSTAR = '**';
const EVERYTHING: Skeleton = [GLOBSTAR];
const STAR = 0x2a;
const SLASH = 0x2f;

/** Longer globs are read as matching everything: rare, and compile.ts may widen them (length and nesting limits). */
export const MAX_SKELETON_GLOB = 256;

/** Text made only of names, `/`, `*` and `?`: compile.ts reads it without expansion or widening (SIMPLE there). */
const SIMPLE = /^[^{}[\]()\\"|+!@\u0000]*$/;
/** The same plus braces: brace sets expand to simple alternatives. */
const BRACES = /^[^[\]()\\"|+!@\u0000]*$/;

export function isPattern(segment: string): boolean {
  return segment !== GLOBSTAR && /[*?]/.test(segment);
}

/** The skeletons of a glob (one per brace alternative, plus the glob's own text, which picomatch also matches). */
export function skeletons(glob: string): Skeleton[] {
  if (glob.length > MAX_SKELETON_GLOB) return [EVERYTHING];
  const text = stripDotSlash(glob);
  if (text.includes('***')) return [degraded(glob)];
  if (SIMPLE.test(text)) return [simple(text, false)];
  // Ranges (`{1..3}`) may make picomatch's dots loose (compile.ts): not modelled here.
  if (BRACES.test(text) && !text.includes('..')) {
    const out: Skeleton[] = [];
    for (const alt of expandBraces(text)) {
      if (!SIMPLE.test(alt)) return [degraded(glob)];
      out.push(simple(alt, false));
    }
    out.push(simple(text, true));
    return out;
  }
  return [degraded(glob)];
}

/**
 * A folder at or above the glob's static base, without compiling it:
 * compile.ts's quickBase, except that a quote also ends the literal part
 * (compile.ts widens from a quote on), and so does a `.` in the globs whose
 * dots picomatch may read as any character, `/` included (POSIX classes,
 * `***`, extglobs after `*` or `+`, brace ranges: `a.ts/{1..3}` also
 * matches `a/ts/1`).
 */
export function indexBase(glob: string): string {
  const loose = /\[:|\*\*\*|[+*]\(/.test(glob) || (glob.includes('{') && glob.includes('..'));
  const end = glob.search(loose ? /["\u0000.]/ : /["\u0000]/);
  const base = quickBase(glob);
  if (end === -1) return base;
  // Both are folder prefixes of the same text: the shorter is the one above.
  const cut = quickBase(`${glob.slice(0, end)}*`);
  return cut.length < base.length ? cut : base;
}

/** Anything at or below the literal folder prefix. */
function degraded(glob: string): Skeleton {
  const base = indexBase(glob);
  return base === '' ? EVERYTHING : [...base.split('/'), GLOBSTAR];
}

function stripDotSlash(text: string): string {
  while (text.startsWith('./')) text = text.slice(2);
  return text;
}

/**
 * One simple alternative as compile.ts's parseAlternative reads it: empty
 * segments vanish, `**x` is `**` then `*x`, a `**` after the start of a
 * segment makes the rest match anything, and a last segment that names a
 * folder gets a `**`. `literal`: the text stands for itself (a brace glob's
 * own text): its `*` and `?` are read as patterns all the same (a superset),
 * but whether it names a folder follows the literal name.
 */
function simple(input: string, literal: boolean): Skeleton {
  const text = stripDotSlash(input);
  if (text === '.' || text === '') return EVERYTHING;
  const out: string[] = [];
  let last = '';
  for (let from = 0; from <= text.length; ) {
    let to = text.indexOf('/', from);
    if (to === -1) to = text.length;
    const seg = text.slice(from, to);
    from = to + 1;
    if (seg === '') continue;
    last = seg;
    if (!literal && seg.charCodeAt(0) === STAR && seg.charCodeAt(1) === STAR) {
      if (out[out.length - 1] !== GLOBSTAR) out.push(GLOBSTAR);
      if (seg.length === 2) continue;
      if (seg.indexOf('**', 2) === -1) {
        out.push(seg.slice(1));
        continue;
      }
    }
    if (!literal && seg.indexOf('**', 1) !== -1) {
      // picomatch may let a `**` after the start of a segment cross folders: from here on, anything.
      out.push('*', GLOBSTAR);
      return out;
    }
    if (seg === GLOBSTAR && out[out.length - 1] === GLOBSTAR) continue;
    out.push(seg);
  }
  if (out.length === 0) return EVERYTHING;
  const end = out[out.length - 1]!;
  const trailingSlash = text.charCodeAt(text.length - 1) === SLASH;
  if (end !== GLOBSTAR && (literal || !isPattern(end) ? namesFolder(last, trailingSlash) : trailingSlash)) out.push(GLOBSTAR);
  return out;
}

/** A name without an extension (a `.` neither first nor last), or any name before a trailing `/`, is a folder. */
function namesFolder(name: string, trailingSlash: boolean): boolean {
  if (trailingSlash) return true;
  const dot = name.lastIndexOf('.');
  return !(dot > 0 && dot < name.length - 1);
}

/** Whether the segment pattern (names, `*`, `?`) matches the literal name. */
export function patternMatches(pattern: string, name: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < name.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      resume = i;
    } else if (c !== undefined && (c === '?' || c === name[i])) {
      p++;
      i++;
    } else if (star >= 0) {
      p = star + 1;
      i = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** False only when no name can match both patterns: their literal starts or ends disagree. */
export function patternsMayMeet(a: string, b: string): boolean {
  const a0 = a.search(/[*?]/);
  const b0 = b.search(/[*?]/);
  const pa = a.slice(0, a0);
  const pb = b.slice(0, b0);
  if (!(pa.startsWith(pb) || pb.startsWith(pa))) return false;
  const sa = a.slice(Math.max(a.lastIndexOf('*'), a.lastIndexOf('?')) + 1);
  const sb = b.slice(Math.max(b.lastIndexOf('*'), b.lastIndexOf('?')) + 1);
  return sa.endsWith(sb) || sb.endsWith(sa);
}

/** Whether two skeleton segments (neither `**`) may match one name. */
export function segmentsMayMeet(a: string, b: string): boolean {
  const pa = isPattern(a);
  const pb = isPattern(b);
  if (!pa && !pb) return a === b;
  if (pa && pb) return patternsMayMeet(a, b);
  return pa ? patternMatches(a, b) : patternMatches(b, a);
}
