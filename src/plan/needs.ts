import type { RunPlan } from './types.js';

/**
 * What each task waits for, as `run` orders the work: its `depends_on`, plus
 * the order the plan adds: a foundation task waits for the foundation task
 * before it (they run one at a time), every other task for the last
 * foundation task. The exports wait on exactly these, and the pictures
 * (dot, mermaid) draw exactly these, the added ones dashed.
 */
export function taskNeeds(plan: RunPlan): Map<string, string[]> {
  const foundation = plan.tasks.filter((t) => t.phase === 'foundation').map((t) => t.id);
  const last = foundation[foundation.length - 1];
  const known = new Set(plan.tasks.map((t) => t.id));
  const needs = new Map<string, string[]>();
  let previous: string | undefined;
  for (const task of plan.tasks) {
    const set = new Set(task.dependsOn.filter((d) => known.has(d)));
    if (task.phase === 'foundation') {
      // Tasks are in wave order, and foundation waves come first, one task each.
      if (previous !== undefined) set.add(previous);
      previous = task.id;
    } else if (last !== undefined) {
      set.add(last);
    }
    needs.set(task.id, [...set].sort());
  }
  return needs;
}
