/**
 * Orders the nodes inside each layer so that edges cross little: a
 * depth-first start, then barycenter sweeps down and up (each node moves to
 * the mean position of its neighbours in the layers before, then after it),
 * keeping the best order seen. Positions are taken relative to their
 * layer's length, so neighbours several layers away count alike. Works on
 * integer arrays; `layerOf[v]` is the layer of node v, `preds` and `succs`
 * its neighbours. Returns the layers, each in its new order.
 */
export function orderLayers(layerOf: ArrayLike<number>, preds: number[][], succs: number[][], layerCount: number, sweeps = 24): number[][] {
  const n = layerOf.length;
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  const seen = new Uint8Array(n);
  const starts = Array.from({ length: n }, (_, i) => i).sort((a, b) => layerOf[a]! - layerOf[b]! || a - b);
  for (const s of starts) {
    const stack = [s];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen[v]) continue;
      seen[v] = 1;
      layers[layerOf[v]!]!.push(v);
      const out = succs[v]!;
      for (let k = out.length - 1; k >= 0; k--) if (!seen[out[k]!]) stack.push(out[k]!);
    }
  }
  const pos = new Float64Array(n);
  const place = (layer: number[]) => layer.forEach((v, i) => (pos[v] = (i + 0.5) / layer.length));
  layers.forEach(place);
  let best = layers.map((l) => [...l]);
  let bestCrossings = crossings(layers, succs, layerOf);
  const weight = new Float64Array(n);
  for (let sweep = 0, sinceBest = 0; sweep < sweeps && sinceBest < 4; sweep++, sinceBest++) {
    const down = sweep % 2 === 0;
    for (let step = 0; step < layerCount; step++) {
      const layer = layers[down ? step : layerCount - 1 - step]!;
      for (const v of layer) {
        const near = down ? preds[v]! : succs[v]!;
        if (near.length === 0) {
          weight[v] = pos[v]!;
          continue;
        }
        let sum = 0;
        for (const u of near) sum += pos[u]!;
        weight[v] = sum / near.length;
      }
      layer.sort((a, b) => weight[a]! - weight[b]! || pos[a]! - pos[b]!);
      place(layer);
    }
    const c = crossings(layers, succs, layerOf);
    if (c < bestCrossings) {
      bestCrossings = c;
      best = layers.map((l) => [...l]);
      sinceBest = 0;
    }
  }
  return best;
}

/**
 * Crossings between the edges that join neighbouring layers (Barth, Jünger
 * and Mutzel's accumulator tree); longer edges are not counted, which is
 * enough to compare two orders of the same graph.
 */
function crossings(layers: number[][], succs: number[][], layerOf: ArrayLike<number>): number {
  const index = new Int32Array(layerOf.length);
  for (const layer of layers) layer.forEach((v, i) => (index[v] = i));
  let total = 0;
  for (let r = 0; r + 1 < layers.length; r++) {
    const south = layers[r + 1]!;
    if (south.length === 0) continue;
    let size = 1;
    while (size < south.length) size <<= 1;
    const tree = new Int32Array(2 * size);
    for (const v of layers[r]!) {
      const ends = succs[v]!.filter((w) => layerOf[w] === r + 1).map((w) => index[w]!).sort((a, b) => a - b);
      for (const e of ends) {
        let i = e + size;
        tree[i]!++;
        while (i > 1) {
          if (i % 2 === 0) total += tree[i + 1]!;
          i >>= 1;
          tree[i]!++;
        }
      }
    }
  }
  return total;
}
