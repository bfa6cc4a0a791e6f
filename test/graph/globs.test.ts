// The glob-overlap core behind ownership-conflict and read-write-race: a
// table of decided answers, the helpers' own tables, and a seeded
// property test that checks soundness against picomatch itself: whenever
// picomatch (with { dot: true }) matches one path with both globs, the
// globs must be reported as overlapping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import picomatch from 'picomatch';
import { basesNested, compileGlob, expandBraces, staticBase } from '../../src/graph/globs/compile.js';
import { compiledOverlap, globsOverlap } from '../../src/graph/globs/overlap.js';

const OVERLAP: Array<[string, string, boolean, string]> = [
  ['src/**', 'src/a.ts', true, '** covers a file below its base'],
  ['src/*.ts', 'src/x/y.ts', false, '* stays in one segment'],
  ['src/*.ts', 'src/**/*.ts', true, '** matches zero segments'],
  ['src/**/test/*.ts', 'src/a/b/test/x.ts', true, '** in the middle'],
  ['src/**/test/*.ts', 'src/a/b/x.ts', false, 'the test segment is missing'],
  ['src/{a,b}/**', 'src/b/c.ts', true, 'brace alternative b'],
  ['src/{a,b}/**', 'src/c/d.ts', false, 'no brace alternative matches c'],
  ['src/a', 'src/a/b.ts', true, 'a literal folder covers its files'],
  ['src/auth', 'src/**/*.ts', true, 'a literal folder meets a recursive glob'],
  ['docs/', 'docs/guide/x.md', true, 'a trailing slash names a folder'],
  ['*.md', 'docs/x.md', false, '* does not cross folders'],
  ['**/*.md', 'docs/x.md', true, '**/ at the start'],
  ['src/[ab].ts', 'src/a.ts', true, 'class member'],
  ['src/[ab].ts', 'src/c.ts', false, 'not a class member'],
  ['src/[a-c].ts', 'src/b.ts', true, 'class range'],
  ['src/[a-c].ts', 'src/d.ts', false, 'outside the class range'],
  ['src/[^a].ts', 'src/a.ts', false, 'negated class'],
  ['src/[^a].ts', 'src/b.ts', true, 'negated class, other character'],
  ['src/[[:digit:]].ts', 'src/7.ts', true, 'POSIX class'],
  ['src/[[:digit:]].ts', 'src/x.ts', false, 'outside the POSIX class'],
  ['src/?.ts', 'src/ab.ts', false, '? is exactly one character'],
  ['src/a?c.ts', 'src/a*.ts', true, '? against *'],
  ['src/a*.ts', 'src/*b.ts', true, 'src/ab.ts matches both'],
  ['src/a*', 'src/b*', false, 'different first characters'],
  ['**', 'src/deep/x/y.ts', true, '** covers everything'],
  ['**', '*.md', true, '** against a pattern'],
  ['src/x.ts', 'src/x.ts', true, 'identical literal paths'],
  ['src/**/*.test.ts', 'src/**/*.test.ts', true, 'identical globs'],
  ['src/x.ts', 'src/y.ts', false, 'different files'],
  ['src/**', 'lib/**', false, 'different bases'],
  ['src/auth', 'src/authz/x.ts', false, 'bases are compared by segment, not by prefix'],
  ['src/a.ts', 'src/**/*.test.ts', false, 'a name with an extension is a file, not a folder'],
  ['src/**/*.ts', 'src/**/*.md', false, 'no name ends in both .ts and .md'],
  ['src/**/index.ts', 'src/**/*.test.ts', false, 'index.ts is not a test file'],
  ['src/*/index.ts', 'src/**/index.ts', true, 'one folder deep is some folders deep'],
  ['src/a/*/c.ts', 'src/*/b/*.ts', true, 'src/a/b/c.ts matches both'],
  ['src/a/*/c.ts', 'src/*/b/d.ts', false, 'c.ts is not d.ts'],
  ['src/**/a.ts', 'src/a.ts', true, '** matches zero segments in the middle'],
  ['src/**/**/x.ts', 'src/x.ts', true, 'repeated ** matches zero segments'],
  ['*', 'a/b', false, 'a folder one level down is not a top-level name'],
  ['*', 'Makefile', true, 'a top-level name'],
  ['.github/**', '**/*.yml', true, 'dotfolders match like { dot: true }'],
  ['.github/workflows/ci.yml', '*/*/*.yml', true, '* matches a leading dot'],
  ['./src/a.ts', 'src/a.ts', true, 'a leading ./ is dropped'],
  ['README.md', '*.md', true, 'a top-level file'],
  ['README.md', 'docs/**', false, 'a top-level file is not in docs'],
  ['app/[slug]/page.tsx', 'app/[slug]/page.tsx', true, 'the literal Next.js folder [slug]'],
  ['app/[slug]/page.tsx', 'app/[id]/page.tsx', false, 'different Next.js dynamic segments'],
  ['app/[slug]/**', 'app/s/x.ts', true, 'picomatch also reads [slug] as a class'],
  ['src/file{1..3}.ts', 'src/file2.ts', true, 'numeric brace range'],
  ['src/file{1..3}.ts', 'src/file4.ts', false, 'outside the numeric range'],
  ['src/{a,{b,c}}.ts', 'src/c.ts', true, 'nested braces'],
  ['src/{a,{b,c}}.ts', 'src/d.ts', false, 'no nested alternative matches'],
  ['src/@(a|b).ts', 'lib/a.ts', false, 'an extglob below a different base'],
  // Conservative answers (the glob is widened; see the module comment).
  ['src/@(a|b).ts', 'src/c.ts', true, 'conservative: an extglob counts as *'],
  ['src/!(x).ts', 'src/x.ts', true, 'conservative: a negated extglob counts as *'],
  ['!src/a.ts', 'lib/x.ts', true, 'conservative: a negated glob matches everything'],
  ['src/{1..300}.ts', 'src/x/y.md', true, 'conservative: too many alternatives'],
  ['src/{1..300}.ts', 'lib/5.ts', false, 'even widened, the base holds'],
  ['Makefile', '**/*.md', true, 'conservative: an extensionless name may be a folder'],
  ['a|b', 'c', true, 'conservative: picomatch leaks | into its regex'],
];

