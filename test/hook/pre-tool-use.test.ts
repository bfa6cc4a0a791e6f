// `specdag hook claude-pre-tool-use` with PreToolUse events shaped as Claude
// Code sends them (every field it writes, per tool), through the built
// binary: exit 2 and one sentence for an edit outside the task's owns, exit 0
// and silence otherwise, exit 0 with a note for input it cannot judge.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { claudePreToolUse } from '../../src/hook/claude-pre-tool-use.js';
import { BIN, specText, tempDir, writeTree } from '../helpers.js';

/** A worktree (a git checkout: `.git` marks its root) and the task's spec in the main checkout, as run sets them up. */
function setup(owns = 'owns:\n  - src/auth/**\n  - test/auth/**\n'): { worktree: string; spec: string } {
  const main = tempDir('specdag-main-');
  const worktree = tempDir('specdag-wt-');
  writeTree(main, { 'specs/auth-api.md': specText('auth-api', owns) });
  writeTree(worktree, { '.git': 'gitdir: /somewhere/.git/worktrees/auth-api\n', 'src/auth/index.ts': 'export {};\n', 'src/app.ts': '\n' });
  mkdirSync(join(worktree, 'test'));
  return { worktree, spec: join(main, 'specs', 'auth-api.md') };
}

/** A PreToolUse event as Claude Code writes it on the hook's stdin. */
function event(cwd: string, tool: string, toolInput: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: '5f3c1f8e-2b7a-4f0e-9a51-1d2c3b4a5e6f',
    transcript_path: '/home/dev/.claude/projects/-work-shop/5f3c1f8e-2b7a-4f0e-9a51-1d2c3b4a5e6f.jsonl',
    cwd,
    permission_mode: 'acceptEdits',
    hook_event_name: 'PreToolUse',
    tool_name: tool,
    tool_input: toolInput,
    tool_use_id: 'toolu_01ABCDEF0123456789',
  });
}

const inputs = {
  Write: (p: string) => ({ file_path: p, content: 'export const x = 1;\n' }),
  Edit: (p: string) => ({ file_path: p, old_string: 'export {};', new_string: 'export const y = 2;', replace_all: false }),
  MultiEdit: (p: string) => ({ file_path: p, edits: [{ old_string: 'a', new_string: 'b' }, { old_string: 'c', new_string: 'd', replace_all: true }] }),
  NotebookEdit: (p: string) => ({ notebook_path: p, cell_id: 'cell-3', new_source: 'print(1)', cell_type: 'code', edit_mode: 'replace' }),
};

