import { GLOBSTAR, isPattern, patternMatches, patternsMayMeet, type Skeleton } from './globs/skeleton.js';

/**
 * One skeleton of one claim, as the index holds it. Its head is the
 * segments before its first `**`, its tail the segments after its last one,
 * read from the end; `open`: there is a `**` (after the head, before the
 * tail), else the path ends where the head ends (starts where the tail does).
 */
export interface Shape {
  /** The claim's position in the indexed list (-1 for a probe). */
  readonly claim: number;
  readonly segs: Skeleton;
  readonly open: boolean;
  /** Segments in the head and in the tail. */
  readonly head: number;
  readonly tail: number;
}

export function shapesOf(claim: number, skeletons: readonly Skeleton[]): Shape[] {
  return skeletons.map((segs) => {
    const first = segs.indexOf(GLOBSTAR);
    const last = segs.lastIndexOf(GLOBSTAR);
    return { claim, segs, open: first !== -1, head: first === -1 ? segs.length : first, tail: last === -1 ? segs.length : segs.length - 1 - last };
  });
}

type Entry = Shape;

const HEAD = 0;
const TAIL = 1;
type Side = typeof HEAD | typeof TAIL;

function keyLength(e: Entry, side: Side): number {
  return side === HEAD ? e.head : e.tail;
}

function keyAt(e: Entry, side: Side, d: number): string {
  return side === HEAD ? e.segs[d]! : e.segs[e.segs.length - 1 - d]!;
}

/** Entries are kept unsorted in a node until there are more than this many. */
const BURST = 8;

/**
 * A node of a burst trie over segments: literal children by name, pattern
 * children by pattern text, the entries whose key ends here (`open`: a `**`
 * follows; `closed`: nothing does), and, until it holds more than BURST, a
 * bucket of entries not sorted any further (all of them candidates).
 */
class Node {
  size = 0;
  bucket: Entry[] | null = [];
  lit: Map<string, Node> | null = null;
  pat: Map<string, Node> | null = null;
  open: Entry[] | null = null;
  closed: Entry[] | null = null;
}

/** What the index needs of a claim: its static base, and its shapes when asked. */
export interface Indexed {
  /** A folder at or above the glob's static base (compile.ts's quickBase). */
  readonly base: string;
  readonly shapes: readonly Shape[];
}

/** A probe that would compare with more claims than this goes to the tries. */
const DIRECT = 48;
const SLASH = 0x2f;

/**
 * Finds, for a claim, the claims that could overlap it, without looking at
 * them all. First by static base: two globs can only overlap when one base
 * is an ancestor of (or equal to) the other's, so a probe looks at the
 * claims whose base is above, equal to or below its own. That is all most
 * folders need (each task owns its own folder). When that region is large
 * (globs that share a base, like `packages/*` + `/src/<name>/**`, or that
 * start with `**`), the probe goes to two tries over skeletons
 * (globs/skeleton.ts), built on first use: one over the segments before the
 * first `**`, read from the start (`packages/x/src/<name>/**` is told apart
 * by <name>), one over the segments after the last `**`, read from the end
 * (`src/**` + `/<name>.ts` by <name>.ts). Either walk returns a superset of
 * the overlapping claims; a query walks both with a growing budget and keeps
 * the one that finishes first, so it costs about the smaller of the two.
 */
export class ClaimIndex {
  private readonly byBase = new Map<string, number[]>();
  /** The distinct bases, sorted, and before[i] = how many claims have a base before bases[i]. */
  private sorted: { bases: string[]; before: Int32Array } | undefined;
  private readonly roots: [Node | undefined, Node | undefined] = [undefined, undefined];
  /** stamp[claim] = the query that last returned it: each claim is returned once per query. */
  private readonly stamp: Int32Array;
  private query = 0;
  private readonly found: Entry[] = [];
  /** How many queries were answered from the bases alone, and how many from the tries. */
  readonly queries = { direct: 0, tries: 0 };

