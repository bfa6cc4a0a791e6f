// Every folder under test/fixtures/import/<format>/ is one situation: a
// source written in that format's documented or real-world shape (SHAPES.md
// beside them says which) and expected.json, what importing it must give:
// the exit code, the specs written, the notes kept, and the lint findings by
// spec and rule. The import runs on a copy, so the fixtures stay as they are.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ROOT, runMain, tempDir } from '../helpers.js';

type Json = Record<string, any>;

interface Expected {
  source: string;
  tag?: string;
  exit: number;
  stderr?: string;
  specs?: string[];
  notes?: number;
  errors?: string[];
  warnings?: string[];
}

const FIXTURES = join(ROOT, 'test', 'fixtures', 'import');

/**
 * owns-empty is a warning that arrives with the lint rules of version 2:
 * imported tasks that name no path get it, which is right, and it is left
 * out here so these expectations hold before and after that rule lands.
 */
const IGNORED = new Set(['owns-empty']);

/** Words the placeholder-text rule reports, and the text `specdag new` writes. */
const PLACEHOLDER = /\b(TODO|TBD|FIXME)\b|\?\?\?|what this task delivers, in a few sentences|a first checkable criterion/;

const cases = readdirSync(FIXTURES)
  .filter((f) => statSync(join(FIXTURES, f)).isDirectory())
  .flatMap((format) =>
    readdirSync(join(FIXTURES, format))
      .filter((name) => existsSync(join(FIXTURES, format, name, 'expected.json')))
      .map((name) => ({ format, name })),
  );

test('there is a fixture for every format, with the malformed ones the issue lists', () => {
  const names = (format: string) => cases.filter((c) => c.format === format).map((c) => c.name);
  for (const format of ['spec-kit', 'taskmaster', 'cc-sdd', 'backlog']) {
    for (const must of ['unknown-dep', 'cycle', 'empty']) assert.ok(names(format).includes(must), `${format}/${must}`);
  }
  assert.ok(names('spec-kit').includes('unclosed-fence'));
  assert.ok(names('cc-sdd').includes('unclosed-fence'));
  assert.ok(names('taskmaster').includes('not-json'));
});

for (const { format, name } of cases) {
  test(`import ${format} ${name}: the specs and lint result in expected.json`, async () => {
    const fixture = join(FIXTURES, format, name);
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Expected;
    const cwd = tempDir();
    cpSync(fixture, cwd, { recursive: true });
    const argv = ['import', format, expected.source, 'out', ...(expected.tag ? ['--tag', expected.tag] : [])];
    const r = await runMain(argv, cwd);
    assert.equal(r.code, expected.exit, `${r.stdout}\n${r.stderr}`);

    if (expected.exit === 2) {
      assert.ok(r.stderr.includes(expected.stderr!), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, 'one sentence');
      assert.ok(!existsSync(join(cwd, 'out')), 'nothing written');
      return;
    }

    const written = readdirSync(join(cwd, 'out')).filter((f) => f.endsWith('.md')).map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(written, expected.specs);
    assert.match(r.stdout, new RegExp(`wrote ${written.length} specs? to out/`));
    assert.equal(Number(/kept (\d+) notes?/.exec(r.stdout)?.[1] ?? 0), expected.notes, r.stdout);

    const lint = await runMain(['lint', 'out', '--format', 'json'], cwd);
    const diagnostics = (JSON.parse(lint.stdout) as Json).diagnostics as Json[];
    const key = (d: Json) => `${String(d.file).replace(/^out\//, '').replace(/\.md$/, '')} ${d.ruleId}`;
    const of = (severity: string) => [...new Set(diagnostics.filter((d) => d.severity === severity && !IGNORED.has(d.ruleId)).map(key))].sort();
    assert.deepEqual(of('error'), expected.errors);
    assert.deepEqual(of('warning'), expected.warnings);
    // The import's own stylish report says the same as lint.
    assert.equal(r.code, of('error').length > 0 ? 1 : 0);
    for (const d of diagnostics) assert.ok(r.stdout.includes(String(d.message)), `the import printed ${d.ruleId} on ${d.file}`);

    for (const id of written) {
      const text = readFileSync(join(cwd, 'out', `${id}.md`), 'utf8');
      const fm = parse(/^---\n([\s\S]*?)\n---\n/.exec(text)![1]!) as Json;
      assert.equal(fm.id, id);
      assert.ok(String(fm.title).trim().length > 0, `${id} has a title`);
      assert.equal(typeof fm['x-source'].file, 'string', `${id} names its source file`);
      assert.equal(typeof fm['x-source'].id, 'string', `${id} names its source id`);
      assert.match(text, /^## Goal\n\S/m, `${id} has a Goal`);
      assert.match(text, /^## Acceptance criteria\n- \[[ x]\] \S/m, `${id} has a criterion`);
      assert.doesNotMatch(text, PLACEHOLDER, `${id} holds no placeholder text`);
    }
  });
}
