import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { byId, makeRepo } from './helpers.js';

test("each task's agent gets its own Claude Code settings (the owns hook, nothing else) outside its worktree, and the repository root", async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b', phase: 'integration', deps: ['a'] }]);
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const state = repo.state();
  const runDir = join(repo.root, '.specdag', 'runs', state.runId);
  for (const id of ['a', 'b']) {
    const env = Object.fromEntries(
      readFileSync(join(repo.ctl, `${id}.env`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(env.SPECDAG_REPO_ROOT, repo.root);
    const path = join(runDir, 'claude-settings', `${id}.json`);
    assert.equal(env.SPECDAG_CLAUDE_SETTINGS, path);
    const settings = JSON.parse(readFileSync(path, 'utf8'));
    assert.deepEqual(Object.keys(settings), ['hooks']);
    assert.deepEqual(Object.keys(settings.hooks), ['PreToolUse']);
    assert.equal(settings.hooks.PreToolUse.length, 1);
    const [entry] = settings.hooks.PreToolUse;
    assert.equal(entry.matcher, 'Write|Edit|MultiEdit|NotebookEdit');
    assert.equal(entry.hooks.length, 1);
    assert.equal(entry.hooks[0].type, 'command');
    const command: string = entry.hooks[0].command;
    assert.match(command, /^'[^']*node[^']*' '[^']*\/dist\/cli\/bin\.js' hook claude-pre-tool-use$/);
    // The command is this specdag, runnable with no specdag on PATH.
    const program = command.replace(/ hook claude-pre-tool-use$/, '');
    assert.match(execFileSync('/bin/sh', ['-c', `${program} --version`], { env: { PATH: '/nonexistent' }, encoding: 'utf8' }), /^\d+\.\d+\.\d+/);
    // Nothing of it reached the task's worktree or branch.
    assert.equal(repo.git('-C', byId(state)[id]!.worktree, 'status', '--porcelain', '--ignored'), '');
    assert.ok(!repo.git('ls-tree', '-r', '--name-only', 'specdag/integration').includes('claude'));
  }
  assert.deepEqual(readdirSync(join(runDir, 'claude-settings')).sort(), ['a.json', 'b.json']);
});
