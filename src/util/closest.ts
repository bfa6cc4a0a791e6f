/**
 * The candidate nearest to `word` by edit distance, if it is near enough to
 * be a typo (at most a third of the word's length, at most 3 edits).
 * Candidates are bucketed by length by the caller when there are many: only
 * lengths within the bound can qualify, so the work per query stays bounded.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const bound = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = bound + 1;
  for (const c of candidates) {
    if (c === word || Math.abs(c.length - word.length) >= bestDistance) continue;
    const d = distance(word, c, bestDistance - 1);
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      bestDistance = d;
      best = c;
    }
  }
  return bestDistance <= bound ? best : undefined;
}

/** Optimal-string-alignment distance (a swap of two neighbours is one edit), giving up above `max`. */
export function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** `; did you mean 'x'?` or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = closest(word, candidates);
  return hit === undefined ? '' : `; did you mean '${hit}'?`;
}