test('overlap table: decided answers, both ways round', () => {
  assert.ok(OVERLAP.length >= 40);
  for (const [a, b, expected, why] of OVERLAP) {
    assert.equal(globsOverlap(a, b), expected, `${a} vs ${b}: ${why}`);
    assert.equal(globsOverlap(b, a), expected, `${b} vs ${a}: ${why}`);
  }
});

test('compiledOverlap gives the same answers as globsOverlap, with one compiled form reused', () => {
  const compiled = new Map<string, ReturnType<typeof compileGlob>>();
  const get = (g: string) => compiled.get(g) ?? compiled.set(g, compileGlob(g)).get(g)!;
  for (const [a, b, expected] of OVERLAP) assert.equal(compiledOverlap(get(a), get(b)), expected, `${a} vs ${b}`);
  assert.equal(get('src/**').source, 'src/**');
});

test('staticBase is the literal leading folder part', () => {
  const cases: Array<[string, string]> = [
    ['src/auth/**', 'src/auth'],
    ['src/*.ts', 'src'],
    ['**', ''],
    ['README.md', 'README.md'],
    ['src/a', 'src/a'],
    ['./src/a/', 'src/a'],
    ['src/{a,b}/**', 'src'],
    ['{src,lib}/x', ''],
    ['app/[slug]/page.tsx', 'app'],
    // picomatch also matches the glob's own text, backslash included, as a path.
    ['src/\\*x/y', 'src'],
    ['!src/a', ''],
    ['src/**/test/*.ts', 'src'],
  ];
  for (const [glob, base] of cases) assert.equal(staticBase(glob), base, glob);
  assert.equal(compileGlob('src/auth/**').base, 'src/auth');
});

test('basesNested compares folders by whole segments', () => {
  assert.equal(basesNested('src', 'src/a'), true);
  assert.equal(basesNested('src/a', 'src'), true);
  assert.equal(basesNested('src', 'src'), true);
  assert.equal(basesNested('', 'src'), true);
  assert.equal(basesNested('src', 'srcx'), false);
  assert.equal(basesNested('src/a', 'src/b'), false);
});

test('expandBraces expands alternatives, ranges and nesting, and stops at 256', () => {
  const cases: Array<[string, string[]]> = [
    ['src/{a,b}/**', ['src/a/**', 'src/b/**']],
    ['README.md', ['README.md']],
    ['{1..3}', ['1', '2', '3']],
    ['{3..1}', ['3', '2', '1']],
    ['{a..c}', ['a', 'b', 'c']],
    ['x{a,{b,c}}y', ['xay', 'xby', 'xcy']],
    ['{,a}x', ['x', 'ax']],
    ['{a}', ['{a}']],
    ['{a,b', ['{a,b']],
    ['[{a,b}]', ['[{a,b}]']],
    ['a\\{b,c\\}', ['a\\{b,c\\}']],
    // picomatch compiles these ranges to a character class, so anything from the range on is added.
    ['{01..03}', ['01', '02', '03', '*/**']],
    ['{0..10..5}', ['0', '5', '10', '*/**']],
    ['{1..300}', ['{1..300}']],
    ['{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}', ['{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}']],
  ];
  for (const [glob, expected] of cases) assert.deepEqual(expandBraces(glob), expected, glob);
  assert.equal(expandBraces('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}').length, 256);
});

