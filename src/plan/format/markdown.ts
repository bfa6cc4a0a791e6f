import { formatMinutes } from '../estimate.js';
import type { RunPlan } from '../types.js';
import { oneLine } from '../../util/text.js';

/**
 * Text inside a GitHub Markdown table cell, shown as written: every
 * punctuation mark Markdown (or GitHub: `@mention`, `#123`, `$math$`) could
 * act on is backslash-escaped, and `|` cannot end the cell.
 */
export function markdownText(text: string): string {
  return oneLine(text).replace(/[\\`*_{}[\]<>()#+!|~$@&:]/g, '\\$&');
}

const code = (id: string) => `\`${id}\``;

/** A table to paste into a pull request: one row per task, wave by wave, the critical path in bold. */
export function formatPlanMarkdown(plan: RunPlan): string {
  const critical = new Set(plan.criticalPath.tasks);
  const lines: string[] = [];
  lines.push(`### Run plan${plan.project === null ? '' : `: ${markdownText(plan.project)}`}`, '');
  const path = plan.criticalPath.tasks.length ? `${plan.criticalPath.tasks.map(code).join(' → ')} (${formatMinutes(plan.criticalPath.minutes)})` : 'nothing left to do';
  lines.push(
    `${plan.tasks.length} task${plan.tasks.length === 1 ? '' : 's'} in ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}, ` +
      `from ${code(markdownCode(plan.baseBranch))} onto ${code(markdownCode(plan.targetBranch))}; up to ${plan.maxParallelism} side by side (max_parallel: ${plan.maxParallel}).`,
    '',
    `**Critical path:** ${path}`,
    '',
    `Each task works on its own branch and worktree, and is merged into ${code(markdownCode(plan.targetBranch))} with \`git merge --no-ff\`.`,
    '',
    '| Wave | Task | Title | Phase | Depends on | Estimate | Status | Branch | Worktree |',
    '| ---: | --- | --- | --- | --- | ---: | --- | --- | --- |',
  );
  for (const t of plan.tasks) {
    const id = critical.has(t.id) ? `**${code(t.id)}**` : code(t.id);
    const deps = t.dependsOn.map(code).join(', ');
    const cells = [String(t.wave), id, markdownText(t.title), t.phase, deps, formatMinutes(t.estimateMinutes), t.status, code(markdownCode(t.branch)), code(markdownCode(t.worktree))];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** A branch name inside a code span in a table: only `|` and backticks need care. */
function markdownCode(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|').replace(/`/g, "'");
}
