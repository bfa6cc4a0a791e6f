import type { RunPlan } from '../plan/types.js';

/**
 * What each task waits for in an exported engine: its `depends_on`, plus the
 * order the plan adds: a foundation task waits for the foundation task before
 * it (they run one at a time), any other task for the last foundation task.
 */
export function taskNeeds(plan: RunPlan): Map<string, string[]> {
  const foundation = plan.tasks.filter((t) => t.phase === 'foundation').map((t) => t.id);
  const known = new Set(plan.tasks.map((t) => t.id));
  const needs = new Map<string, string[]>();
  let previous: string | undefined;
  for (const task of plan.tasks) {
    const set = new Set(task.dependsOn.filter((d) => known.has(d)));
    if (task.phase === 'foundation') {
      // Tasks are in wave order, and foundation waves come first, one task each.
      if (previous !== undefined) set.add(previous);
      previous = task.id;
    } else if (foundation.length > 0) {
      set.add(foundation[foundation.length - 1]!);
    }
    needs.set(task.id, [...set].sort());
  }
  return needs;
}

