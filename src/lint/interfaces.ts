import type { Item, Spec, SpecSet } from '../spec/types.js';

const cache = new WeakMap<SpecSet, Map<string, { spec: Spec; item: Item }[]>>();

/** Interface name → the tasks that provide it (in file order); shared by the interface rules. */
export function providers(specs: SpecSet): Map<string, { spec: Spec; item: Item }[]> {
  let map = cache.get(specs);
  if (map) return map;
  map = new Map();
  for (const spec of specs.list) {
    for (const item of spec.provides) {
      const list = map.get(item.value);
      if (list) list.push({ spec, item });
      else map.set(item.value, [{ spec, item }]);
    }
  }
  cache.set(specs, map);
  return map;
}

export const taskId = (spec: Spec): string => spec.id?.value ?? spec.stem;
