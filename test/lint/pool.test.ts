import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cliAsync, specText, tempDir, writeTree } from '../helpers.js';

test('linting on worker threads gives exactly what the main thread gives', async () => {
  const dir = tempDir();
  const files: Record<string, string> = {};
  for (let i = 0; i < 450; i++) {
    const id = `t${String(i).padStart(3, '0')}`;
    // A few defects of each kind, in different chunks, so both paths report something.
    const deps = i % 97 === 5 ? 'depends_on: [t99x]\n' : i > 0 && i % 7 === 0 ? `depends_on: [t${String(i - 1).padStart(3, '0')}]\n` : '';
    const owns = i % 101 === 3 ? 'owns: [src/shared/**]\n' : `owns: [src/${id}/**]\n`;
    const body = i % 89 === 1 ? '## Goal\nG.\n\n## Acceptance criteria\nnone\n\nSee [gone](nope.md).\n' : undefined;
    files[`specs/${id}.md`] = specText(id, deps + owns, body);
  }
  writeTree(dir, files);
  const serial = await cliAsync(['lint', 'specs', '--format', 'json', '--no-cache'], { cwd: dir, env: { SPECDAG_WORKERS: '0' } });
  const parallel = await cliAsync(['lint', 'specs', '--format', 'json', '--no-cache'], { cwd: dir, env: { SPECDAG_WORKERS: '2' } });
  assert.equal(serial.code, 1, serial.stderr);
  const report = JSON.parse(serial.stdout) as { errorCount: number; diagnostics: { ruleId: string }[] };
  for (const rule of ['unknown-dependency', 'ownership-conflict', 'broken-link', 'acceptance-criteria-empty']) {
    assert.ok(report.diagnostics.some((d) => d.ruleId === rule), `no ${rule} in the serial run`);
  }
  assert.equal(parallel.code, serial.code);
  assert.equal(parallel.stdout, serial.stdout);
});

test('the lint cache gives the same report as a fresh lint, and notices a link target that appears', async () => {
  const dir = tempDir();
  writeTree(dir, {
    'specs/a.md': specText('a', 'owns: [src/a/**]\n', '## Goal\nG, see [b](b-notes.txt).\n\n## Acceptance criteria\n- [ ] done\n'),
    'specs/b.md': specText('b', 'owns: [src/b/**]\n'),
  });
  const cold = await cliAsync(['lint', 'specs', '--format', 'json'], { cwd: dir });
  const warm = await cliAsync(['lint', 'specs', '--format', 'json'], { cwd: dir });
  assert.equal(warm.stdout, cold.stdout);
  assert.match(cold.stdout, /broken-link/);
  writeTree(dir, { 'specs/b-notes.txt': 'notes' });
  const after = await cliAsync(['lint', 'specs', '--format', 'json'], { cwd: dir });
  assert.doesNotMatch(after.stdout, /broken-link/);
});

test('a worker that runs out of memory costs only time: its chunk is read again and linted on the main thread', async () => {
  const dir = tempDir();
  const files: Record<string, string> = {};
  for (let i = 0; i < 450; i++) {
    const id = `t${String(i).padStart(3, '0')}`;
    files[`specs/${id}.md`] = specText(id, i % 50 === 7 ? `depends_on: [t${String(i + 1000)}]\nowns: [src/${id}/**]\n` : `owns: [src/${id}/**]\n`);
  }
  // One spec in a middle chunk whose frontmatter needs far more than the capped worker heap: ~60,000 list items.
  const tags = Array.from({ length: 60_000 }, (_, k) => `  - x${k}`).join('\n');
  files['specs/t250.md'] = specText('t250', `owns: [src/t250/**]\ntags:\n${tags}\n`);
  writeTree(dir, files);
  const serial = await cliAsync(['lint', 'specs', '--format', 'json', '--no-cache'], { cwd: dir, env: { SPECDAG_WORKERS: '0' } });
  const capped = await cliAsync(['lint', 'specs', '--format', 'json', '--no-cache'], { cwd: dir, env: { SPECDAG_WORKERS: '2', SPECDAG_WORKER_HEAP_MB: '12' } });
  assert.equal(serial.code, 1, serial.stderr);
  assert.match(serial.stdout, /unknown-dependency/);
  assert.match(capped.stderr, /a lint worker died \(ERR_WORKER_OUT_OF_MEMORY\)/, 'the capped worker really ran out of memory');
  assert.equal(capped.code, serial.code, capped.stderr);
  assert.equal(capped.stdout, serial.stdout);
});
