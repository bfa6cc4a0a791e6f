import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shQuote } from '../export/quote.js';

/** The tools whose edits the hook checks against the task's `owns` (CLI.md, `hook claude-pre-tool-use`). */
export const EDIT_TOOLS = 'Write|Edit|MultiEdit|NotebookEdit';

/**
 * This very specdag as a shell command: the node binary running it and the
 * built CLI, both absolute, so a hook works without specdag on PATH (an
 * `npx` run, a checkout). Every built file sits one folder below dist/
 * (dist/cli, dist/chunks); run from the sources (tests), the build beside
 * them is used.
 */
export function specdagCommand(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bin = [resolve(here, '..', 'cli', 'bin.js'), resolve(here, '..', '..', 'dist', 'cli', 'bin.js')].find((p) => existsSync(p)) ?? process.argv[1] ?? 'specdag';
  return `${shQuote(process.execPath)} ${shQuote(bin)}`;
}

/**
 * Writes a task's Claude Code settings: only a PreToolUse hook that holds
 * its edits to its `owns`. The file lives in the run's folder, never in the
 * worktree, so nothing of it is committed; the agent command passes it on
 * (`claude -p --settings "$SPECDAG_CLAUDE_SETTINGS"`). Returns its path.
 */
export function writeClaudeSettings(runDir: string, taskId: string, specdag: string): string {
  const dir = join(runDir, 'claude-settings');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${taskId}.json`);
  const settings = { hooks: { PreToolUse: [{ matcher: EDIT_TOOLS, hooks: [{ type: 'command', command: `${specdag} hook claude-pre-tool-use` }] }] } };
  writeFileSync(path, `${JSON.stringify(settings, null, 2)}\n`);
  return path;
}
