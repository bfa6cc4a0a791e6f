import { appendFileSync, readFileSync } from 'node:fs';
import type { CheckRecord } from './state.js';

/** How many lines of a failed check's output the agent is shown (CLI.md: the last 200). */
export const FEEDBACK_LINES = 200;

/** The last `n` lines of a log, without specdag's own header and closing lines. */
export function tail(log: string, n = FEEDBACK_LINES): string {
  let text: string;
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return '';
  }
  const lines = text.split('\n').filter((l, i, all) => !(l.startsWith('specdag: ') && (i === 0 || i >= all.length - 3)));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n).join('\n');
}

/** A Markdown fence longer than any run of backticks in `text`, so the output cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  return '`'.repeat(longest + 1);
}

/**
 * The section that ends the prompt of an agent started again after a failed
 * check (CLI.md: `## The check failed`, the command, its exit code, the last
 * 200 lines of its output).
 */
export function checkFailedSection(check: CheckRecord, target: string, conflicts: string[] = []): string {
  const output = tail(check.log);
  const f = fence(output);
  const where =
    check.kind === 'merge'
      ? `on your work merged into \`${target}\` (it passed on your branch alone; \`${target}\`'s tip is now merged into your branch, so you see what it holds)`
      : 'in your worktree';
  const how = check.exitCode === null ? 'was stopped before it finished (it ran too long)' : `exited with code ${check.exitCode}`;
  const lines = ['## The check failed', '', `The check \`${check.command}\` ${how}, run ${where}. Fix what it reports, run it yourself until it passes, then stop.`];
  if (conflicts.length > 0) {
    lines.push(
      '',
      `Merging \`${target}\` into your branch conflicted in ${conflicts.map((p) => `\`${p}\``).join(', ')}, so it is not merged yet: merge it (\`git merge ${target}\`), resolve the conflicts keeping the work of both sides, and commit.`,
    );
  }
  lines.push('', `The last ${FEEDBACK_LINES} lines of its output:`, '', `${f}text`, output, f);
  return lines.join('\n');
}

/** The section every prompt ends with when a check is set: the agent knows from its first attempt what it will be judged by. */
export function checkNote(taskCheck: string | undefined, mergeCheck: string | undefined, target: string): string | undefined {
  if (taskCheck === undefined && mergeCheck === undefined) return undefined;
  const lines = ['## The check'];
  if (taskCheck !== undefined) lines.push('', `When you stop, \`${taskCheck}\` is run in your worktree and must exit 0; run it yourself before you stop.`);
  if (mergeCheck !== undefined) lines.push('', `Then your work is merged into \`${target}\` and \`${mergeCheck}\` must pass on the merge too.`);
  return lines.join('\n');
}

/** The section of a prompt after the task changed files outside its `owns` (with outside_owns: fail). */
export function outsideOwnsSection(paths: string[], owns: string[]): string {
  return [
    '## Files outside your owns',
    '',
    `Your last attempt changed files that your task does not own: ${paths.map((p) => `\`${p}\``).join(', ')}. Undo those changes (your task owns ${owns.length ? owns.map((o) => `\`${o}\``).join(', ') : 'no paths'}), then stop.`,
  ].join('\n');
}

/** Copies a check's output into the task's log, so `specdag logs` shows the whole story in order. */
export function appendCheckLog(taskLog: string, check: CheckRecord): void {
  let text = '';
  try {
    text = readFileSync(check.log, 'utf8');
  } catch {
    // nothing to copy
  }
  appendFileSync(taskLog, `\nspecdag: ${check.kind === 'merge' ? 'merge check' : 'check'} (${check.log}):\n${text}`);
}
