import { readFileSync } from 'node:fs';
import type { LintResult } from '../lint/engine.js';
import type { PlanTask, RunPlan } from './types.js';

/** Reads a spec file's text; tests and callers that hold the text already can pass their own. */
export type ReadText = (absolutePath: string) => string;

const readUtf8: ReadText = (path) => readFileSync(path, 'utf8');

/**
 * The prompt an agent gets on stdin (CLI.md, `run`): PROJECT.md's body, the
 * task's spec file as written, and the titles and `provides` of the tasks it
 * depends on. The spec file is the only thing read from disk.
 */
export function buildPrompt(task: PlanTask, plan: RunPlan, result: LintResult, readText: ReadText = readUtf8): string {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const index = result.graph.index.get(task.id);
  const spec = index === undefined ? undefined : result.graph.specs[index];
  const specText = spec ? readText(spec.path).replace(/^\uFEFF/, '') : '';
  const upstream = task.dependsOn.length > 0 ? ', which already holds the work of the tasks you depend on' : '';
  const beside = task.phase === 'parallel' ? '; other tasks run beside you on branches of their own' : '';
  const where = `You work on your own branch \`${task.branch}\`${upstream}${beside}; it is merged into \`${plan.targetBranch}\` when you are done.`;

  const parts: string[] = [];
  const body = result.specs.project.body.trim();
  if (body) parts.push(body, '---');
  const lines = [`# Your task: ${task.id}`, '', where];
  if (task.owns.length > 0) lines.push(`Change only these paths (your \`owns\`): ${task.owns.map((p) => `\`${p}\``).join(', ')}.`);
  lines.push('What you leave uncommitted is committed for you when you exit; exit with status 0 when the acceptance criteria are met.');
  parts.push(lines.join('\n'));
  parts.push(`## The spec (${task.file})\n\n${specText.trimEnd()}`);
  if (task.dependsOn.length > 0) {
    const deps = task.dependsOn.map((id) => {
      const dep = byId.get(id);
      const provides = dep && dep.provides.length > 0 ? `; provides ${dep.provides.map((p) => `\`${p}\``).join(', ')}` : '';
      return `- \`${id}\`: ${dep?.title ?? id}${provides}`;
    });
    parts.push(`## Done before you (your dependencies)\n\n${deps.join('\n')}`);
  }
  return `${parts.join('\n\n')}\n`;
}
