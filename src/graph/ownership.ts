import type { Item, Spec } from '../spec/types.js';
import { compileGlob, quickBase, type CompiledGlob } from './globs/compile.js';
import { compiledOverlap } from './globs/overlap.js';
import type { TaskGraph } from './graph.js';

/** One `owns` or `reads` entry of one task. */
export class Claim {
  /** A folder at or above the glob's static base (quickBase): the index key. */
  readonly base: string;
  private compiled: CompiledGlob | undefined;

  constructor(
    readonly task: number,
    readonly spec: Spec,
    readonly item: Item,
  ) {
    this.base = quickBase(item.value);
  }

  /** Compiled on first use: most claims never meet a candidate. */
  get glob(): CompiledGlob {
    return (this.compiled ??= compileGlob(this.item.value));
  }
}

/**
 * Finds overlapping pairs of path claims without comparing every pair: two
 * globs can only overlap when the static base of one is an ancestor of (or
 * equal to) the other's, so claims are indexed by base and each probe looks
 * up its own base's ancestors and, when asked, its descendants.
 */
export class ClaimIndex {
  private readonly byBase = new Map<string, Claim[]>();
  private sortedBases: string[] | undefined;

  constructor(readonly claims: Claim[]) {
    for (const c of claims) {
      const list = this.byBase.get(c.base);
      if (list) list.push(c);
      else this.byBase.set(c.base, [c]);
    }
  }

  /** Claims whose base is `base` or one of its ancestor folders ('' is the root). */
  *atOrAbove(base: string): Generator<Claim> {
    yield* this.byBase.get('') ?? [];
    if (base === '') return;
    for (let i = base.indexOf('/'); i !== -1; i = base.indexOf('/', i + 1)) yield* this.byBase.get(base.slice(0, i)) ?? [];
    yield* this.byBase.get(base) ?? [];
  }

  /** Claims whose base lies strictly below `base`. */
  *below(base: string): Generator<Claim> {
    this.sortedBases ??= [...this.byBase.keys()].sort();
    const bases = this.sortedBases;
    const prefix = base === '' ? '' : `${base}/`;
    let lo = 0;
    let hi = bases.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bases[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < bases.length && bases[i]!.startsWith(prefix); i++) {
      if (bases[i] !== base) yield* this.byBase.get(bases[i]!)!;
    }
  }
}

interface Claims {
  owns: Claim[];
  reads: Claim[];
  /** The owns claims indexed by base, shared by both ownership rules. */
  ownsIndex: ClaimIndex;
}

const claimCache = new WeakMap<TaskGraph, Claims>();

/**
 * The owns and reads claims of every parsed task that can run beside
 * another, compiled once per graph. Foundation tasks run alone, one after
 * another and before everything else, so they can never conflict: leaving
 * them out of the index keeps the (usually many) readers of foundation
 * files from being compared with every foundation claim.
 */
export function claimsOf(graph: TaskGraph, specs: Spec[]): Claims {
  let hit = claimCache.get(graph);
  if (hit) return hit;
  const owns: Claim[] = [];
  const reads: Claim[] = [];
  for (const spec of specs) {
    if (!spec.parsed || spec.phase === 'foundation') continue;
    const task = graph.index.get(spec.id?.value ?? spec.stem);
    if (task === undefined) continue;
    for (const item of spec.owns) owns.push(new Claim(task, spec, item));
    for (const item of spec.reads) reads.push(new Claim(task, spec, item));
  }
  hit = { owns, reads, ownsIndex: new ClaimIndex(owns) };
  claimCache.set(graph, hit);
  return hit;
}

/** Every pair of claims from different tasks that overlap and whose tasks may run at the same time. */
export function* conflicts(graph: TaskGraph, probes: Claim[], index: ClaimIndex, sameList: boolean): Generator<[Claim, Claim]> {
  const order = sameList ? new Map(probes.map((c, i) => [c, i])) : undefined;
  for (const p of probes) {
    const candidates = sameList ? index.atOrAbove(p.base) : chain(index.atOrAbove(p.base), index.below(p.base));
    for (const q of candidates) {
      if (q.task === p.task) continue;
      // Within one list every pair is met from its deeper side; equal bases are met twice, so keep one.
      if (order && q.base === p.base && order.get(q)! >= order.get(p)!) continue;
      if (!compiledOverlap(p.glob, q.glob) || !graph.concurrent(p.task, q.task)) continue;
      yield [p, q];
    }
  }
}

function* chain<T>(...parts: Iterable<T>[]): Generator<T> {
  for (const part of parts) yield* part;
}
