import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import type { LintResult } from '../lint/engine.js';
import { DEFAULT_ESTIMATE_MINUTES, parseEstimate } from './estimate.js';
import type { PlanTask, RunPlan } from './types.js';

export interface BuildPlanOptions {
  /** The repository root (or the current directory when there is no repository): paths in the plan are relative to it. */
  repoRoot: string;
  /** The current directory, against which relative spec paths are resolved. */
  cwd: string;
}

/**
 * LintResult → RunPlan, pure and deterministic. Everything is one pass over
 * the task graph's topological order (foundation first, ties by id), so a
 * 10,000-deep chain costs the same as 10,000 independent tasks.
 *
 * Waves: each foundation task is a wave of its own, in that order. Every
 * other task takes the earliest wave after all its dependencies' waves and
 * after the last foundation wave; for an integration task this puts it after
 * every parallel task it depends on, never beside one.
 */
export function buildPlan(result: LintResult, opts: BuildPlanOptions): RunPlan {
  const { graph } = result;
  const project = result.specs.project;
  const n = graph.ids.length;
  const worktreeDir = trimSlash(project.worktreeDir ?? `../${basename(resolve(opts.repoRoot))}.worktrees`);

  const root = resolve(opts.repoRoot);
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  // Spec paths are absolute and almost always inside the root: slicing saves a path.relative per task.
  const repoPath = (path: string) => {
    const abs = isAbsolute(path) ? path : resolve(opts.cwd, path);
    return toPosix(abs.startsWith(rootPrefix) ? abs.slice(rootPrefix.length) : relative(root, abs));
  };

  const wave = new Int32Array(n).fill(-1);
  let foundationCount = 0;
  for (const i of graph.order) if (graph.phases[i] === 'foundation') wave[i] = foundationCount++;
  for (const i of graph.order) {
    if (graph.phases[i] === 'foundation') continue;
    let w = foundationCount;
    // A dependency not placed yet sits on a cycle (lint refuses those); it is ignored so the plan still forms.
    for (const j of graph.deps[i]!) if (wave[j]! >= w) w = wave[j]! + 1;
    wave[i] = w;
  }

  const minutes = graph.specs.map((spec) => (spec.estimate ? parseEstimate(spec.estimate.value) : undefined) ?? DEFAULT_ESTIMATE_MINUTES);
  const critical = criticalPath(result, minutes);

  const waveCount = wave.reduce((a, w) => Math.max(a, w + 1), 0);
  const waves: string[][] = Array.from({ length: waveCount }, () => []);
  const width = new Int32Array(waveCount);
  // graph.ids is sorted, so walking indices in order leaves every wave sorted.
  for (let i = 0; i < n; i++) {
    waves[wave[i]!]!.push(graph.ids[i]!);
    if (graph.phases[i] !== 'foundation' && graph.specs[i]!.status !== 'done') width[wave[i]!]!++;
  }
  // maxParallelism counts the agents a wave would run side by side: foundation
  // tasks never run beside anything, and done tasks do not run at all.
  const maxParallelism = width.reduce((a, w) => Math.max(a, w), 0);

  const tasks: PlanTask[] = [];
  for (const ids of waves) {
    for (const id of ids) {
      const i = graph.index.get(id)!;
      const spec = graph.specs[i]!;
      const agent = spec.agent?.value ?? project.defaultAgent;
      tasks.push({
        id,
        title: spec.title?.value ?? id,
        phase: spec.phase,
        dependsOn: graph.deps[i]!.map((j) => graph.ids[j]!),
        status: spec.status,
        estimateMinutes: minutes[i]!,
        wave: wave[i]!,
        branch: `${project.branchPrefix}${id}`,
        worktree: `${worktreeDir}/${id}`,
        file: repoPath(spec.path),
        ...(agent !== undefined ? { agent } : {}),
        owns: spec.owns.map((x) => x.value),
        provides: spec.provides.map((x) => x.value),
        consumes: spec.consumes.map((x) => x.value),
      });
    }
  }

  return {
    version: 1,
    project: project.project ?? null,
    baseBranch: project.baseBranch,
    targetBranch: `${project.branchPrefix}integration`,
    tasks,
    waves,
    criticalPath: critical,
    maxParallelism,
    maxParallel: project.maxParallel,
    worktreeDir,
    targetWorktree: `${worktreeDir}/integration`,
  };
}

/**
 * The longest chain of remaining work through what each task waits for, as
 * `run` orders it (see taskNeeds): the dependencies, each foundation task
 * after the one before it (they run one at a time, so they all lie on the
 * path), and every other task after the last foundation task. Done tasks
 * count 0 minutes and are left out of the listed chain: they will not run.
 * Ties go to the smallest id, at the end of the chain and at every step back.
 * The implicit edges are not walked one by one: the foundation tasks come
 * first in the order, in the order run takes them, and the last one is
 * remembered once.
 */
function criticalPath(result: LintResult, estimate: number[]): { tasks: string[]; minutes: number } {
  const { graph } = result;
  const n = graph.ids.length;
  const weight = (i: number) => (graph.specs[i]!.status === 'done' ? 0 : estimate[i]!);
  const dist = new Float64Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  // Indices order like ids (graph.ids is sorted), so "smaller index" is "smaller id".
  const better = (a: number, b: number) => b === -1 || dist[a]! > dist[b]! || (dist[a] === dist[b] && a < b);
  let bestFoundation = -1;
  for (const i of graph.order) {
    const foundation = graph.phases[i] === 'foundation';
    let p = -1;
    for (const j of graph.deps[i]!) if (dist[j]! >= 0 && better(j, p)) p = j;
    // The foundation task run before this one has waited for every earlier one, so it is never shorter than a dependency.
    if (bestFoundation !== -1 && (foundation || better(bestFoundation, p))) p = bestFoundation;
    dist[i] = weight(i) + (p === -1 ? 0 : dist[p]!);
    prev[i] = p;
    if (foundation) bestFoundation = i;
  }
  let end = -1;
  for (let i = 0; i < n; i++) if (better(i, end)) end = i;
  const chain: string[] = [];
  for (let v = end; v !== -1; v = prev[v]!) if (graph.specs[v]!.status !== 'done') chain.push(graph.ids[v]!);
  chain.reverse();
  return { tasks: chain, minutes: end === -1 ? 0 : dist[end]! };
}

function trimSlash(dir: string): string {
  const trimmed = dir.replace(/[\\/]+$/, '');
  return trimmed === '' ? dir : trimmed;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
