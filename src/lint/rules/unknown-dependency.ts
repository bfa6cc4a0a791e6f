import { didYouMean } from '../../util/closest.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'unknown-dependency',
  scope: 'project',
  summary: '`depends_on` names no spec (at the list item; suggest the closest id)',
  help: 'Every id in depends_on must be the id of a spec in the folder. A typo here would let a task start before the work it needs exists.',
  check({ specs, report }) {
    let byLength: Map<number, string[]> | undefined;
    for (const spec of specs.list) {
      for (const dep of spec.dependsOn) {
        if (specs.byId.has(dep.value)) continue;
        // Only ids of a similar length can be a near miss: bucket once, look at a few buckets.
        if (!byLength) {
          byLength = new Map();
          for (const id of specs.byId.keys()) {
            const bucket = byLength.get(id.length);
            if (bucket) bucket.push(id);
            else byLength.set(id.length, [id]);
          }
        }
        const near: string[] = [];
        for (let d = -3; d <= 3; d++) near.push(...(byLength.get(dep.value.length + d) ?? []));
        const lower = dep.value.toLowerCase();
        const hint = lower !== dep.value && specs.byId.has(lower) ? `; did you mean '${lower}'?` : didYouMean(dep.value, near);
        report({ file: spec.file, at: dep.span, message: `depends_on names '${dep.value}', which no spec has${hint}` });
      }
    }
  },
});