function hook(input: string, env: NodeJS.ProcessEnv, cwd: string) {
  const r = spawnSync(process.execPath, [BIN, 'hook', 'claude-pre-tool-use'], { input, cwd, encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('each editing tool inside owns, by relative and absolute path: exit 0, nothing printed', () => {
  const { worktree, spec } = setup();
  for (const [tool, input] of Object.entries(inputs)) {
    for (const path of ['src/auth/index.ts', join(worktree, 'test', 'auth', 'new.test.ts'), 'src/auth/deep/new/file.ipynb']) {
      const r = hook(event(worktree, tool, input(path)), { SPECDAG_SPEC_FILE: spec }, worktree);
      assert.deepEqual(r, { code: 0, stdout: '', stderr: '' }, `${tool} ${path}`);
    }
  }
});

test('each editing tool outside owns: exit 2, one sentence on stderr naming the path and the owns', () => {
  const { worktree, spec } = setup();
  for (const [tool, input] of Object.entries(inputs)) {
    for (const path of ['src/app.ts', join(worktree, 'README.md'), 'src/authx/a.ts']) {
      const r = hook(event(worktree, tool, input(path)), { SPECDAG_SPEC_FILE: spec }, worktree);
      assert.equal(r.code, 2, `${tool} ${path}`);
      assert.equal(r.stdout, '');
      const rel = path.startsWith('/') ? 'README.md' : path;
      assert.equal(
        r.stderr,
        `specdag: ${rel} is outside what task 'auth-api' may change (owns: src/auth/**, test/auth/**); change only files those globs match and leave ${rel} to the task that owns it\n`,
      );
    }
  }
});

test('a relative path is read from the event\'s cwd, which may be a subfolder of the worktree', () => {
  const { worktree, spec } = setup();
  const sub = join(worktree, 'src');
  assert.equal(hook(event(sub, 'Edit', inputs.Edit('auth/index.ts')), { SPECDAG_SPEC_FILE: spec }, worktree).code, 0);
  // A CLAUDE_PROJECT_DIR passed down from an outer session does not move the worktree.
  assert.equal(hook(event(sub, 'Edit', inputs.Edit('auth/index.ts')), { SPECDAG_SPEC_FILE: spec, CLAUDE_PROJECT_DIR: tempDir() }, worktree).code, 0);
  const out = hook(event(sub, 'Write', inputs.Write('app.ts')), { SPECDAG_SPEC_FILE: spec }, worktree);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /^specdag: src\/app\.ts is outside what task 'auth-api' may change/);
});

test('outside the worktree, by `..`, by absolute path or through a symlink: exit 2', () => {
  const { worktree, spec } = setup();
  const elsewhere = tempDir('specdag-elsewhere-');
  symlinkSync(elsewhere, join(worktree, 'src', 'auth', 'escape'));
  for (const path of ['../../etc/passwd', '/etc/passwd', join(elsewhere, 'x.ts'), 'src/auth/escape/x.ts', 'src/auth/../../../x.ts']) {
    const r = hook(event(worktree, 'Write', inputs.Write(path)), { SPECDAG_SPEC_FILE: spec }, worktree);
    assert.equal(r.code, 2, path);
    assert.match(r.stderr, /^specdag: .* lies outside this task's worktree .*; task 'auth-api' may change only files there that its owns match \(src\/auth\/\*\*, test\/auth\/\*\*\)\n$/, path);
  }
});

test('other tools pass silently; without SPECDAG_SPEC_FILE everything passes', () => {
  const { worktree, spec } = setup();
  for (const [tool, input] of [
    ['Bash', { command: 'rm -rf src/app.ts', description: 'remove' }],
    ['Read', { file_path: 'src/app.ts' }],
    ['mcp__specdag__write_spec', { id: 'x', markdown: 'y' }],
  ] as const) {
    assert.deepEqual(hook(event(worktree, tool, input), { SPECDAG_SPEC_FILE: spec }, worktree), { code: 0, stdout: '', stderr: '' }, tool);
  }
  assert.deepEqual(hook(event(worktree, 'Write', inputs.Write('/etc/passwd')), {}, worktree), { code: 0, stdout: '', stderr: '' });
  assert.deepEqual(hook('not json at all', {}, worktree), { code: 0, stdout: '', stderr: '' });
});

test('input it cannot judge is exit 0 with one line on stderr, never a crash', () => {
  const { worktree, spec } = setup();
  const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['', { SPECDAG_SPEC_FILE: spec }, /not JSON \(stdin was empty\)/],
    ['{"tool_name": "Write", ', { SPECDAG_SPEC_FILE: spec }, /not JSON/],
    ['[1, 2]', { SPECDAG_SPEC_FILE: spec }, /not a JSON object/],
    ['{"tool_input": {}}', { SPECDAG_SPEC_FILE: spec }, /has no tool_name/],
    ['{"tool_name": "Write", "tool_input": {"content": "x"}}', { SPECDAG_SPEC_FILE: spec }, /Write event has no tool_input\.file_path/],
    ['{"tool_name": "NotebookEdit", "tool_input": {"file_path": "a.ipynb"}}', { SPECDAG_SPEC_FILE: spec }, /no tool_input\.notebook_path/],
    [event(worktree, 'Write', inputs.Write('src/app.ts')), { SPECDAG_SPEC_FILE: join(worktree, 'missing.md') }, /cannot read SPECDAG_SPEC_FILE .*missing\.md \(ENOENT\)/],
  ];
  for (const [input, env, message] of cases) {
    const r = hook(input, env, worktree);
    assert.equal(r.code, 0, input);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message, input);
    assert.match(r.stderr, /^specdag hook: .*; the edit is not checked\n$/);
  }
});

test('a task that owns nothing may change nothing, and says why', () => {
  const { worktree, spec } = setup('owns: []\n');
  const r = hook(event(worktree, 'Write', inputs.Write('src/auth/index.ts')), { SPECDAG_SPEC_FILE: spec }, worktree);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^specdag: task 'auth-api' owns no files \(its spec .*auth-api\.md lists no owns\), so it may not change src\/auth\/index\.ts/);
});

test('a spec the plain reader cannot read is read by the YAML parser, with the same result', async () => {
  const { worktree } = setup();
  const main = tempDir('specdag-main-');
  // An anchor and an alias, and a quoted title over two lines: only a real YAML parser reads these.
  writeTree(main, {
    'specs/t.md': '---\nid: t\ntitle: "two\n  lines"\nx-paths: &mine\n  - src/auth/**\nowns: *mine\n---\n\n# t\n',
  });
  const spec = join(main, 'specs', 't.md');
  assert.deepEqual(await claudePreToolUse(event(worktree, 'Edit', inputs.Edit('src/auth/index.ts')), { SPECDAG_SPEC_FILE: spec }, worktree), { code: 0, stderr: '' });
  const out = await claudePreToolUse(event(worktree, 'Edit', inputs.Edit('src/app.ts')), { SPECDAG_SPEC_FILE: spec }, worktree);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /owns: src\/auth\/\*\*\)/);
});

test('globs are matched as run matches them: a folder path owns what is below it, braces expand', async () => {
  const { worktree, spec } = setup('owns:\n  - src/auth\n  - "docs/{api,guide}/*.md"\n');
  const judge = async (p: string) => (await claudePreToolUse(event(worktree, 'Write', inputs.Write(p)), { SPECDAG_SPEC_FILE: spec }, worktree)).code;
  assert.equal(await judge('src/auth/deep/x.ts'), 0);
  assert.equal(await judge('docs/api/a.md'), 0);
  assert.equal(await judge('docs/guide/b.md'), 0);
  assert.equal(await judge('docs/other/c.md'), 2);
  assert.equal(await judge('docs/api/sub/c.md'), 2);
});
