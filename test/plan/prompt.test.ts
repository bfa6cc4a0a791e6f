// buildPrompt: what an agent reads on stdin (CLI.md, `run`): PROJECT.md's
// body, the spec as written, and the titles and `provides` of its dependencies.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildPrompt } from '../../src/plan/prompt.js';
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
  assert.match(prompt, /You work on your own branch `specdag\/web`, which already holds the work of the tasks you depend on; it is merged into `specdag\/integration` when you are done\./);
  assert.ok(prompt.includes(`## The spec (specs/web.md)\n\n${spec.trimEnd()}\n`), 'the spec file as written');
  assert.ok(prompt.endsWith('## Done before you (your dependencies)\n\n- `auth`: Auth "API"; provides `AuthService`\n- `db`: Database; provides `DbClient`, `User`\n'), prompt);

  const auth = buildPrompt(plan.tasks.find((t) => t.id === 'auth')!, plan, result);
  assert.match(auth, /You work on your own branch `specdag\/auth`, which already holds the work of the tasks you depend on; other tasks run beside you/);
  assert.match(auth, /Change only these paths \(your `owns`\): `src\/auth\/\*\*`\./);
});

test('no PROJECT.md body, no dependencies: just the task; a BOM is not passed on; the reader can be swapped', async () => {
  const { plan, result, root } = await planFor({ solo: {} });
  writeFileSync(join(root, 'specs', 'solo.md'), `\uFEFF${readFileSync(join(root, 'specs', 'solo.md'), 'utf8')}`);
  const prompt = buildPrompt(plan.tasks[0]!, plan, result);
  assert.ok(prompt.startsWith('# Your task: solo\n\nYou work on your own branch `specdag/solo`; other tasks'), prompt);
  assert.ok(!prompt.includes('\uFEFF'));
  assert.ok(!prompt.includes('Done before you'));
  const seen: string[] = [];
  const fake = buildPrompt(plan.tasks[0]!, plan, result, (path) => (seen.push(path), 'SPEC TEXT'));
  assert.deepEqual(seen, [join(root, 'specs', 'solo.md')]);
  assert.match(fake, /## The spec \(specs\/solo\.md\)\n\nSPEC TEXT\n$/);
});
