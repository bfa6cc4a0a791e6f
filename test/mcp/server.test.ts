// specdag's MCP server through the SDK's real Client, in memory: the tools
// share their definitions with the interview, answer compact JSON, refuse
// everything outside the folder, and the prompt carries the interview's method.
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SpecTools } from '../../src/interview/tools.js';
import { prompt, systemPrompt } from '../../src/interview/prompts.js';
import { runMain, specText, tempDir, writeTree } from '../helpers.js';
import { connect } from './support.js';

const noIo = (cwd: string) => ({ stdout: { write: () => true }, stderr: { write: () => true }, cwd, env: {} });

/** Every path below a folder with its bytes: to show that nothing was written. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    try {
      out[rel] = readFileSync(join(dir, rel), 'utf8');
    } catch {
      out[rel] = '<not a file>';
    }
  }
  return out;
}

test('tools/list: the interview\'s five tools from the same definitions, plus plan', async () => {
  const cwd = tempDir();
  const { client } = await connect(cwd);
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ['list_specs', 'read_spec', 'write_spec', 'delete_spec', 'lint_specs', 'plan']);
  const interview = new SpecTools('specs', noIo(cwd)).definitions;
  for (const d of interview) {
    const mcp = tools.find((t) => t.name === d.name)!;
    assert.deepEqual(mcp.inputSchema, d.input_schema, `${d.name}: one schema for both`);
    if (d.name !== 'read_spec') assert.equal(mcp.description, d.description, `${d.name}: one description`);
  }
  assert.deepEqual(tools.find((t) => t.name === 'plan')!.inputSchema, { type: 'object', properties: {}, required: [], additionalProperties: false });
});

test('write, read, list, lint and delete over MCP: compact JSON results, read_spec as { id, file, markdown }', async () => {
  const cwd = tempDir();
  const { call } = await connect(cwd);
  const w = await call('write_spec', { id: 'api', markdown: specText('api', 'depends_on: [db]\nowns: [src/api/**]\n') });
  assert.equal(w.isError, false, w.text);
  assert.doesNotMatch(w.text, /\n/, 'compact: one line');
  const lint = JSON.parse(w.text);
  assert.deepEqual(Object.keys(lint).slice(0, 4), ['version', 'filesChecked', 'errorCount', 'warningCount'], 'counts first');
  assert.deepEqual(
    lint.diagnostics.map((d: { file: string; ruleId: string }) => `${d.file} ${d.ruleId}`),
    ['specs/api.md unknown-dependency'],
  );
  assert.equal((await call('write_spec', { id: 'db', markdown: specText('db', 'owns: [src/db/**]\n') })).isError, false);
  const read = await call('read_spec', { id: 'db' });
  assert.equal(read.isError, false);
  assert.deepEqual(JSON.parse(read.text), { id: 'db', file: 'specs/db.md', markdown: specText('db', 'owns: [src/db/**]\n') });
  assert.deepEqual(JSON.parse((await call('list_specs')).text), [
    { id: 'api', title: 'api task', phase: 'parallel', depends_on: ['db'] },
    { id: 'db', title: 'db task', phase: 'parallel', depends_on: [] },
  ]);
  assert.equal(JSON.parse((await call('lint_specs')).text).errorCount, 0);
  const del = await call('delete_spec', { id: 'api' });
  assert.equal(del.isError, false);
  assert.equal(JSON.parse(del.text).filesChecked, 1);
  assert.deepEqual(readdirSync(join(cwd, 'specs')), ['db.md']);
});

test('every traversal attempt is an isError result that reads nothing and writes nothing', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeTree(outside, { 'secret.md': specText('secret'), 'dir/inner.md': specText('inner') });
  writeTree(cwd, { 'specs/ok.md': specText('ok', 'owns: [src/ok/**]\n') });
  symlinkSync(join(outside, 'secret.md'), join(cwd, 'specs', 'leak.md'));
  symlinkSync(join(outside, 'nothing-yet.md'), join(cwd, 'specs', 'dangling.md'));
  symlinkSync(join(outside, 'dir'), join(cwd, 'specs', 'linked'));
  const { call } = await connect(cwd);
  const before = { specs: snapshot(join(cwd, 'specs')), outside: snapshot(outside) };
  const markdown = specText('x');
  for (const id of ['../x', '../../etc/passwd', '/etc/passwd', join(outside, 'secret'), 'a/b', 'linked/inner', '..', '.', 'X', 'a.md', '']) {
    for (const tool of ['read_spec', 'write_spec', 'delete_spec']) {
      const r = await call(tool, { id, markdown });
      assert.equal(r.isError, true, `${tool} ${id}`);
      assert.match(r.text, /is not a spec id/, `${tool} ${id}: ${r.text}`);
    }
  }
  for (const id of ['leak', 'dangling', 'inner']) {
    for (const tool of ['read_spec', 'write_spec', 'delete_spec']) {
      // The folder listing does not follow a link to a folder outside, so `inner` is no spec here, and
      // write_spec would rightly create specs/inner.md inside the folder.
      if (id === 'inner' && tool === 'write_spec') continue;
      const r = await call(tool, { id, markdown: specText(id) });
      assert.equal(r.isError, true, `${tool} ${id}: ${r.text}`);
      assert.match(r.text, /resolves outside the spec folder|there is no spec/, `${tool} ${id}: ${r.text}`);
      assert.doesNotMatch(r.text, /secret task|inner task/, 'nothing of the outside file is shown');
    }
  }
  assert.deepEqual(snapshot(join(cwd, 'specs')), before.specs);
  assert.deepEqual(snapshot(outside), before.outside);
  assert.equal(existsSync(join(outside, 'nothing-yet.md')), false);
});

test('a hard link to a file outside is neither read nor written, and a spec over 1 MiB is refused', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeTree(outside, { 'victim.md': 'PRIVATE outside text\n' });
  mkdirSync(join(cwd, 'specs'));
  linkSync(join(outside, 'victim.md'), join(cwd, 'specs', 'hard.md'));
  writeFileSync(join(cwd, 'specs', 'huge.md'), `${specText('huge')}${'x'.repeat(1024 * 1024)}\n`);
  const { call } = await connect(cwd);
  const read = await call('read_spec', { id: 'hard' });
  assert.equal(read.isError, true);
  assert.match(read.text, /hard links/);
  assert.doesNotMatch(read.text, /PRIVATE/);
  const write = await call('write_spec', { id: 'hard', markdown: specText('hard') });
  assert.equal(write.isError, true);
  assert.equal(readFileSync(join(outside, 'victim.md'), 'utf8'), 'PRIVATE outside text\n');
  const huge = await call('read_spec', { id: 'huge' });
  assert.equal(huge.isError, true);
  assert.match(huge.text, /larger than 1 MiB/);
  const big = await call('write_spec', { id: 'big', markdown: `${specText('big')}${'y'.repeat(1024 * 1024)}` });
  assert.equal(big.isError, true);
  assert.match(big.text, /larger than 1 MiB/);
  assert.equal(existsSync(join(cwd, 'specs', 'big.md')), false);
});

test('lint_specs on a big folder: counts first, at most 100 diagnostics, and how many more; a written file\'s come first', async () => {
  const cwd = tempDir();
  const files: Record<string, string> = {};
  for (let i = 0; i < 130; i++) files[`specs/t${String(i).padStart(3, '0')}.md`] = specText(`t${String(i).padStart(3, '0')}`, `depends_on: [nope${i}]\nowns: [src/t${i}/**]\n`);
  writeTree(cwd, files);
  const { call } = await connect(cwd);
  const r = JSON.parse((await call('lint_specs')).text);
  assert.equal(r.errorCount, 130);
  assert.equal(r.warningCount, 1, 'no-integration');
  assert.equal(r.diagnostics.length, 100);
  assert.ok(r.diagnostics.every((d: { severity: string }) => d.severity === 'error'), 'errors before warnings');
  assert.equal(r.omitted, 31);
  assert.match(r.note, /31 more diagnostics not listed/);
  const w = JSON.parse((await call('write_spec', { id: 'zzz', markdown: specText('zzz', 'depends_on: [missing]\nowns: [src/z/**]\n') })).text);
  assert.equal(w.errorCount, 131);
  assert.equal(w.diagnostics[0].file, 'specs/zzz.md', 'the written file first');
  assert.equal(w.omitted, 32);
});

test('plan answers what `plan --format json` prints, compact, and writes nothing; with lint errors it is an error result', async () => {
  const cwd = tempDir();
  writeTree(cwd, {
    'specs/db.md': specText('db', 'phase: foundation\nowns: [db/**]\n'),
    'specs/api.md': specText('api', 'depends_on: [db]\nowns: [src/api/**]\n'),
  });
  const { call } = await connect(cwd);
  const r = await call('plan');
  assert.equal(r.isError, false, r.text);
  assert.doesNotMatch(r.text, /\n/);
  const cli = await runMain(['plan', 'specs', '--format', 'json'], cwd, { SPECDAG_CACHE: '0' });
  assert.equal(cli.code, 0, cli.stderr);
  assert.deepEqual(JSON.parse(r.text), JSON.parse(cli.stdout));
  assert.equal(existsSync(join(cwd, '.specdag')), false, 'plan is read-only: no lint cache written');
  writeTree(cwd, { 'specs/bad.md': specText('bad', 'depends_on: [ghost]\nowns: [src/bad/**]\n') });
  const bad = await call('plan');
  assert.equal(bad.isError, true);
  const body = JSON.parse(bad.text);
  assert.match(body.error, /1 lint error in specs/);
  assert.deepEqual(body.lint.diagnostics.map((d: { ruleId: string }) => d.ruleId), ['unknown-dependency']);
  const empty = await (await connect(tempDir())).call('plan');
  assert.equal(empty.isError, true);
  assert.match(empty.text, /no specs in specs yet/);
});

test('unknown tools and malformed arguments are error results, never protocol failures', async () => {
  const { call } = await connect(tempDir());
  assert.match((await call('rm_rf')).text, /there is no tool 'rm_rf'; the tools are list_specs, read_spec, write_spec, delete_spec, lint_specs, plan/);
  const r = await call('write_spec', { id: 7, markdown: 'x' });
  assert.equal(r.isError, true);
  assert.match(r.text, /'id' must be a string/);
});

test('the interview prompt: listed with its arguments, and the same method text as the API interview\'s system prompt', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/db.md': specText('db', 'owns: [src/db/**]\n') });
  const { client } = await connect(cwd);
  const { prompts } = await client.listPrompts();
  assert.deepEqual(prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => [a.name, a.required ?? false])]), [
    ['interview', [['about', false], ['refine', false]]],
  ]);
  const got = await client.getPrompt({ name: 'interview', arguments: { about: 'A todo app for a small team' } });
  assert.equal(got.messages.length, 1);
  assert.equal(got.messages[0]!.role, 'user');
  const text = (got.messages[0]!.content as { type: string; text: string }).text;
  const method = prompt('method');
  assert.ok(method.length > 2000);
  assert.ok(text.includes(method), 'the prompt carries the method word for word');
  assert.ok(systemPrompt().includes(method), 'and so does the API interview');
  assert.match(text, /What I want to build: A todo app for a small team/);
  assert.match(text, /`specs`, which already holds 1 spec \(db\)/);
  assert.match(text, /one question at a time/i);

  const refine = await client.getPrompt({ name: 'interview', arguments: { refine: 'db' } });
  const refineText = (refine.messages[0]!.content as { text: string }).text;
  assert.ok(refineText.includes(specText('db', 'owns: [src/db/**]\n').trimEnd()), 'the spec to refine is quoted');
  await assert.rejects(client.getPrompt({ name: 'interview', arguments: { refine: 'dbb' } }), /there is no spec 'dbb' to refine in specs \(did you mean 'db'\?\)/);
  await assert.rejects(client.getPrompt({ name: 'other' }), /there is no prompt 'other'/);
});
