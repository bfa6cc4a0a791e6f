// `specdag lint --format json`: the exact shape of CLI.md (keys and their
// order, version 1, counts), diagnostics sorted by file, line, column, rule
// id, and `file` relative to the current directory with `/` separators.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Io } from '../../src/io/io.js';
import { main } from '../../src/cli/main.js';
import { cli, specText, tempDir, writeTree } from '../helpers.js';

/** A valid spec that owns a folder of its own (version 2 warns about a task that owns nothing). */
const owned = (id: string, extra = '', body?: string, glob = `src/${id}/**`) => specText(id, `${extra}owns: [${glob}]\n`, body);

type Json = Record<string, any>;

const TOP_KEYS = ['version', 'filesChecked', 'errorCount', 'warningCount', 'diagnostics'];
const DIAGNOSTIC_KEYS = ['ruleId', 'severity', 'file', 'line', 'column', 'endLine', 'endColumn', 'message', 'fixable'];
const BODY = '## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n';

// Errors and warnings in six files: PROJECT.md, a subfolder, two diagnostics
// at one position (rule id decides), lines 4 and 16 in one file (numeric, not
// text order), two items on one line (column decides).
const MIXED = writeTree(tempDir(), {
  'specs/PROJECT.md': '---\nproject: mixed\n---\n# Mixed\n',
  'specs/a.md': owned('a', 'depends_on: [nope, nada]\n', `${BODY}\n## Notes\n`),
  'specs/b.md': owned('c', '', undefined, 'src/b/**'),
  'specs/c.md': owned('c'),
  'specs/sub/d.md': owned('d', '', `${BODY}\n## Notes\n`),
  'specs/z.md': owned('z', 'phase: later\n'),
});

interface Linted {
  code: number | null;
  out: Json;
  stdout: string;
  stderr: string;
}

