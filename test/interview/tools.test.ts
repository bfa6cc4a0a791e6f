import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Io } from '../../src/io/io.js';
import { SpecTools } from '../../src/interview/tools.js';
import { specText, tempDir, writeTree } from '../helpers.js';

function io(cwd: string): Io {
  return { stdout: { write: () => true }, stderr: { write: () => true }, cwd, env: {} };
}

/** Every file below a folder, relative, sorted: to show that nothing was written. */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('list_specs and lint_specs on a folder that does not exist yet: [] and an empty report, no usage error', async () => {
  const cwd = tempDir();
  const tools = new SpecTools('specs', io(cwd));
  assert.deepEqual(await tools.run('list_specs', {}), { content: '[]', isError: false });
  const lint = await tools.run('lint_specs', {});
  assert.equal(lint.isError, false);
  assert.deepEqual(JSON.parse(lint.content), { version: 1, filesChecked: 0, errorCount: 0, warningCount: 0, diagnostics: [] });
  mkdirSync(join(cwd, 'specs'));
  assert.deepEqual(await tools.run('list_specs', {}), { content: '[]', isError: false });
});

test('write_spec creates the folder, writes <dir>/<id>.md and answers with the folder lint as JSON', async () => {
  const cwd = tempDir();
  const tools = new SpecTools('specs', io(cwd));
  const r = await tools.run('write_spec', { id: 'api', markdown: specText('api', 'depends_on: [db]\nowns: [src/api/**]\n') });
  assert.equal(r.isError, false);
  assert.equal(readFileSync(join(cwd, 'specs', 'api.md'), 'utf8'), specText('api', 'depends_on: [db]\nowns: [src/api/**]\n'));
  const lint = JSON.parse(r.content);
  assert.equal(lint.version, 1);
  assert.equal(lint.errorCount, 1);
  assert.deepEqual(
    lint.diagnostics.map((d: { ruleId: string; file: string; line: number; column: number }) => `${d.file}:${d.line}:${d.column} ${d.ruleId}`),
    ['specs/api.md:4:14 unknown-dependency'],
  );
  await tools.run('write_spec', { id: 'db', markdown: specText('db').trimEnd() });
  assert.ok(readFileSync(join(cwd, 'specs', 'db.md'), 'utf8').endsWith('\n'), 'a missing final newline is added');
  const list = JSON.parse((await tools.run('list_specs', {})).content);
  assert.deepEqual(list, [
    { id: 'api', title: 'api task', phase: 'parallel', depends_on: ['db'] },
    { id: 'db', title: 'db task', phase: 'parallel', depends_on: [] },
  ]);
  assert.equal(JSON.parse((await tools.run('lint_specs', {})).content).errorCount, 0);
  assert.equal((await tools.run('read_spec', { id: 'db' })).content, `${specText('db').trimEnd()}\n`);
});

test('a spec in a subfolder is read, rewritten and deleted where it is', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/api/auth.md': specText('auth') });
  const tools = new SpecTools('specs', io(cwd));
  assert.equal((await tools.run('read_spec', { id: 'auth' })).content, specText('auth'));
  await tools.run('write_spec', { id: 'auth', markdown: specText('auth', 'phase: foundation\n') });
  assert.deepEqual(tree(join(cwd, 'specs')), ['api', 'api/auth.md']);
  assert.match(readFileSync(join(cwd, 'specs/api/auth.md'), 'utf8'), /phase: foundation/);
  const del = await tools.run('delete_spec', { id: 'auth' });
  assert.equal(del.isError, false);
  assert.equal(JSON.parse(del.content).filesChecked, 0);
  assert.deepEqual(tools.changes(), { written: [], changed: [], deleted: ['auth'] });
});

test('bad ids and paths outside the folder get is_error and write nothing', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeTree(cwd, { 'specs/ok.md': specText('ok') });
  symlinkSync(join(outside, 'target.md'), join(cwd, 'specs', 'escape.md'));
  symlinkSync(outside, join(cwd, 'specs', 'linked'));
  writeTree(outside, { 'inner.md': specText('inner') });
  const tools = new SpecTools('specs', io(cwd));
  const before = tree(join(cwd, 'specs'));
  for (const id of ['../x', '/etc/passwd', `${outside}/evil`, 'Upper', 'a.md', 'has space', '', '-lead', 'a'.repeat(65), 'x/../../y']) {
    const r = await tools.run('write_spec', { id, markdown: specText('x') });
    assert.equal(r.isError, true, id);
    assert.match(r.content, /is not a spec id/);
  }
  // A symlink at the target that points out of the folder (dangling, so writing would create the file there).
  const link = await tools.run('write_spec', { id: 'escape', markdown: specText('escape') });
  assert.equal(link.isError, true);
  assert.match(link.content, /resolves outside the spec folder/);
  // A spec behind a symlinked subfolder that leads outside: the folder listing no longer follows such a
  // link, so the spec is not found (and write_spec would create specs/inner.md, inside the folder).
  for (const name of ['read_spec', 'delete_spec']) {
    const r = await tools.run(name, { id: 'inner', markdown: specText('inner') });
    assert.equal(r.isError, true, name);
    assert.match(r.content, /resolves outside|no spec 'inner'/);
  }
  assert.deepEqual(tree(join(cwd, 'specs')), before);
  assert.deepEqual(tree(outside), ['inner.md']);
  assert.equal(readFileSync(join(outside, 'inner.md'), 'utf8'), specText('inner'));
  assert.deepEqual(tools.changes(), { written: [], changed: [], deleted: [] });
});