/** mulberry32: a small seeded PRNG, so the property test is the same on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pieces of globs: realistic segments, glob syntax, and characters picomatch treats specially.
const PIECES = ['a', 'b', '.', 'a.b', '*', '**', '?', '/', '/', '/', '[ab]', '[!a]', '[^a]', '[a-b]', '[]', '[a', 'a]', '{a,b}', '{a,}', '{a}', '{a,{b,.}}', '{1..2}', '{a..c}', '{1..10}', '@(a|b)', '!(a)', '(a|b)', '*(a)', '+(b)', '?(a)', '.a', '[[:alpha:]]', '\\*', '***', 'a**'];
const CHARS = ['a', 'b', '.', '*', '?', '/', '[', ']', '{', '}', ',', '!', '(', ')', '|', '@', '+', '^', '-', '1', '"', '\\'];
const PATH_CHARS = ['a', 'b', '.', 'a', 'b', '.', '1', '2', '[', ']', '{', '}', ',', '!', '(', ')', '+', '|', '*'];

function randomGlob(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pieces = rnd() < 0.65 ? PIECES : CHARS;
  let s = '';
  for (let n = 1 + Math.floor(rnd() * 6); n > 0; n--) s += pick(pieces);
  return s;
}

function randomPath(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const segments: string[] = [];
  for (let d = 1 + Math.floor(rnd() * 4); d > 0; d--) {
    let seg = '';
    for (let l = 1 + Math.floor(rnd() * 3); l > 0; l--) seg += pick(PATH_CHARS);
    segments.push(seg === '.' || seg === '..' ? 'a' : seg);
  }
  return segments.join('/');
}

const isNormalPath = (p: string) => p !== '' && !p.startsWith('/') && !p.endsWith('/') && !p.includes('//') && !p.split('/').some((s) => s === '.' || s === '..');

test('soundness: whenever picomatch matches a path with both globs, they overlap', () => {
  const rnd = prng(20240611);
  const globs = Array.from({ length: 170 }, () => randomGlob(rnd));
  const paths = Array.from({ length: 700 }, () => randomPath(rnd));
  // picomatch matches a glob's own text as a path: use those texts as paths too.
  paths.push(...globs.filter(isNormalPath));
  const matches = globs.map((g) => {
    const isMatch = picomatch(g, { dot: true });
    return paths.map((p) => isMatch(p));
  });
  const compiled = globs.map(compileGlob);
  let witnessed = 0;
  const unsound: string[] = [];
  for (let i = 0; i < globs.length; i++) {
    for (let j = i; j < globs.length; j++) {
      const both = paths.findIndex((_, k) => matches[i]![k] && matches[j]![k]);
      const overlap = compiledOverlap(compiled[i]!, compiled[j]!);
      assert.equal(compiledOverlap(compiled[j]!, compiled[i]!), overlap, `asymmetric: ${globs[i]} vs ${globs[j]}`);
      if (both < 0) continue;
      witnessed++;
      if (!overlap) unsound.push(`${JSON.stringify(globs[i])} vs ${JSON.stringify(globs[j])}: both match ${JSON.stringify(paths[both])}`);
    }
  }
  assert.deepEqual(unsound, []);
  assert.ok(witnessed >= 500, `only ${witnessed} pairs share a path: the test would prove little`);
});

test('soundness on spec-like globs: folders, extensions, braces, classes, extglobs', () => {
  const rnd = prng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const segs = ['src', 'a', 'b', 'test', '*.ts', '*', '**', '**', '{a,b}', '[ab]', 'a*.ts', '*b.ts', 'x.md', '*.md', 'a.ts', '?.ts', '{src,lib}', 'a*', '*.test.ts', '@(a|b)', '!(a).ts', '{1..3}.ts'];
  const names = ['src', 'a', 'b', 'test', 'lib', 'a.ts', 'b.ts', 'ab.ts', 'x.md', 'c.ts', 'x.test.ts', '1.ts', 'c', 'ba.ts', 'x'];
  const globs = [...new Set(Array.from({ length: 150 }, () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => pick(segs)).join('/')))];
  const paths: string[] = [];
  for (const a of names) for (const b of names) for (const c of ['', ...names]) paths.push(c ? `${a}/${b}/${c}` : `${a}/${b}`);
  paths.push(...names);
  const matchers = globs.map((g) => picomatch(g, { dot: true }));
  const matched = matchers.map((m) => paths.filter((p) => m(p)));
  const compiled = globs.map(compileGlob);
  let witnessed = 0;
  for (let i = 0; i < globs.length; i++) {
    for (let j = i + 1; j < globs.length; j++) {
      const witness = matched[i]!.find((p) => matchers[j]!(p));
      if (witness === undefined) continue;
      witnessed++;
      assert.ok(compiledOverlap(compiled[i]!, compiled[j]!), `${globs[i]} vs ${globs[j]}: both match ${witness}`);
    }
  }
  assert.ok(witnessed >= 300, `only ${witnessed} pairs share a path`);
});
