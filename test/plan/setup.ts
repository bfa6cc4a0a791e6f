// Shared by the plan and export tests: spec folders from a compact task list,
// the lint → plan pipeline in-process, and the "tool present?" rule for CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';
import type { Io } from '../../src/io/io.js';
import { lintDir } from '../../src/lint/service.js';
import { main } from '../../src/cli/main.js';
import type { LintResult } from '../../src/lint/engine.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { RunPlan } from '../../src/plan/types.js';
import { tempDir, writeTree } from '../helpers.js';

export interface TaskDef {
  phase?: 'foundation' | 'parallel' | 'integration';
  deps?: string[];
  estimate?: string;
  status?: 'draft' | 'ready' | 'done';
  title?: string;
  owns?: string[];
  provides?: string[];
  consumes?: string[];
  agent?: string;
  /** The spec's own check (version 2). */
  verify?: string;
  /** `allow_empty: true` (version 2). */
  allowEmpty?: boolean;
}

const list = (items: string[]) => `[${items.map((s) => JSON.stringify(s)).join(', ')}]`;

/** The text of one spec; values are written as JSON strings, which YAML reads back exactly. */
export function taskSpec(id: string, t: TaskDef = {}): string {
  const lines = ['---', `id: ${id}`, `title: ${JSON.stringify(t.title ?? `Task ${id}`)}`];
  if (t.phase) lines.push(`phase: ${t.phase}`);
  if (t.deps?.length) lines.push(`depends_on: ${list(t.deps)}`);
  if (t.estimate) lines.push(`estimate: ${t.estimate}`);
  if (t.status) lines.push(`status: ${t.status}`);
  if (t.owns?.length) lines.push(`owns: ${list(t.owns)}`);
  if (t.provides?.length) lines.push(`provides: ${list(t.provides)}`);
  if (t.consumes?.length) lines.push(`consumes: ${list(t.consumes)}`);
  if (t.agent) lines.push(`agent: ${t.agent}`);
  if (t.verify !== undefined) lines.push(`verify: ${JSON.stringify(t.verify)}`);
  if (t.allowEmpty) lines.push('allow_empty: true');
  lines.push('---', '', `# ${id}`, '', '## Goal', `Build ${id}.`, '', '## Acceptance criteria', '- [ ] it works', '');
  return lines.join('\n');
}

/** PROJECT.md from settings given as YAML lines, and a body. */
export function projectMd(frontmatter: string, body = '# The project\nShared context for every agent.'): string {
  return `---\n${frontmatter.trimEnd()}\n---\n${body}\n`;
}

export function specFiles(tasks: Record<string, TaskDef>, project?: string, dir = 'specs'): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [id, t] of Object.entries(tasks)) files[`${dir}/${id}.md`] = taskSpec(id, t);
  if (project !== undefined) files[`${dir}/PROJECT.md`] = project;
  return files;
}

export interface Captured extends Io {
  out(): string;
  err(): string;
}

export function fakeIo(cwd: string, env: NodeJS.ProcessEnv = {}): Captured {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
    env,
    out: () => stdout,
    err: () => stderr,
  };
}

/** Lints a folder in-process; the tests below want folders without errors. */
export async function lintClean(root: string, dir = 'specs'): Promise<LintResult> {
  const io = fakeIo(root);
  const { result } = await lintDir(dir, io);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => `${d.file}:${d.line} ${d.ruleId} ${d.message}`), [], 'the test folder lints without errors');
  return result;
}

/** Writes the tasks to a fresh folder, lints it and plans it (the folder is the repository root). */
export async function planFor(tasks: Record<string, TaskDef>, project?: string): Promise<{ root: string; result: LintResult; plan: RunPlan }> {
  const root = writeTree(tempDir('specdag-plan-'), specFiles(tasks, project));
  const result = await lintClean(root);
  return { root, result, plan: buildPlan(result, { repoRoot: root, cwd: root }) };
}

export function hasTool(command: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return r.error === undefined;
}

/**
 * Tests that need an outside tool run when it is installed. Without it they
 * are skipped, with the reason, except in CI (`CI` set): there the tool must
 * be installed, so a missing one fails the test instead of hiding it.
 */
export function requireTool(t: TestContext, command: string, install: string, args?: string[]): boolean {
  if (hasTool(command, args)) return true;
  if (process.env.CI) assert.fail(`'${command}' is not installed, and CI must run this test: ${install}`);
  t.skip(`'${command}' is not installed (${install})`);
  return false;
}

/** A git repository with one commit on `main`, an identity, and the given files. */
export function gitRepo(root: string, files: Record<string, string>): string {
  writeTree(root, files);
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'specdag test');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return root;
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, `git ${args.join(' ')} in ${cwd}: ${r.error?.message ?? ''} ${r.signal ?? ''} ${r.stderr}`);
  return r.stdout;
}

/**
 * Runs a command in-process (from the sources, like a user would from the
 * binary, minus the process). The binary itself is exercised by a few tests
 * that call `cli()`.
 */
export async function specdag(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = fakeIo(cwd, env);
  const code = await main(argv, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
