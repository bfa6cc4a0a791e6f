import type { SourceTask } from './types.js';

/**
 * Drops each dependency a task has only because of where it stands when
 * another of its dependencies already leads there. The import then adds no
 * redundant-dependency warning of its own making; the dependencies the source
 * wrote are all kept, redundant or not, since saying so is lint's job.
 */
export function reduceImplied(tasks: SourceTask[]): void {
  const byId = new Map<string, SourceTask>();
  for (const t of tasks) if (!byId.has(t.sourceId)) byId.set(t.sourceId, t);
  const edges = (t: SourceTask) => [...t.dependsOn, ...(t.impliedDeps ?? [])];

  /** Whether `target` can be reached from `start` without the edge `skipFrom → target`. */
  const reaches = (start: string, target: string, skipFrom: string): boolean => {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === target) return true;
      const task = byId.get(id);
      if (!task) continue;
      for (const next of edges(task)) {
        if (id === skipFrom && next === target) continue;
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return false;
  };

  for (const t of tasks) {
    if (!t.impliedDeps?.length) continue;
    const kept: string[] = [];
    for (const dep of new Set(t.impliedDeps)) {
      if (t.dependsOn.includes(dep)) continue;
      const others = [...t.dependsOn, ...t.impliedDeps.filter((d) => d !== dep)];
      if (others.some((o) => reaches(o, dep, t.sourceId))) {
        t.impliedDeps = t.impliedDeps.filter((d) => d !== dep);
        continue;
      }
      kept.push(dep);
    }
    t.impliedDeps = kept;
  }
}
