import { readFileSync } from 'node:fs';
import type { LintResult } from '../lint/engine.js';
import type { Spec } from '../spec/types.js';
import type { PlanTask, RunPlan } from './types.js';

/** Reads a spec file's text; tests and callers that hold the text already can pass their own. */
export type ReadText = (absolutePath: string) => string;

const readUtf8: ReadText = (path) => readFileSync(path, 'utf8');

function specOf(task: PlanTask, result: LintResult): Spec | undefined {
  const index = result.graph.index.get(task.id);
  return index === undefined ? undefined : result.graph.specs[index];
}

/** The task's check (CLI.md, "Trusted results"): its spec's `verify`, else PROJECT.md's; undefined when neither sets one. */
export function taskCheck(task: PlanTask, result: LintResult): string | undefined {
  const set = (command: string | undefined) => (command !== undefined && command.trim() !== '' ? command : undefined);
  return set(specOf(task, result)?.verify?.value) ?? set(result.specs.project.verify);
}

/** True when the spec says `allow_empty: true`: an agent that changes nothing still succeeds. */
export function taskAllowsEmpty(task: PlanTask, result: LintResult): boolean {
  return specOf(task, result)?.allowEmpty === true;
}

/**
 * The prompt an agent gets on stdin (CLI.md, `run`): PROJECT.md's body, the
 * task's spec file as written, and the titles and `provides` of the tasks it
 * depends on; it names the task's check from the first attempt, so a good
 * agent runs it before it stops. The spec file is the only thing read from
 * disk.
 */
export function buildPrompt(task: PlanTask, plan: RunPlan, result: LintResult, readText: ReadText = readUtf8): string {
  const byId = new Map(plan.tasks.map((t) => [t.id, t]));
  const spec = specOf(task, result);
  const specText = spec ? readText(spec.path).replace(/^\uFEFF/, '') : '';
  const upstream = task.dependsOn.length > 0 ? ', which already holds the work of the tasks you depend on' : '';
  const beside = task.phase === 'parallel' ? ' Other tasks run beside you on branches of their own.' : '';
  const where =
    `You work on your own branch \`${task.branch}\`, made from the target branch \`${plan.targetBranch}\`${upstream}; ` +
    `when you finish, it is merged into \`${plan.targetBranch}\`.${beside}`;

  const parts: string[] = [];
  const body = result.specs.project.body.trim();
  if (body) parts.push(body, '---');
  const lines = [`# Your task: ${task.id}`, '', where];
  if (task.owns.length > 0) lines.push(`Change only these paths (your \`owns\`): ${task.owns.map((p) => `\`${p}\``).join(', ')}.`);
  lines.push('What you leave uncommitted is committed for you when you exit; exit with status 0 when the acceptance criteria are met.');
  if (!taskAllowsEmpty(task, result)) lines.push('Exiting without changing anything fails the task.');
  const check = taskCheck(task, result);
  if (check !== undefined) lines.push(`Before you stop, run the check \`${check}\` and make it pass: your work is merged only when it exits 0.`);
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

/** How many lines of a failed check's output a retry prompt quotes (CLI.md, "Trusted results"). */
export const CHECK_TAIL_LINES = 200;

export interface FailedCheck {
  command: string;
  exitCode: number;
  /** The check's whole output; the section quotes its last CHECK_TAIL_LINES lines. */
  output: string;
  /** Set when the check failed on the task's branch merged with the target branch (failure `merge-verify`): that branch's name. */
  mergedWith?: string;
}

/**
 * The section a retry's prompt ends with (appended to buildPrompt's text):
 * the command, its exit code, the last 200 lines of its output. The `sh`
 * export writes the same bytes from its own shell code; a test holds the two
 * together.
 */
export function checkFailedSection(check: FailedCheck): string {
  const where =
    check.mergedWith === undefined
      ? 'in your worktree'
      : `on your branch merged with \`${check.mergedWith}\` (its tip is now merged into your branch, so you see what broke)`;
  const tail = lastLines(check.output, CHECK_TAIL_LINES);
  return (
    `\n## The check failed\n\n` +
    `\`${check.command}\` exited with code ${check.exitCode} ${where}. Fix what it reports and run it again before you stop.\n\n` +
    `The last ${CHECK_TAIL_LINES} lines of its output:\n\n` +
    `~~~~\n${tail}${tail === '' || tail.endsWith('\n') ? '' : '\n'}~~~~\n`
  );
}

/** The last `n` lines of `text`, as `tail -n` counts them (a last line without a newline counts). */
function lastLines(text: string, n: number): string {
  let end = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let k = 0; k < n; k++) {
    if (end <= 0) return text;
    const nl = text.lastIndexOf('\n', end - 1);
    if (nl === -1) return text;
    end = nl;
  }
  return text.slice(end + 1);
}
