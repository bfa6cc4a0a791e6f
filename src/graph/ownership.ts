import type { Item, Spec } from '../spec/types.js';
import { ClaimIndex, shapesOf, type Indexed, type Shape } from './claim-index.js';
import { compileGlob, type CompiledGlob } from './globs/compile.js';
import { compiledOverlap } from './globs/overlap.js';
import { indexBase, skeletons } from './globs/skeleton.js';
import type { TaskGraph } from './graph.js';

/** One `owns` or `reads` entry of one task. */
export class Claim implements Indexed {
  /** A folder at or above the glob's static base: found without compiling it. */
  readonly base: string;
  private compiled: CompiledGlob | undefined;
  private shaped: Shape[] | undefined;

  constructor(
    readonly task: number,
    readonly spec: Spec,
    readonly item: Item,
    /** Position in its list (owns or reads): file order, then list order. */
    readonly index: number,
    /** For reads: shared by the claims with the same text (many tasks read the same files). */
    readonly same?: Same,
  ) {
    this.base = indexBase(item.value);
  }

  /** What the index knows of the glob, read off its text: computed when a probe reaches the tries. */
  get shapes(): Shape[] {
    if (this.same) return (this.same.shapes ??= shapesOf(-1, skeletons(this.item.value)));
    return (this.shaped ??= shapesOf(this.index, skeletons(this.item.value)));
  }

  /** Compiled on first use (once per text for reads): most claims never meet a candidate. */
  get glob(): CompiledGlob {
    if (this.compiled) return this.compiled;
    return (this.compiled = this.same ? (this.same.glob ??= compileGlob(this.item.value)) : compileGlob(this.item.value));
  }
}

/** What claims with the same text share. */
interface Same {
  glob?: CompiledGlob;
  shapes?: Shape[];
  /** The indexed claims a probe with this text meets. */
  candidates?: number[];
}

interface Claims {
  owns: Claim[];
  reads: Claim[];
  /** The owns claims, indexed, shared by both ownership rules. */
  ownsIndex: ClaimIndex;
}

const claimCache = new WeakMap<TaskGraph, Claims>();

/**
 * The owns and reads claims of every parsed task that can run beside
 * another, once per graph. Foundation tasks run alone, one after another
 * and before everything else, so they can never conflict: leaving them out
 * of the index keeps the (usually many) readers of foundation files from
 * being compared with every foundation claim.
 */
export function claimsOf(graph: TaskGraph, specs: Spec[]): Claims {
  let hit = claimCache.get(graph);
  if (hit) return hit;
  const owns: Claim[] = [];
  const reads: Claim[] = [];
  const same = new Map<string, Same>();
  const shared = (text: string): Same => {
    let s = same.get(text);
    if (!s) same.set(text, (s = {}));
    return s;
  };
  for (const spec of specs) {
    if (!spec.parsed || spec.phase === 'foundation') continue;
    const task = graph.index.get(spec.id?.value ?? spec.stem);
    if (task === undefined) continue;
    for (const item of spec.owns) owns.push(new Claim(task, spec, item, owns.length));
    for (const item of spec.reads) reads.push(new Claim(task, spec, item, reads.length, shared(item.value)));
  }
  hit = { owns, reads, ownsIndex: new ClaimIndex(owns) };
  claimCache.set(graph, hit);
  return hit;
}

/**
 * Every pair [probe, owner] of claims from different tasks that overlap and
 * whose tasks may run at the same time. With `sameList` (the probes are the
 * indexed claims themselves) each pair comes once.
 */
export function conflicts(graph: TaskGraph, probes: Claim[], owns: Claim[], index: ClaimIndex, sameList: boolean): [Claim, Claim][] {
  const out: [Claim, Claim][] = [];
  for (const p of probes) {
    // Read probes with the same text meet the same claims; owns are indexed, and mostly distinct.
    const candidates = p.same ? (p.same.candidates ??= index.candidates(p, true)) : index.candidates(p, !sameList);
    for (const k of candidates) {
      const q = owns[k]!;
      // Within one list a pair is met from the claim with the deeper base (from the later one when the bases are equal).
      if (q.task === p.task || (sameList && q.base === p.base && q.index >= p.index)) continue;
      if (!compiledOverlap(p.glob, q.glob) || !graph.concurrent(p.task, q.task)) continue;
      out.push([p, q]);
    }
  }
  return out;
}

/**
 * For each claim and each other task it conflicts with, that task's first
 * conflicting claim (in file and list order): the one a message quotes, so
 * the message does not depend on the order pairs were found in.
 */
export function firstPerTask(pairs: Iterable<[Claim, Claim]>): Map<Claim, Map<number, Claim>> {
  const out = new Map<Claim, Map<number, Claim>>();
  for (const [me, other] of pairs) {
    let byTask = out.get(me);
    if (!byTask) out.set(me, (byTask = new Map()));
    const seen = byTask.get(other.task);
    if (!seen || other.index < seen.index) byTask.set(other.task, other);
  }
  return out;
}
