// branchNameProblem against git itself: `git check-ref-format --branch` on
// seeded names built from the characters that matter to its rules, plus the
// branch_prefix values that crashed run. Whatever git refuses, lint refuses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Rng } from '../../bench/generate.js';
import { branchNameProblem } from '../../src/spec/refname.js';
import { runMain, specText, tempDir, writeTree } from '../helpers.js';

const gitAccepts = (name: string) => spawnSync('git', ['check-ref-format', '--branch', name], { encoding: 'utf8' }).status === 0;

test('the prefixes that crashed run are refused, as git refuses them', () => {
  for (const prefix of ['a..b/', '../', '-x/', 'x.lock/', '/', 'a//', '.hidden/', 'x/.y/', 'sp ace/', 'a:b/', 'a~/', 'a^/', 'a?/', 'a*/', 'a[/', 'a\\b/', '@{x/']) {
    const name = `${prefix}integration`;
    assert.equal(gitAccepts(name), false, `git refuses ${name}`);
    assert.ok(branchNameProblem(name), `lint refuses ${name}`);
  }
  for (const name of ['specdag/integration', 'integration', 'team.a/x_y-z/integration', 'v1.2/integration', 'a.lockx/integration']) {
    assert.equal(gitAccepts(name), true, `git takes ${name}`);
    assert.equal(branchNameProblem(name), undefined, name);
  }
});

test('seeded: lint and git agree on 400 generated names', () => {
  const rng = new Rng(4004);
  const parts = ['a', 'b', '.', '/', '-', '_', 'lock', '.lock', '..', '@', '{', '~', ':', ' ', '\t', '*', '[', '\\', 'x.'];
  const disagree: string[] = [];
  for (let n = 0; n < 400; n++) {
    let name = '';
    const len = rng.range(1, 7);
    for (let i = 0; i < len; i++) name += rng.pick(parts);
    // `@{-1}`-style names mean "an earlier branch" to git --branch; not a name at all.
    if (name.includes('@{-')) continue;
    const ours = branchNameProblem(name) === undefined;
    if (ours !== gitAccepts(name)) disagree.push(`${JSON.stringify(name)}: lint ${ours ? 'accepts' : 'refuses'}, git ${ours ? 'refuses' : 'accepts'}`);
  }
  assert.deepEqual(disagree, []);
});

test('PROJECT.md: a branch_prefix or base_branch git refuses is a project-config error at the value', async () => {
  const cwd = writeTree(tempDir(), {
    'specs/PROJECT.md': '---\nbase_branch: main..x\nbranch_prefix: -x/\n---\n# P\n',
    'specs/a.md': specText('a', 'owns: [src/a/**]\n'),
  });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  assert.equal(r.code, 1);
  const found = (JSON.parse(r.stdout).diagnostics as { ruleId: string; line: number; column: number; message: string }[]).map((d) => `${d.ruleId} ${d.line}:${d.column} ${d.message}`);
  assert.deepEqual(found, [
    "project-config 2:14 base_branch 'main..x' is not a branch name git accepts: it has '..'",
    "project-config 3:16 branch_prefix '-x/' makes branch names git refuses ('-x/integration': it starts with '-', which git would read as an option); use names joined by '/', such as 'specdag/'",
  ]);
});
