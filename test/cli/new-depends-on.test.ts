// `specdag new --depends-on` with an id no spec has: the spec is still
// written (the dependency may be a spec still to come), and stderr says so,
// with the closest existing id when there is one.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, runMain, tempDir } from '../helpers.js';

test('new --depends-on with a typo names the closest id, and still writes the spec', async () => {
  const cwd = tempDir();
  for (const id of ['login-page', 'db-schema']) assert.equal((await runMain(['new', id, '--owns', `src/${id}/**`], cwd)).code, 0);
  const r = await runMain(['new', 'integrate', '--phase', 'integration', '--depends-on', 'db-schema,login-pag', '--owns', 'src/main.ts'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'created specs/integrate.md\n');
  assert.equal(r.stderr, "specdag: warning: --depends-on 'login-pag' names no spec in 'specs' yet; did you mean 'login-page'?\n");
  assert.match(readFileSync(join(cwd, 'specs', 'integrate.md'), 'utf8'), /depends_on:\n {2}- db-schema\n {2}- login-pag\n/);
});

test('new --depends-on with an id nothing is close to says how to create it', () => {
  const cwd = tempDir();
  const r = cli(['new', 'api', 'plans', '--depends-on', 'payments'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "specdag: warning: --depends-on 'payments' names no spec in 'plans' yet; create it with 'specdag new payments plans'\n");
  assert.ok(existsSync(join(cwd, 'plans', 'api.md')));
});

test('new --depends-on naming an existing spec (here in a subfolder) says nothing', async () => {
  const cwd = tempDir();
  assert.equal((await runMain(['new', 'base', 'specs/core'], cwd)).code, 0);
  const r = await runMain(['new', 'top', '--depends-on', 'base'], cwd);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
});
