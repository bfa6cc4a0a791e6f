import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyFixes } from '../../src/lint/fix.js';
import type { Fix } from '../../src/lint/types.js';
import { cli, tempDir, writeTree } from '../helpers.js';

/** The fix that removes `value` from `depends_on`, located the way the rule locates it. */
function removal(text: string, value: string, occurrence = 0): Fix {
  const body = text.replace(/^\ufeff/, '');
  const listAt = body.indexOf('depends_on');
  let start = listAt;
  for (let i = 0; i <= occurrence; i++) start = body.indexOf(value, start + 1);
  return { kind: 'remove-item', key: 'depends_on', value, start, end: start + value.length };
}

const cases: [string, string, string, string][] = [
  ['block list, middle item with a comment', '---\nid: t\ntitle: T # keep\ndepends_on:\n  - a\n  - b # why b\n  - c\n---\nbody\n', 'b', '---\nid: t\ntitle: T # keep\ndepends_on:\n  - a\n  - c\n---\nbody\n'],
  ['block list, last item', '---\nid: t\ntitle: T\ndepends_on:\n  - a\n  - c\nowns: [x]\n---\n', 'c', '---\nid: t\ntitle: T\ndepends_on:\n  - a\nowns: [x]\n---\n'],
  ['flow list, first item', '---\nid: t\ntitle: T\ndepends_on: [a, b, c]\n---\n', 'a', '---\nid: t\ntitle: T\ndepends_on: [b, c]\n---\n'],
  ['flow list, middle item', '---\nid: t\ntitle: T\ndepends_on: [a, b, c]\n---\n', 'b', '---\nid: t\ntitle: T\ndepends_on: [a, c]\n---\n'],
  ['flow list, last item', '---\nid: t\ntitle: T\ndepends_on: [a, b, c]  # deps\n---\n', 'c', '---\nid: t\ntitle: T\ndepends_on: [a, b]  # deps\n---\n'],
  ['CRLF block list', '---\r\nid: t\r\ntitle: T\r\ndepends_on:\r\n  - a\r\n  - b\r\n---\r\n# T\r\n', 'a', '---\r\nid: t\r\ntitle: T\r\ndepends_on:\r\n  - b\r\n---\r\n# T\r\n'],
  ['BOM and quoted item', "\ufeff---\nid: t\ntitle: T\ndepends_on: ['a', \"b\"]\n---\n", "'a'", '\ufeff---\nid: t\ntitle: T\ndepends_on: ["b"]\n---\n'],
];

for (const [name, input, value, expected] of cases) {
  test(`--fix keeps every other byte: ${name}`, () => {
    const fix = removal(input, value);
    const plain = value.replace(/^['"]|['"]$/g, '');
    const result = applyFixes(input, [{ ...fix, value: plain }]);
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.text, expected);
  });
}

test('two fixes in one file are both applied', () => {
  const input = '---\nid: t\ntitle: T\ndepends_on: [a, b, c, d]\n---\n';
  const result = applyFixes(input, [removal(input, 'a'), removal(input, 'c')]);
  assert.ok(result.ok);
  assert.equal(result.text, '---\nid: t\ntitle: T\ndepends_on: [b, d]\n---\n');
});

test('a fix that no longer matches the file is refused', () => {
  const input = '---\nid: t\ntitle: T\ndepends_on: [a, b]\n---\n';
  const result = applyFixes(input, [{ kind: 'remove-item', key: 'depends_on', value: 'zz', start: 27, end: 28 }]);
  assert.equal(result.ok, false);
});

test('a file whose frontmatter does not parse is never rewritten', () => {
  const input = '---\nid: t\ntitle: [unclosed\ndepends_on: [a, b]\n---\n';
  const result = applyFixes(input, [removal(input, 'a')]);
  assert.equal(result.ok, false);
});

test('specdag lint --fix removes a redundant dependency, reports it, and the folder lints clean after', () => {
  const dir = tempDir();
  const spec = (id: string, deps: string, owns: string) =>
    `---\nid: ${id}\ntitle: ${id}\n${deps}owns: [${owns}]\n---\n\n# ${id}\n\n## Goal\nG.\n\n## Acceptance criteria\n- [ ] done\n`;
  writeTree(dir, {
    'specs/a.md': spec('a', '', 'src/a/**'),
    'specs/b.md': spec('b', 'depends_on: [a]\n', 'src/b/**'),
    'specs/c.md': spec('c', 'phase: integration\n# c needs both\ndepends_on:\n  - a   # the base\n  - b\n', 'src/c/**'),
  });
  const before = readFileSync(join(dir, 'specs/c.md'), 'utf8');
  const first = cli(['lint', 'specs'], { cwd: dir });
  assert.equal(first.code, 0, first.stdout);
  assert.match(first.stdout, /redundant-dependency/);
  const fixed = cli(['lint', 'specs', '--fix'], { cwd: dir });
  assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
  assert.match(fixed.stdout, /specs\/c\.md:7:5 removed 'a' from depends_on \(redundant-dependency\)/);
  assert.doesNotMatch(fixed.stdout, /redundant-dependency\s*$/m);
  assert.equal(readFileSync(join(dir, 'specs/c.md'), 'utf8'), before.replace('  - a   # the base\n', ''));
  const after = cli(['lint', 'specs', '--format', 'json'], { cwd: dir });
  assert.equal(JSON.parse(after.stdout).warningCount, 0);
});
