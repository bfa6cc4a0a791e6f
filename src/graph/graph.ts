import type { Phase, Spec, SpecSet } from '../spec/types.js';

/**
 * The task graph: one node per task id, an edge `dep → task` for every
 * `depends_on` (the dependency finishes first), held as dense integer
 * arrays. The algorithms are iterative: graphlib's own tarjan
 * and topsort recurse once per node and overflow the stack on the
 * 10,000-deep chains specdag must accept.
 *
 * The implicit rule "every parallel and integration task comes after every
 * foundation task" is answered in `reaches` from the phases, instead of as
 * F×P edges (400 × 9,600 at the 10,000-spec scale).
 */
export class TaskGraph {
  /** Task ids, sorted. Index i in every array below refers to ids[i]. */
  readonly ids: string[];
  readonly index: Map<string, number>;
  readonly specs: Spec[];
  readonly phases: Phase[];
  /** Explicit edges: deps[i] = the tasks i depends on; dependents[i] = the tasks that depend on i. Sorted. */
  readonly deps: number[][];
  readonly dependents: number[][];
  /** Strongly connected components of size ≥ 2 (sorted member indices), sorted by first member. */
  readonly cycles: number[][];
  /** inCycle[i] = the cycle index, or -1. */
  readonly inCycle: Int32Array;
  /** A deterministic topological order (ties broken by id); tasks on or behind a cycle come last, in id order. */
  readonly order: number[];
  /** ordered[i] = 1 when task i has a true topological position (not on or behind a cycle). */
  readonly ordered: Uint8Array;
  /** Position of each task in `order`. */
  readonly topo: Int32Array;
  /**
   * The position of each task's strongly connected component in a
   * topological order of the components: a dependency never has a higher
   * rank than its dependent, on, behind or away from a cycle alike. What
   * prunes the walks of `reaches` and redundant-dependency.
   */
  readonly rank: Int32Array;
  private readonly reachCache = new Map<number, boolean>();
  /** seen[i] === walk: task i was met by the current walk (no fresh array per question). */
  private seen: Int32Array | undefined;
  private walk = 0;

  constructor(set: SpecSet) {
    const ids = [...set.byId.keys()].sort();
    this.ids = ids;
    this.index = new Map(ids.map((id, i) => [id, i]));
    this.specs = ids.map((id) => set.byId.get(id)![0]!);
    this.phases = this.specs.map((s) => s.phase);
    const n = ids.length;
    this.deps = new Array<number[]>(n);
    for (let i = 0; i < n; i++) {
      const list: number[] = [];
      for (const spec of set.byId.get(ids[i]!)!) {
        for (const dep of spec.dependsOn) {
          const j = this.index.get(dep.value);
          if (j !== undefined && j !== i) list.push(j);
        }
      }
      list.sort((a, b) => a - b);
      // Sorted: duplicates are neighbours.
      let k = 0;
      for (let x = 0; x < list.length; x++) if (x === 0 || list[x] !== list[x - 1]) list[k++] = list[x]!;
      list.length = k;
      this.deps[i] = list;
    }
    this.dependents = new Array<number[]>(n);
    for (let i = 0; i < n; i++) this.dependents[i] = [];
    for (let i = 0; i < n; i++) for (const j of this.deps[i]!) this.dependents[j]!.push(i);

    // Tarjan gives each component after every component it depends on: that order is a topological one.
    const components = stronglyConnected(this.deps);
    this.rank = new Int32Array(n);
    components.forEach((c, k) => c.forEach((i) => (this.rank[i] = k)));
    this.cycles = components.filter((c) => c.length > 1);
    this.cycles.sort((a, b) => a[0]! - b[0]!);
    this.inCycle = new Int32Array(n).fill(-1);
    this.cycles.forEach((c, k) => c.forEach((i) => (this.inCycle[i] = k)));
    const { order, placed } = topologicalOrder(this.deps, this.dependents, this.phases);
    this.order = order;
    this.ordered = placed;
    this.topo = new Int32Array(n);
    this.order.forEach((i, pos) => (this.topo[i] = pos));
  }

  /** True when task `a` must finish before task `b` starts (explicit edges and the foundation rule). */
  reaches(a: number, b: number): boolean {
    if (a === b) return false;
    const pa = this.phases[a];
    const pb = this.phases[b];
    if (pa === 'foundation' && pb !== 'foundation') return true;
    const key = a * this.ids.length + b;
    const hit = this.reachCache.get(key);
    if (hit !== undefined) return hit;
    const result = this.search(a, b);
    this.reachCache.set(key, result);
    return result;
  }

  /** May the two tasks run at the same time? Neither comes before the other. */
  concurrent(a: number, b: number): boolean {
    if (a === b) return false;
    if (this.phases[a] === 'foundation' || this.phases[b] === 'foundation') return false;
    return !this.reaches(a, b) && !this.reaches(b, a);
  }

  /**
   * Walks back from `b` through explicit dependencies looking for `a`. Only
   * tasks ranked at or after `a` can lead to it: that keeps the walk short
   * even on 1,000-deep chains, and behind a cycle too.
   */
  private search(a: number, b: number): boolean {
    const floor = this.rank[a]!;
    if (floor > this.rank[b]!) return false;
    const seen = (this.seen ??= new Int32Array(this.ids.length));
    const walk = ++this.walk;
    const stack = [b];
    seen[b] = walk;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const u of this.deps[v]!) {
        if (u === a) return true;
        if (seen[u] === walk || this.rank[u]! < floor) continue;
        seen[u] = walk;
        stack.push(u);
      }
    }
    return false;
  }
}

/** Tarjan's algorithm without recursion: components as sorted index lists. */
export function stronglyConnected(succ: number[][]): number[][] {
  const n = succ.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  const work: [number, number][] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    work.push([root, 0]);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const v = frame[0];
      if (frame[1] === 0 && index[v] === -1) {
        index[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = 1;
      }
      const edges = succ[v]!;
      if (frame[1] < edges.length) {
        const w = edges[frame[1]++]!;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        out.push(component.sort((a, b) => a - b));
      }
    }
  }
  return out;
}

/**
 * Kahn's algorithm with a heap, so that among ready tasks the foundation ones
 * come first and then the smallest id: the same folder always gives the same
 * order. Tasks left on a cycle are appended in id order.
 */
export function topologicalOrder(deps: number[][], dependents: number[][], phases: Phase[]): { order: number[]; placed: Uint8Array } {
  const n = deps.length;
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) weight[i] = (phases[i] === 'foundation' ? 0 : n) + i;
  const remaining = Int32Array.from(deps, (d) => d.length);
  const heap = new MinHeap(weight);
  for (let i = 0; i < n; i++) if (remaining[i] === 0) heap.push(i);
  const order: number[] = [];
  const placed = new Uint8Array(n);
  while (heap.size > 0) {
    const v = heap.pop();
    order.push(v);
    placed[v] = 1;
    for (const w of dependents[v]!) if (--remaining[w]! === 0) heap.push(w);
  }
  for (let i = 0; i < n; i++) if (!placed[i]) order.push(i);
  return { order, placed };
}

class MinHeap {
  private readonly items: number[] = [];
  constructor(private readonly weight: Float64Array) {}
  get size(): number {
    return this.items.length;
  }
  push(v: number): void {
    const a = this.items;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.weight[a[p]!]! <= this.weight[a[i]!]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.weight[a[l]!]! < this.weight[a[m]!]!) m = l;
        if (r < a.length && this.weight[a[r]!]! < this.weight[a[m]!]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
