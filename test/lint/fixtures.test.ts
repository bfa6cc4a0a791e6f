// One folder per situation under test/fixtures/lint/<case>/: a spec folder
// `specs/` and, beside it, `expected.txt` with one line per diagnostic
// (`file:line:column severity rule-id`, in output order). An empty
// expected.txt means the folder must lint clean.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSpecFolder } from '../../src/io/folder.js';
import { lintFolder } from '../../src/lint/engine.js';
import { ROOT } from '../helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'lint');

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

test('there are lint fixtures', () => {
  assert.ok(cases.length > 0, `no fixture folders in ${FIXTURES}`);
});

for (const name of cases) {
  test(`lint fixture: ${name}`, () => {
    const dir = join(FIXTURES, name);
    const expected = readFileSync(join(dir, 'expected.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const result = lintFolder(readSpecFolder('specs', dir));
    const actual = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.ruleId}`);
    assert.deepEqual(actual, expected, result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.ruleId}: ${d.message}`).join('\n'));
  });
}
