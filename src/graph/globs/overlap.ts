// Whether two compiled globs can match one path (see compile.ts for what a glob means).
import { inRanges, rangesIntersect } from './braces.js';
import { basesNested, CHAR, compileGlob, STAR, type Alternative, type CompiledGlob, type Segment, type Token } from './compile.js';


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

export function compiledOverlap(a: CompiledGlob, b: CompiledGlob): boolean {
  if (!basesNested(a.base, b.base)) return false;
  for (const x of a.alternatives) {
    for (const y of b.alternatives) {
      if (basesNested(x.base, y.base) && sequencesIntersect(x, y)) return true;
    }
  }
  return false;
}

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