  constructor(private readonly claims: readonly Indexed[]) {
    this.stamp = new Int32Array(claims.length);
    claims.forEach((c, i) => {
      const list = this.byBase.get(c.base);
      if (list) list.push(i);
      else this.byBase.set(c.base, [i]);
    });
  }

  /**
   * The indexed claims (by position) whose base is at or above the probe's,
   * and with `below` also those whose base lies below it, that may share a
   * path with the probe; each once, in no particular order. Every claim that
   * overlaps the probe has a base at, above or below the probe's.
   */
  candidates(probe: Indexed, below: boolean): number[] {
    const out: number[] = [];
    const base = probe.base;
    const range = below ? this.below(base) : undefined;
    let region = range?.count ?? 0;
    for (let i = 0; i !== -1 && region <= DIRECT; i = base.indexOf('/', i + 1)) region += this.byBase.get(base.slice(0, i))?.length ?? 0;
    if (base !== '') region += this.byBase.get(base)?.length ?? 0;
    if (region <= DIRECT) {
      this.queries.direct++;
      for (let i = 0; i !== -1; i = base.indexOf('/', i + 1)) for (const k of this.byBase.get(base.slice(0, i)) ?? []) out.push(k);
      if (base !== '') for (const k of this.byBase.get(base) ?? []) out.push(k);
      if (range) for (let b = range.from; b < range.to; b++) for (const k of this.byBase.get(this.sorted!.bases[b]!)!) out.push(k);
      return out;
    }
    this.queries.tries++;
    const found = this.found;
    found.length = 0;
    for (const p of probe.shapes) {
      for (let budget = 256; ; budget *= 4) {
        const mark = found.length;
        if (walk(this.root(HEAD), p, HEAD, budget, found)) break;
        found.length = mark;
        if (walk(this.root(TAIL), p, TAIL, budget, found)) break;
        found.length = mark;
      }
    }
    const q = ++this.query;
    for (const e of found) {
      if (this.stamp[e.claim] === q) continue;
      this.stamp[e.claim] = q;
      const b = this.claims[e.claim]!.base;
      // The same claims the base lookup above would give, so that both ways agree.
      const above = b === '' || b === base || (base.startsWith(b) && base.charCodeAt(b.length) === SLASH);
      if (above || (below && (base === '' || (b.startsWith(base) && b.charCodeAt(base.length) === SLASH)))) out.push(e.claim);
    }
    return out;
  }

  /** The bases strictly below `base` (a range of the sorted bases) and how many claims they hold. */
  private below(base: string): { from: number; to: number; count: number } {
    if (!this.sorted) {
      const bases = [...this.byBase.keys()].sort();
      const before = new Int32Array(bases.length + 1);
      bases.forEach((b, i) => (before[i + 1] = before[i]! + this.byBase.get(b)!.length));
      this.sorted = { bases, before };
    }
    const { bases, before } = this.sorted;
    // Every base strictly below `base` starts with `base/`, and those sort between `base/` and `base0` ('0' follows '/').
    let from = base === '' ? 0 : lowerBound(bases, `${base}/`);
    if (base === '' && bases[0] === '') from = 1;
    const to = base === '' ? bases.length : lowerBound(bases, `${base}0`);
    return { from, to, count: before[to]! - before[from]! };
  }

