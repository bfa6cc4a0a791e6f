// `specdag lint --format sarif` must be SARIF 2.1.0 that GitHub code
// scanning accepts: valid against the SARIF 2.1.0 JSON Schema, and within
// the subset GitHub reads (one run, a rule per rule id with help, results
// located by a relative uri and a region).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import AjvDraft04, { type ErrorObject } from 'ajv-draft-04';
import { rules, severityOf } from '../../src/lint/registry.js';
import type { Io } from '../../src/io/io.js';
import { main } from '../../src/cli/main.js';
import { cli, ROOT, specText, tempDir, writeTree } from '../helpers.js';

/** A valid spec that owns a folder of its own (version 2 warns about a task that owns nothing). */
const owned = (id: string, extra = '', body?: string, glob = `src/${id}/**`) => specText(id, `${extra}owns: [${glob}]\n`, body);

// The schema ships in @microsoft/jest-sarif (a devDependency): Microsoft's
// SARIF 2.1.0 schema (rtm.5, the one json.schemastore.org serves), draft-04.
const SCHEMA_PATH = join(ROOT, 'node_modules', '@microsoft', 'jest-sarif', 'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');

type Json = Record<string, any>;

function sarifValidator(): (data: unknown) => string[] {
  // A CommonJS package: its class is `.default` of what an ESM default import gives.
  const Ajv = AjvDraft04.default;
  const ajv = new Ajv({
    allErrors: true,
    // The schema is third-party: `strict` only lints how a schema is written, not what it accepts.
    strict: false,
    // One of its patterns has a stray `]`, legal only without the `u` flag.
    unicodeRegExp: false,
    formats: {
      uri: (s: string) => URL.canParse(s),
      'uri-reference': (s: string) => URL.canParse(s, 'file:///base/') && !/[\s\\]/.test(s),
      'date-time': (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s),
    },
  });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`));
}

/** Errors and warnings in several files, a subfolder and PROJECT.md. */
function mixedFolder(): string {
  return writeTree(tempDir(), {
    'specs/PROJECT.md': '---\nproject: mixed\n---\n# Mixed\n',
    'specs/a.md': owned('a', 'depends_on: [nope]\n', '## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n\n## Notes\n'),
    'specs/b.md': owned('c', '', undefined, 'src/b/**'),
    'specs/c.md': owned('c'),
    'specs/sub/d.md': owned('d', '', '## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n\n## Notes\n'),
  });
}

// Made at the top level: a tempDir made inside a test is removed when that test ends.
const MIXED = mixedFolder();
let mixed: { cwd: string; code: number | null; sarif: Json } | undefined;
/** The mixed folder's sarif output, made once for the tests that only read it. */
function mixedSarif(): { cwd: string; code: number | null; sarif: Json } {
  mixed ??= { cwd: MIXED, ...lintSarif(MIXED) };
  return mixed;
}

function parsed(r: { code: number | null; stdout: string; stderr: string }): { code: number | null; sarif: Json; stderr: string } {
  let sarif: Json;
  try {
    sarif = JSON.parse(r.stdout) as Json;
  } catch {
    throw new Error(`lint --format sarif printed no JSON (exit ${r.code}): ${r.stdout}${r.stderr}`);
  }
  return { code: r.code, sarif, stderr: r.stderr };
}

/** Through the real binary. */
const lintSarif = (cwd: string, dir = 'specs') => parsed(cli(['lint', dir, '--format', 'sarif'], { cwd }));

/** In-process, for speed. */
async function lintSarifFast(cwd: string, args: string[] = ['specs']): Promise<{ code: number | null; sarif: Json; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd, env: {} };
  const code = await main(['lint', ...args, '--format', 'sarif'], io);
  return parsed({ code, stdout, stderr });
}

const validate = sarifValidator();

test('the validator rejects what is not SARIF 2.1.0 (so a pass below means something)', () => {
  assert.deepEqual(validate({ version: '2.1.0', runs: [] }), []);
  assert.notDeepEqual(validate({ version: '2.0.0', runs: [] }), []);
  assert.notDeepEqual(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), [], 'a driver needs a name');
  assert.notDeepEqual(
    validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }),
    [],
    'level must be one of none, note, warning, error',
  );
});

test('sarif output with errors and warnings is valid against the SARIF 2.1.0 schema', () => {
  const { code, sarif } = mixedSarif();
  assert.equal(code, 1, 'errors make exit code 1 in every format');
  assert.deepEqual(validate(sarif), []);
  assert.ok(sarif.runs[0].results.length >= 5, 'the fixture should produce several results');
});

test('sarif output of a clean folder is valid, with an empty results array', async () => {
  const cwd = writeTree(tempDir(), { 'specs/only.md': owned('only') });
  const { code, sarif } = await lintSarifFast(cwd);
  assert.equal(code, 0);
  assert.deepEqual(validate(sarif), []);
  assert.deepEqual(sarif.runs[0].results, [], 'GitHub needs results: [] (not a missing key) to close alerts');
});

test('sarif: one run, version 2.1.0, a rule entry with help for every rule id', () => {
  const { sarif } = mixedSarif();
  assert.equal(sarif.version, '2.1.0');
  assert.equal(typeof sarif.$schema, 'string');
  assert.match(sarif.$schema, /sarif.*2\.1\.0/);
  assert.equal(sarif.runs.length, 1);
  const driver = sarif.runs[0].tool.driver;
  assert.equal(driver.name, 'specdag');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(driver.semanticVersion ?? driver.version, pkg.version);
  const ids = (driver.rules as Json[]).map((r) => r.id);
  assert.deepEqual(ids, rules.map((r) => r.id), 'one rule entry per registered rule, in registry order');
  assert.equal(new Set(ids).size, ids.length, 'rule ids are unique');
  for (const rule of driver.rules as Json[]) {
    assert.equal(typeof rule.help?.text, 'string', `rule ${rule.id} has help.text`);
    assert.ok(rule.help.text.trim().length > 0, `rule ${rule.id} help.text is not empty`);
    assert.ok(rule.shortDescription?.text?.trim(), `rule ${rule.id} has a shortDescription`);
    assert.equal(rule.defaultConfiguration?.level, severityOf(rule.id), `rule ${rule.id} default level is its severity`);
  }
});

test('sarif results meet GitHub code scanning requirements', () => {
  const { sarif } = mixedSarif();
  const run = sarif.runs[0];
  const ruleIds = (run.tool.driver.rules as Json[]).map((r) => r.id);
  assert.ok(run.results.length > 0);
  for (const r of run.results as Json[]) {
    const where = JSON.stringify(r);
    assert.ok(ruleIds.includes(r.ruleId), `ruleId ${r.ruleId} is among the driver's rules`);
    if (r.ruleIndex !== undefined) assert.equal(ruleIds[r.ruleIndex], r.ruleId, `ruleIndex points at its rule: ${where}`);
    assert.ok(['error', 'warning'].includes(r.level), `level: ${where}`);
    assert.equal(typeof r.message?.text, 'string');
    assert.ok(r.message.text.length > 0, `message.text: ${where}`);
    assert.equal(r.locations.length, 1, `one location: ${where}`);
    const loc = r.locations[0].physicalLocation;
    const uri: string = loc.artifactLocation.uri;
    assert.ok(!uri.includes('\\'), `uri uses '/' separators: ${uri}`);
    assert.ok(!uri.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(uri), `uri is relative: ${uri}`);
    assert.ok(!uri.split('/').includes('..') && !uri.startsWith('./'), `uri is relative to the checkout, no ./ or ..: ${uri}`);
    assert.match(uri, /^specs\//, 'relative to the directory lint ran in');
    const region = loc.region;
    assert.ok(Number.isInteger(region.startLine) && region.startLine >= 1, `startLine >= 1: ${where}`);
    assert.ok(Number.isInteger(region.startColumn) && region.startColumn >= 1, `startColumn >= 1: ${where}`);
    assert.ok(region.endLine === undefined || region.endLine >= region.startLine, `endLine >= startLine: ${where}`);
    if (region.endLine === undefined || region.endLine === region.startLine) {
      assert.ok(region.endColumn === undefined || region.endColumn >= region.startColumn, `endColumn >= startColumn: ${where}`);
    }
  }
});