test('a symlink inside the folder that stays inside is followed', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/_drafts/real.md': specText('alias') });
  symlinkSync(join(cwd, 'specs/_drafts/real.md'), join(cwd, 'specs/alias.md'));
  const tools = new SpecTools('specs', io(cwd));
  const r = await tools.run('write_spec', { id: 'alias', markdown: specText('alias', 'phase: foundation\n') });
  assert.equal(r.isError, false, r.content);
  assert.match(readFileSync(join(cwd, 'specs/_drafts/real.md'), 'utf8'), /phase: foundation/);
});

test('malformed input gets is_error with what was expected, never an exception', async () => {
  const cwd = tempDir();
  const tools = new SpecTools('specs', io(cwd));
  const cases: [string, unknown, RegExp][] = [
    ['write_spec', { id: 'a' }, /no 'markdown'/],
    ['write_spec', { markdown: 'x' }, /no 'id'/],
    ['write_spec', { id: 5, markdown: 'x' }, /'id' must be a string, not a number/],
    ['write_spec', { id: 'a', markdown: ['x'] }, /'markdown' must be a string, not an array/],
    ['write_spec', { id: 'a', markdown: null }, /not null/],
    ['write_spec', { id: 'a', markdown: '   \n' }, /markdown is empty/],
    ['write_spec', { id: 'a', markdown: 'x'.repeat(1024 * 1024 + 1) }, /larger than 1 MiB/],
    ['write_spec', null, /must be a JSON object/],
    ['write_spec', 'a string', /must be a JSON object/],
    ['write_spec', [1, 2], /must be a JSON object/],
    ['read_spec', {}, /no 'id'/],
    ['read_spec', { id: 'missing' }, /there is no spec 'missing'/],
    ['delete_spec', { id: 'missing' }, /there is no spec 'missing'/],
    ['list_specs', 'x', /must be a JSON object/],
    ['rm_rf', {}, /there is no tool 'rm_rf'/],
  ];
  for (const [name, input, message] of cases) {
    const r = await tools.run(name, input);
    assert.equal(r.isError, true, `${name} ${JSON.stringify(input)?.slice(0, 40)}`);
    assert.match(r.content, message);
  }
  assert.equal(existsSync(join(cwd, 'specs')), false);
});

test('changes() compares with what each file held before: written, changed, deleted, and undone', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/keep.md': specText('keep'), 'specs/edit.md': specText('edit'), 'specs/gone.md': specText('gone') });
  const tools = new SpecTools('specs', io(cwd));
  await tools.run('write_spec', { id: 'new', markdown: specText('new') });
  await tools.run('write_spec', { id: 'edit', markdown: specText('edit', 'phase: foundation\n') });
  await tools.run('write_spec', { id: 'keep', markdown: specText('keep', 'phase: foundation\n') });
  await tools.run('write_spec', { id: 'keep', markdown: specText('keep') });
  await tools.run('delete_spec', { id: 'gone' });
  await tools.run('write_spec', { id: 'temp', markdown: specText('temp') });
  await tools.run('delete_spec', { id: 'temp' });
  assert.deepEqual(tools.changes(), { written: ['new'], changed: ['edit'], deleted: ['gone'] });
});

test('the tool definitions are the contract: names, inputs, one schema each', () => {
  const tools = new SpecTools('specs', io(tempDir()));
  assert.deepEqual(
    tools.list().map((t) => [t.definition.name, t.definition.input_schema.required]),
    [
      ['list_specs', []],
      ['read_spec', ['id']],
      ['write_spec', ['id', 'markdown']],
      ['delete_spec', ['id']],
      ['lint_specs', []],
    ],
  );
  for (const t of tools.list()) assert.ok(t.definition.description.length > 20);
});

test('a spec folder that is a file: write_spec refuses', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'specs'), 'not a folder');
  const r = await new SpecTools('specs', io(cwd)).run('write_spec', { id: 'a', markdown: specText('a') });
  assert.equal(r.isError, true);
});

test('the interview surface keeps its contract: five tools, read_spec the bare text, no plan; results compact', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/a.md': specText('a', 'owns: [src/a/**]\n') });
  const tools = new SpecTools('specs', io(cwd));
  assert.equal((await tools.run('read_spec', { id: 'a' })).content, specText('a', 'owns: [src/a/**]\n'));
  const plan = await tools.run('plan', {});
  assert.equal(plan.isError, true);
  assert.match(plan.content, /there is no tool 'plan'; the tools are list_specs, read_spec, write_spec, delete_spec, lint_specs$/);
  for (const name of ['list_specs', 'lint_specs']) assert.doesNotMatch((await tools.run(name, {})).content, /\n/, name);
});
