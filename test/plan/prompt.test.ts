// buildPrompt: what an agent reads on stdin (CLI.md, `run`): PROJECT.md's
// body, the spec as written, and the titles and `provides` of its dependencies.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildPrompt, checkFailedSection, taskAllowsEmpty, taskCheck } from '../../src/plan/prompt.js';
import { planFor, projectMd } from './setup.js';

test('the prompt holds the project context, the spec file byte for byte, and what the dependencies provide', async () => {
  const { plan, result, root } = await planFor(
    {
      db: { phase: 'foundation', title: 'Database', provides: ['DbClient', 'User'] },
      auth: { deps: ['db'], title: 'Auth "API"', owns: ['src/auth/**'], provides: ['AuthService'], consumes: ['User'] },
      web: { deps: ['auth', 'db'], phase: 'integration', consumes: ['AuthService'] },
    },
    projectMd('project: shop', '# Shop\nUse TypeScript.'),
  );
  const web = plan.tasks.find((t) => t.id === 'web')!;
  const prompt = buildPrompt(web, plan, result);
  const spec = readFileSync(join(root, 'specs', 'web.md'), 'utf8');
  assert.ok(prompt.startsWith('# Shop\nUse TypeScript.\n\n---\n\n# Your task: web\n'), prompt);
  // Version 2: an integration task works on its own branch too, made from the target branch and merged back.
  assert.match(prompt, /You work on your own branch `specdag\/web`, made from the target branch `specdag\/integration`, which already holds the work of the tasks you depend on; when you finish, it is merged into `specdag\/integration`\.\n/);
  const db = buildPrompt(plan.tasks.find((t) => t.id === 'db')!, plan, result);
  assert.match(db, /You work on your own branch `specdag\/db`, made from the target branch `specdag\/integration`; when you finish/);
  assert.doesNotMatch(db, /beside you/, 'a foundation task runs alone');
  assert.ok(prompt.includes(`## The spec (specs/web.md)\n\n${spec.trimEnd()}\n`), 'the spec file as written');
  assert.ok(prompt.endsWith('## Done before you (your dependencies)\n\n- `auth`: Auth "API"; provides `AuthService`\n- `db`: Database; provides `DbClient`, `User`\n'), prompt);

  const auth = buildPrompt(plan.tasks.find((t) => t.id === 'auth')!, plan, result);
  assert.match(auth, /You work on your own branch `specdag\/auth`, made from the target branch `specdag\/integration`, which already holds the work of the tasks you depend on; when you finish, it is merged into `specdag\/integration`\. Other tasks run beside you/);
  assert.match(auth, /Change only these paths \(your `owns`\): `src\/auth\/\*\*`\./);
});

test('no PROJECT.md body, no dependencies: just the task; a BOM is not passed on; the reader can be swapped', async () => {
  const { plan, result, root } = await planFor({ solo: {} });
  writeFileSync(join(root, 'specs', 'solo.md'), `\uFEFF${readFileSync(join(root, 'specs', 'solo.md'), 'utf8')}`);
  const prompt = buildPrompt(plan.tasks[0]!, plan, result);
  assert.ok(prompt.startsWith('# Your task: solo\n\nYou work on your own branch `specdag/solo`, made from the target branch `specdag/integration`; when you finish'), prompt);
  assert.ok(!prompt.includes('\uFEFF'));
  assert.ok(!prompt.includes('Done before you'));
  const seen: string[] = [];
  const fake = buildPrompt(plan.tasks[0]!, plan, result, (path) => (seen.push(path), 'SPEC TEXT'));
  assert.deepEqual(seen, [join(root, 'specs', 'solo.md')]);
  assert.match(fake, /## The spec \(specs\/solo\.md\)\n\nSPEC TEXT\n$/);
});

test('the prompt names the check from the first attempt (the spec\'s own, else PROJECT.md\'s) and says an empty result fails', async () => {
  const { plan, result } = await planFor(
    {
      own: { owns: ['own/**'], verify: 'make check-own' },
      shared: { owns: ['shared/**'] },
      empty: { owns: ['empty/**'], allowEmpty: true },
    },
    projectMd('verify: npm test'),
  );
  const task = (id: string) => plan.tasks.find((t) => t.id === id)!;
  const prompt = (id: string) => buildPrompt(task(id), plan, result);
  assert.match(prompt('shared'), /Before you stop, run the check `npm test` and make it pass: your work is merged only when it exits 0\./);
  assert.match(prompt('shared'), /Exiting without changing anything fails the task\./);
  assert.match(prompt('own'), /run the check `make check-own`/);
  assert.doesNotMatch(prompt('empty'), /Exiting without changing anything/, 'allow_empty: true');
  assert.equal(taskCheck(task('own'), result), 'make check-own');
  assert.equal(taskCheck(task('empty'), result), 'npm test');
  assert.equal(taskAllowsEmpty(task('empty'), result), true);
  assert.equal(taskAllowsEmpty(task('own'), result), false);
  const none = await planFor({ solo: {} });
  assert.doesNotMatch(buildPrompt(none.plan.tasks[0]!, none.plan, none.result), /run the check/, 'no check, no sentence about one');
  assert.equal(taskCheck(none.plan.tasks[0]!, none.result), undefined);
});

test('checkFailedSection: the command, its exit code, the last 200 lines of its output, fenced', () => {
  const output = Array.from({ length: 250 }, (_, i) => `line ${i + 1}`).join('\n');
  const section = checkFailedSection({ command: 'npm test', exitCode: 3, output });
  assert.ok(section.startsWith('\n## The check failed\n\n`npm test` exited with code 3 in your worktree.'), section);
  assert.match(section, /~~~~\nline 51\n[\s\S]*\nline 250\n~~~~\n$/);
  assert.doesNotMatch(section, /line 50\n/);
  const merged = checkFailedSection({ command: 'make', exitCode: 1, output: 'boom\n', mergedWith: 'specdag/integration' });
  assert.match(merged, /`make` exited with code 1 on your branch merged with `specdag\/integration`/);
  assert.ok(merged.endsWith('~~~~\nboom\n~~~~\n'));
  assert.ok(checkFailedSection({ command: 'x', exitCode: 1, output: '' }).endsWith('output:\n\n~~~~\n~~~~\n'));
});