test('sarif results are the json diagnostics, in the same order', () => {
  const { cwd, sarif } = mixedSarif();
  const json = JSON.parse(cli(['lint', 'specs', '--format', 'json'], { cwd }).stdout) as Json;
  const fromSarif = (sarif.runs[0].results as Json[]).map((r) => {
    const { artifactLocation, region } = r.locations[0].physicalLocation;
    return `${decodeURI(artifactLocation.uri)}:${region.startLine}:${region.startColumn} ${r.level} ${r.ruleId} ${r.message.text}`;
  });
  const fromJson = (json.diagnostics as Json[]).map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.ruleId} ${d.message}`);
  assert.deepEqual(fromSarif, fromJson);
  const files = new Set(fromJson.map((l) => l.split(':')[0]));
  assert.ok(files.has('specs/PROJECT.md') && files.has('specs/sub/d.md') && files.has('specs/a.md'), [...files].join(', '));
});

test('sarif uris are relative to the current directory when lint runs from a subfolder', async () => {
  const { sarif } = await lintSarifFast(join(MIXED, 'specs'), ['.']);
  const uris = new Set((sarif.runs[0].results as Json[]).map((r) => r.locations[0].physicalLocation.artifactLocation.uri as string));
  assert.ok(uris.has('a.md') && uris.has('sub/d.md'), [...uris].join(', '));
  assert.deepEqual(validate(sarif), []);
});

test('sarif --quiet drops the warnings from the results', async () => {
  const { sarif } = await lintSarifFast(MIXED, ['specs', '--quiet']);
  const levels = new Set((sarif.runs[0].results as Json[]).map((x) => x.level));
  assert.deepEqual([...levels], ['error']);
  assert.deepEqual(validate(sarif), []);
});

test('sarif uris percent-encode file names, so each resolves back to its file', {
}, async () => {
  // A name outside the id pattern still gets linted (id-filename-mismatch), and must be located exactly.
  const names = ['with space.md', 'hash#1.md', 'what?.md', 'per%cent.md'];
  const cwd = writeTree(tempDir(), Object.fromEntries(names.map((n) => [`specs/${n}`, owned('x')])));
  const { sarif } = await lintSarifFast(cwd);
  assert.deepEqual(validate(sarif), []);
  const resolved = new Set(
    (sarif.runs[0].results as Json[]).map((r) => {
      const url = new URL(r.locations[0].physicalLocation.artifactLocation.uri as string, 'file:///checkout/');
      assert.equal(url.search + url.hash, '', `uri has no query or fragment: ${url.href}`);
      return decodeURIComponent(url.pathname.slice('/checkout/'.length));
    }),
  );
  for (const n of names) assert.ok(resolved.has(`specs/${n}`), `a result located at specs/${n}; got ${[...resolved].join(', ')}`);
});