  private root(side: Side): Node {
    let root = this.roots[side];
    if (root === undefined) {
      root = this.roots[side] = new Node();
      this.claims.forEach((c, claim) => {
        for (const e of c.shapes) insert(root!, claim === e.claim ? e : { ...e, claim }, side, 0);
      });
    }
    return root;
  }
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert(start: Node, e: Entry, side: Side, depth: number): void {
  let node = start;
  let d = depth;
  for (;;) {
    node.size++;
    if (node.bucket !== null) {
      node.bucket.push(e);
      if (node.bucket.length > BURST) burst(node, side, d);
      return;
    }
    if (place(node, e, side, d)) return;
    node = child(node, keyAt(e, side, d));
    d++;
  }
}

/** Files an entry whose key ends at this node; false when it goes deeper. */
function place(node: Node, e: Entry, side: Side, d: number): boolean {
  if (keyLength(e, side) !== d) return false;
  if (e.open) (node.open ??= []).push(e);
  else (node.closed ??= []).push(e);
  return true;
}

function child(node: Node, key: string): Node {
  const map = isPattern(key) ? (node.pat ??= new Map()) : (node.lit ??= new Map());
  let next = map.get(key);
  if (next === undefined) {
    next = new Node();
    map.set(key, next);
  }
  return next;
}

function burst(node: Node, side: Side, d: number): void {
  const entries = node.bucket!;
  node.bucket = null;
  for (const e of entries) if (!place(node, e, side, d)) insert(child(node, keyAt(e, side, d)), e, side, d + 1);
}

/** Every entry below a node. */
function collect(node: Node, out: Entry[]): void {
  if (node.lit === null && node.pat === null) {
    // A leaf: the usual case.
    if (node.bucket) for (const e of node.bucket) out.push(e);
    if (node.open) for (const e of node.open) out.push(e);
    if (node.closed) for (const e of node.closed) out.push(e);
    return;
  }
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.bucket) for (const e of n.bucket) out.push(e);
    if (n.open) for (const e of n.open) out.push(e);
    if (n.closed) for (const e of n.closed) out.push(e);
    if (n.lit) for (const c of n.lit.values()) stack.push(c);
    if (n.pat) for (const c of n.pat.values()) stack.push(c);
  }
}

// Reused by every walk: a lint makes tens of thousands of them.
const nodeStack: Node[] = [];
const depthStack: number[] = [];

/**
 * The entries of one trie that may share a path with `p`, appended to out;
 * false when that costs more than `budget` steps (out then holds a part).
 */
function walk(root: Node, p: Entry, side: Side, budget: number, out: Entry[]): boolean {
  const n = keyLength(p, side);
  const stack = nodeStack;
  const depth = depthStack;
  stack.length = 0;
  depth.length = 0;
  stack.push(root);
  depth.push(0);
  let cost = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    const d = depth.pop()!;
    cost++;
    if (node.bucket !== null) {
      if ((cost += node.bucket.length) > budget) return false;
      for (const e of node.bucket) out.push(e);
    } else if (d === n && p.open) {
      // The probe's `**` takes any continuation: everything below.
      cost += node.size;
      if (cost > budget) return false;
      collect(node, out);
    } else {
      // An entry whose key ends here followed by `**` takes any continuation of the probe.
      if (node.open) {
        if ((cost += node.open.length) > budget) return false;
        for (const e of node.open) out.push(e);
      }
      if (d === n) {
        if (node.closed) {
          if ((cost += node.closed.length) > budget) return false;
          for (const e of node.closed) out.push(e);
        }
      } else {
        const key = keyAt(p, side, d);
        if (isPattern(key)) {
          if (node.lit) {
            for (const [name, c] of node.lit) {
              cost++;
              if (patternMatches(key, name)) {
                stack.push(c);
                depth.push(d + 1);
              }
            }
          }
          if (node.pat) {
            for (const [pattern, c] of node.pat) {
              cost++;
              if (patternsMayMeet(key, pattern)) {
                stack.push(c);
                depth.push(d + 1);
              }
            }
          }
        } else {
          const c = node.lit?.get(key);
          if (c) {
            stack.push(c);
            depth.push(d + 1);
          }
          if (node.pat) {
            for (const [pattern, c] of node.pat) {
              cost++;
              if (patternMatches(pattern, key)) {
                stack.push(c);
                depth.push(d + 1);
              }
            }
          }
        }
      }
    }
    if (cost > budget) return false;
  }
  return true;
}
