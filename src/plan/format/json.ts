import type { RunPlan } from '../types.js';

/** The contract's `plan --format json` shape (CLI.md), keys in its order, the extensions after. */
export function formatPlanJson(plan: RunPlan): string {
  const out = {
    version: plan.version,
    project: plan.project,
    baseBranch: plan.baseBranch,
    targetBranch: plan.targetBranch,
    tasks: plan.tasks.map((t) => ({
      id: t.id,
      title: t.title,
      phase: t.phase,
      dependsOn: t.dependsOn,
      status: t.status,
      estimateMinutes: t.estimateMinutes,
      wave: t.wave,
      branch: t.branch,
      worktree: t.worktree,
      file: t.file,
      ...(t.agent !== undefined ? { agent: t.agent } : {}),
      owns: t.owns,
      provides: t.provides,
      consumes: t.consumes,
    })),
    waves: plan.waves,
    criticalPath: { tasks: plan.criticalPath.tasks, minutes: plan.criticalPath.minutes },
    maxParallelism: plan.maxParallelism,
    maxParallel: plan.maxParallel,
    worktreeDir: plan.worktreeDir,
    targetWorktree: plan.targetWorktree,
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
