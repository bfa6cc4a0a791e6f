/** How many edits a typo may be: a third of the word's length, at least 1, at most 3. */
function boundFor(word: string): number {
  return Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/**
 * The candidate nearest to `word` by edit distance, if it is near enough to
 * be a typo (see boundFor); ties go to the candidate that sorts first, so the
 * answer does not depend on the candidates' order.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const found: Nearest = { best: undefined, distance: boundFor(word) };
  scan(word, candidates, found);
  return found.best;
}

interface Nearest {
  best: string | undefined;
  /** The best one's distance, or the bound while there is none. */
  distance: number;
}

function scan(word: string, candidates: Iterable<string>, found: Nearest): void {
  for (const c of candidates) {
    if (c === word || Math.abs(c.length - word.length) > found.distance) continue;
    const d = distance(word, c, found.distance);
    if (d > found.distance) continue;
    if (found.best === undefined || d < found.distance || c < found.best) {
      found.best = c;
      found.distance = d;
    }
  }
}

// Two reused rows (and the one before) of the distance table: suggestions run
// for every unknown name of a folder, and allocating per call showed in profiles.
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];
const FAR = 1 << 20;

/**
 * Optimal-string-alignment distance (a swap of two neighbours is one edit)
 * when it is at most `max`, else max + 1. Only the cells within `max` of
 * the diagonal can stay under the bound, so only those are computed.
 */
export function distance(a: string, b: string, max: number): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (rows[0]!.length < m + 2) rows = [new Int32Array(m * 2 + 2), new Int32Array(m * 2 + 2), new Int32Array(m * 2 + 2)];
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= m; j++) prev[j] = j <= max ? j : FAR;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(m, i + max);
    cur[lo - 1] = lo === 1 && i <= max ? i : FAR;
    let rowMin = cur[lo - 1]!;
    const ca = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const cb = b.charCodeAt(j - 1);
      let v = prev[j - 1]! + (ca === cb ? 0 : 1);
      const del = prev[j]! + 1;
      if (del < v) v = del;
      const ins = cur[j - 1]! + 1;
      if (ins < v) v = ins;
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) {
        const swap = prev2[j - 2]! + 1;
        if (swap < v) v = swap;
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (hi < m) cur[hi + 1] = FAR;
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  const d = prev[m]!;
  return d > max ? max + 1 : d;
}

/** `; did you mean 'x'?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  return hint(closest(word, candidates));
}

const hint = (hit: string | undefined): string => (hit === undefined ? '' : `; did you mean '${hit}'?`);

/**
 * Did-you-mean over one set of names for many words, as a rule needs it:
 * the names are bucketed by length once (only lengths within the bound can
 * qualify), each distinct word is looked up once, and the whole search has a
 * budget of name comparisons, after which words get no suggestion. A folder
 * with 40,000 unknown names must not cost 40,000 scans of every name.
 */
export class Suggester {
  private buckets: Map<number, string[]> | undefined;
  private readonly answers = new Map<string, string>();
  private comparisons = 0;

  constructor(
    private readonly names: Iterable<string>,
    /** Name comparisons in all; about 0.1 s of work. */
    private readonly budget = 1_000_000,
  ) {}

  /** `; did you mean 'x'?` or nothing. */
  hint(word: string): string {
    let answer = this.answers.get(word);
    if (answer === undefined) {
      answer = hint(this.closest(word));
      this.answers.set(word, answer);
    }
    return answer;
  }

  private closest(word: string): string | undefined {
    if (!this.buckets) {
      this.buckets = new Map();
      for (const name of this.names) {
        const bucket = this.buckets.get(name.length);
        if (bucket) bucket.push(name);
        else this.buckets.set(name.length, [name]);
      }
    }
    const bound = boundFor(word);
    let size = 0;
    for (let d = -bound; d <= bound; d++) size += this.buckets.get(word.length + d)?.length ?? 0;
    if (this.comparisons + size > this.budget) return undefined;
    this.comparisons += size;
    const found: Nearest = { best: undefined, distance: bound };
    // Nearest lengths first: a near hit rules the farther lengths out.
    for (const d of [0, -1, 1, -2, 2, -3, 3]) {
      if (Math.abs(d) <= found.distance) scan(word, this.buckets.get(word.length + d) ?? [], found);
    }
    return found.best;
  }
}