function parsed(r: { code: number | null; stdout: string; stderr: string }): Linted {
  let out: Json;
  try {
    out = JSON.parse(r.stdout) as Json;
  } catch {
    throw new Error(`lint --format json printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  return { code: r.code, out, stdout: r.stdout, stderr: r.stderr };
}

/** In-process, for speed; the MIXED run below goes through the real binary. */
async function lintJson(cwd: string, args: string[] = ['specs']): Promise<Linted> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd, env: {} };
  const code = await main(['lint', ...args, '--format', 'json'], io);
  return parsed({ code, stdout, stderr });
}

let mixed: Linted | undefined;
const mixedJson = () => (mixed ??= parsed(cli(['lint', 'specs', '--format', 'json'], { cwd: MIXED })));

test('json (real binary): the exact top-level shape, keys in the contract order', () => {
  const { code, out, stdout } = mixedJson();
  assert.equal(code, 1);
  assert.deepEqual(Object.keys(out), TOP_KEYS);
  assert.equal(out.version, 1);
  assert.equal(out.filesChecked, 6, 'five specs and PROJECT.md');
  assert.ok(Array.isArray(out.diagnostics));
  assert.ok(stdout.endsWith('}\n'), 'one JSON document and a final newline');
});

test('json: every diagnostic has exactly the contract keys, in order, with the right types', () => {
  const { out } = mixedJson();
  assert.ok(out.diagnostics.length >= 8, `the fixture should give many diagnostics, got ${out.diagnostics.length}`);
  for (const d of out.diagnostics as Json[]) {
    assert.deepEqual(Object.keys(d), DIAGNOSTIC_KEYS, JSON.stringify(d));
    assert.equal(typeof d.ruleId, 'string');
    assert.ok(d.severity === 'error' || d.severity === 'warning');
    assert.equal(typeof d.message, 'string');
    assert.equal(typeof d.fixable, 'boolean');
    for (const k of ['line', 'column', 'endLine', 'endColumn']) assert.ok(Number.isInteger(d[k]) && d[k] >= 1, `${k} of ${JSON.stringify(d)}`);
    assert.ok(d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column), `end after start: ${JSON.stringify(d)}`);
  }
});

test('json: counts match the diagnostics', () => {
  const { out } = mixedJson();
  const errors = (out.diagnostics as Json[]).filter((d) => d.severity === 'error').length;
  const warnings = (out.diagnostics as Json[]).filter((d) => d.severity === 'warning').length;
  assert.ok(errors > 0 && warnings > 0);
  assert.equal(out.errorCount, errors);
  assert.equal(out.warningCount, warnings);
});

test('json: diagnostics are sorted by file, line, column, rule id', () => {
  const { out } = mixedJson();
  const diags = out.diagnostics as Json[];
  const cmp = (a: Json, b: Json) =>
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
  for (let i = 1; i < diags.length; i++) {
    assert.ok(cmp(diags[i - 1]!, diags[i]!) <= 0, `out of order:\n${JSON.stringify(diags[i - 1])}\n${JSON.stringify(diags[i])}`);
  }
  const key = (d: Json) => `${d.file}:${d.line}:${d.column} ${d.ruleId}`;
  const keys = diags.map(key);
  // The fixture's traps, checked by name so a fixture that stops producing them fails here.
  const at = (file: string) => keys.filter((k) => k.startsWith(`${file}:`));
  assert.deepEqual(
    at('specs/b.md').map((k) => k.split(' ')[1]),
    ['duplicate-id', 'id-filename-mismatch'],
    'two diagnostics at one position: by rule id',
  );
  const aLines = at('specs/a.md').map((k) => Number(k.split(':')[1]));
  assert.ok(aLines.includes(4) && aLines.includes(16), `a.md has diagnostics on lines 4 and 16: ${aLines.join(', ')}`);
  const unknown = diags.filter((d) => d.file === 'specs/a.md' && d.ruleId === 'unknown-dependency');
  assert.deepEqual(unknown.map((d) => d.message.match(/'(\w+)'/)?.[1]), ['nope', 'nada'], 'same line: by column');
  const files = [...new Set(diags.map((d) => d.file as string))];
  assert.deepEqual(files, ['specs/PROJECT.md', 'specs/a.md', 'specs/b.md', 'specs/c.md', 'specs/sub/d.md', 'specs/z.md']);
});

test('json: file is relative to the current directory, with / separators', async () => {
  const fromSpecs = (await lintJson(join(MIXED, 'specs'), ['.'])).out;
  assert.deepEqual([...new Set((fromSpecs.diagnostics as Json[]).map((d) => d.file))], ['PROJECT.md', 'a.md', 'b.md', 'c.md', 'sub/d.md', 'z.md']);

  const sibling = join(MIXED, 'elsewhere');
  mkdirSync(sibling, { recursive: true });
  const fromSibling = (await lintJson(sibling, ['../specs'])).out;
  assert.ok((fromSibling.diagnostics as Json[]).some((d) => d.file === '../specs/sub/d.md'));

  const absolute = (await lintJson(sibling, [join(MIXED, 'specs')])).out;
  assert.ok((absolute.diagnostics as Json[]).every((d) => d.file.startsWith('../specs/') && !d.file.includes('\\')), 'an absolute folder argument still gives relative files');
  assert.equal(absolute.diagnostics.length, mixedJson().out.diagnostics.length);
});

test('json: a clean folder gives no diagnostics and zero counts, exit 0', async () => {
  const cwd = writeTree(tempDir(), { 'specs/one.md': owned('one') });
  const { code, out } = await lintJson(cwd);
  assert.equal(code, 0);
  assert.deepEqual(out, { version: 1, filesChecked: 1, errorCount: 0, warningCount: 0, diagnostics: [] });
});

test('json: fixable is true for a fixable diagnostic, and the fix itself is not in the output', async () => {
  const cwd = writeTree(tempDir(), {
    'specs/x.md': owned('x', 'phase: foundation\n'),
    'specs/y.md': owned('y', 'phase: foundation\ndepends_on: [x]\n'),
    'specs/z.md': owned('z', 'phase: foundation\ndepends_on: [x, y]\n'),
  });
  const { code, out } = await lintJson(cwd);
  assert.equal(code, 0, 'only a warning');
  assert.deepEqual(
    (out.diagnostics as Json[]).map((d) => `${d.file}:${d.line}:${d.column} ${d.ruleId} ${d.fixable}`),
    ['specs/z.md:5:14 redundant-dependency true'],
  );
  assert.deepEqual(Object.keys(out.diagnostics[0]), DIAGNOSTIC_KEYS);
});

test('json --quiet: warnings are left out and not counted', async () => {
  const { code, out } = await lintJson(MIXED, ['specs', '--quiet']);
  assert.equal(code, 1);
  assert.deepEqual(Object.keys(out), TOP_KEYS);
  assert.ok((out.diagnostics as Json[]).every((d) => d.severity === 'error'));
  assert.equal(out.warningCount, 0);
  assert.equal(out.errorCount, out.diagnostics.length);
  assert.equal(out.errorCount, mixedJson().out.errorCount);
});
