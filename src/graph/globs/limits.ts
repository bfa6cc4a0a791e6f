// What one `owns` / `reads` glob may cost. A glob past a limit is a `schema`
// error and takes no part in the ownership rules: brace expansion recurses
// once per nesting level, and a glob is quoted and compared once per task it
// meets, so an unbounded one can exhaust the stack or the heap of the whole
// lint. No glob a person writes comes near these.
import { bracketClose, MAX_ALTERNATIVES } from './braces.js';
import { excerpt } from '../../util/text.js';

export const GLOB_LIMITS = {
  /** Characters in one glob. */
  length: 512,
  /** Levels of braces inside braces (`{a,{b,c}}` is 2). */
  braceDepth: 8,
  /** Paths spelled out once braces are expanded (`{a,b}/{c,d}` is 4). */
  alternatives: MAX_ALTERNATIVES,
} as const;

/** Control characters: no repository path holds one, and NUL marks widened globs inside the matcher. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why a glob is refused, in words for a message; undefined when it is within every limit. */
export function globLimitProblem(glob: string): string | undefined {
  const quoted = () => `'${excerpt(glob)}'`;
  if (glob.length > GLOB_LIMITS.length) {
    return `${quoted()} is longer than ${GLOB_LIMITS.length} characters; a glob names paths, write a shorter one (or several)`;
  }
  const control = CONTROL.exec(glob);
  if (control) return `${quoted()} holds a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}), which no repository path does`;
  const { depth, alternatives } = braceShape(glob);
  if (depth > GLOB_LIMITS.braceDepth) {
    return `${quoted()} nests braces ${depth} deep; at most ${GLOB_LIMITS.braceDepth} levels are read: flatten the braces or split the glob`;
  }
  if (alternatives > GLOB_LIMITS.alternatives) {
    return `${quoted()} expands to more than ${GLOB_LIMITS.alternatives} paths once its braces are expanded; use a wildcard or split it into several globs`;
  }
  return undefined;
}

const INT_RANGE = /^([-+]?\d+)\.\.([-+]?\d+)(?:\.\.([-+]?\d+))?$/;
const CHAR_RANGE = /^([^\\])\.\.([^\\])(?:\.\.([-+]?\d+))?$/;

/**
 * How deep the brace groups nest and how many alternatives they expand to
 * (counting stops just past the limit), in two passes without recursion:
 * first pair the braces as the expansion does (escapes and classes are
 * opaque, an unmatched brace is literal), then multiply and add.
 */
function braceShape(s: string): { depth: number; alternatives: number } {
  const closeOf = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const close = bracketClose(s, i, s.length);
      if (close >= 0) i = close;
    } else if (c === '{') open.push(i);
    else if (c === '}' && open.length > 0) closeOf.set(open.pop()!, i);
  }
  if (closeOf.size === 0) return { depth: 0, alternatives: 1 };
  const cap = GLOB_LIMITS.alternatives + 1;
  const times = (a: number, b: number) => Math.min(cap, a * b);
  /** Per open group: where it ends, the alternatives of its finished parts, and of the part being read. */
  const frames: { start: number; end: number; sum: number; part: number }[] = [{ start: -1, end: s.length, sum: 0, part: 1 }];
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const frame = frames[frames.length - 1]!;
    if (i === frame.end) {
      frames.pop();
      const body = s.slice(frame.start + 1, frame.end);
      const range = INT_RANGE.exec(body) ?? CHAR_RANGE.exec(body);
      const count = range ? rangeLength(range) : Math.min(cap, frame.sum + frame.part);
      const parent = frames[frames.length - 1]!;
      parent.part = times(parent.part, count);
      continue;
    }
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const close = bracketClose(s, i, s.length);
      if (close >= 0 && close < frame.end) i = close;
    } else if (c === '{' && closeOf.has(i)) {
      frames.push({ start: i, end: closeOf.get(i)!, sum: 0, part: 1 });
      depth = Math.max(depth, frames.length - 1);
    } else if (c === ',' && frames.length > 1) {
      frame.sum = Math.min(cap, frame.sum + frame.part);
      frame.part = 1;
    }
  }
  return { depth, alternatives: frames[0]!.part };
}

/** The points of a bash range `{x..y}` / `{x..y..step}`. */
function rangeLength(m: RegExpExecArray): number {
  const [, xs, ys, step] = m as unknown as [string, string, string, string | undefined];
  const num = /^[-+]?\d+$/.test(xs) && /^[-+]?\d+$/.test(ys);
  const x = num ? Number(xs) : xs.charCodeAt(0);
  const y = num ? Number(ys) : ys.charCodeAt(0);
  return Math.floor(Math.abs(y - x) / (Math.abs(Number(step ?? 1)) || 1)) + 1;
}
