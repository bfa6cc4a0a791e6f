import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathMatcher } from '../../src/graph/globs/overlap.js';

test('pathMatcher reads owns like the overlap check: a folder path covers what is below it', () => {
  const owned = pathMatcher(['src/a', 'lib/*.ts', 'docs/**', 'app/[slug]/x.ts']);
  const cases: [string, boolean][] = [
    ['src/a/b.ts', true],
    ['src/a', true],
    ['src/ab.ts', false],
    ['src/b.ts', false],
    ['lib/x.ts', true],
    ['lib/x/y.ts', false],
    ['docs/a/b.md', true],
    ['app/[slug]/x.ts', true],
    ['weird(1).ts', false],
  ];
  for (const [path, expected] of cases) assert.equal(owned(path), expected, path);
});

test('pathMatcher treats glob characters in a path as plain characters', () => {
  assert.equal(pathMatcher(['src/*.ts'])('src/*.ts'), true);
  assert.equal(pathMatcher(['src/x.ts'])('src/[x].ts'), false);
  assert.equal(pathMatcher([])('anything'), false);
});

test('quickBase is a folder at or above staticBase, without compiling', async () => {
  const { quickBase, staticBase } = await import('../../src/graph/globs/compile.js');
  const cases: [string, string][] = [
    ['src/auth/**', 'src/auth'],
    ['src/*.ts', 'src'],
    ['./docs/a.md', 'docs/a.md'],
    ['src/{a,b}/**', 'src'],
    ['!src/x', ''],
    ['src/a|lib/b', ''],
    ['**/*.md', ''],
    ['app/\\(x\\)/y', 'app'],
  ];
  for (const [glob, base] of cases) {
    assert.equal(quickBase(glob), base, glob);
    const full = staticBase(glob);
    assert.ok(base === '' || full === base || full.startsWith(`${base}/`), `${glob}: ${base} is not above ${full}`);
  }
});
