// The ownership index (src/graph/claim-index.ts) against the pairwise
// answer: on generated folders of every shape (shared bases, globs that
// start with `**`, brace sets, character classes, `**` in the middle, `?`,
// extglobs, escapes, folders, long globs), the pairs that conflicts() finds
// must be exactly the pairs found by comparing every claim with every other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimsOf, conflicts, type Claim } from '../../src/graph/ownership.js';
import { compiledOverlap } from '../../src/graph/globs/overlap.js';
import { skeletons } from '../../src/graph/globs/skeleton.js';
import type { TaskGraph } from '../../src/graph/graph.js';
import { lintFolder } from '../../src/lint/engine.js';
import type { FileEntry } from '../../src/io/folder.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same folders. */
function rng(seed: number): { int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]!, chance: (p) => next() < p };
}

type Rng = ReturnType<typeof rng>;

// Few names, so that globs meet often.
const NAMES = ['src', 'lib', 'a', 'b', 'm1', 'm2', 'pkg', 'test', 'docs', '.github'];
const FILES = ['a.ts', 'b.ts', 'm1.ts', 'm2.ts', 'm1.test.ts', 'index.ts', 'x.md', '.env', 'Makefile', 'ab.ts'];
const PATTERNS = ['*', '*.ts', 'm?.ts', 'm*', '?', '*.test.ts', 'a*', '*b.ts', '?.md', 'm?', '**.ts', 'a**'];
const BRACES = ['{a,b}', '{m1,m2}.ts', '*.{ts,md}', '{src,lib}', 'm{1,2}', '{a,{b,c}}.ts', '{1..3}', '{a..c}.ts', 'v{01..03}', '{a}', '{,x}a.ts'];
const CLASSES = ['[ab].ts', '[!a].ts', '[a-m]1.ts', '[[:digit:]]', 'm[12]', '[^m]*.ts', '[slug]'];
const ODD = ['@(a|b).ts', '!(x)', '+(m1)', 'a\\*b', 'x\\{y', '(a|b)', '"q"', '***', 'a|b'];

function segment(r: Rng, shape: string): string {
  const k = r.int(100);
  if (shape === 'braces' && k < 35) return r.pick(BRACES);
  if (shape === 'classes' && k < 35) return r.pick(CLASSES);
  if (shape === 'odd' && k < 25) return r.pick(ODD);
  if (shape === 'middle' && k < 30) return '**';
  if (shape === 'question' && k < 30) return r.pick(['?', 'm?', '?.ts', 'm?.ts', '??', 'a?']);
  if (k < 40) return r.pick(NAMES);
  if (k < 60) return r.pick(FILES);
  if (k < 80) return r.pick(PATTERNS);
  if (k < 88) return '**';
  if (k < 93) return r.pick(BRACES);
  if (k < 97) return r.pick(CLASSES);
  return r.pick(ODD);
}

function randomGlob(r: Rng, shape: string): string {
  const n = 1 + r.int(4);
  const segs = Array.from({ length: n }, () => segment(r, shape));
  let glob = segs.join('/');
  if (r.chance(0.05)) glob = `./${glob}`;
  if (r.chance(0.05)) glob = `${glob}/`;
  if (r.chance(0.01)) glob = `!${glob}`;
  if (r.chance(0.01)) glob = `${glob}/${'x'.repeat(300)}.ts`;
  return glob;
}

/** The owns (and reads) of task i, by shape: the worst cases of issue 16 and random mixes. */
function globsOf(r: Rng, shape: string, i: number, n: number): { owns: string[]; reads: string[] } {
  const name = `m${i % Math.max(2, Math.floor(n / 3))}`;
  switch (shape) {
    case 'suffix':
      return { owns: [`src/**/${name}.ts`, `**/${name}.test.ts`], reads: r.chance(0.3) ? [`**/m${r.int(n)}.ts`] : [] };
    case 'packages':
      return { owns: [`packages/*/src/${name}/**`], reads: r.chance(0.3) ? [`packages/*/src/m${r.int(n)}/index.ts`] : [] };
    default: {
      const owns = Array.from({ length: 1 + r.int(3) }, () => randomGlob(r, shape));
      const reads = Array.from({ length: r.int(2) }, () => randomGlob(r, shape));
      return { owns: [...new Set(owns)], reads: [...new Set(reads)] };
    }
  }
}

function folder(seed: number, shape: string, n: number): FileEntry[] {
  const r = rng(seed);
  const entries: FileEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = `t${String(i).padStart(3, '0')}`;
    const phase = i < 3 ? 'foundation' : r.chance(0.03) ? 'integration' : 'parallel';
    const deps = i > 3 && r.chance(0.4) ? [`t${String(3 + r.int(i - 3)).padStart(3, '0')}`] : [];
    const { owns, reads } = globsOf(r, shape, i, n);
    const text = [
      '---',
      `id: ${id}`,
      `title: Task ${id}`,
      `phase: ${phase}`,
      `depends_on: ${JSON.stringify(deps)}`,
      `owns: ${JSON.stringify(owns)}`,
      `reads: ${JSON.stringify(reads)}`,
      '---',
      '',
      '## Goal',
      'x',
      '',
      '## Acceptance criteria',
      '- [ ] x',
      '',
    ].join('\n');
    entries.push({ file: `specs/${id}.md`, path: `/nowhere/specs/${id}.md`, stem: id, text });
  }
  return entries;
}

const pairKey = (a: Claim, b: Claim) => `${a.index},${b.index}`;

/** Every pair the slow way: each claim against each other one. */
function pairwise(graph: TaskGraph, probes: Claim[], owns: Claim[], sameList: boolean): Set<string> {
  const out = new Set<string>();
  probes.forEach((p, i) => {
    for (let j = sameList ? i + 1 : 0; j < owns.length; j++) {
      const q = owns[j]!;
      if (p.task !== q.task && compiledOverlap(p.glob, q.glob) && graph.concurrent(p.task, q.task)) out.add(sameList ? pairKey(p, q) : pairKey(p, q));
    }
  });
  return out;
}

function indexed(graph: TaskGraph, probes: Claim[], owns: Claim[], sameList: boolean, index: ReturnType<typeof claimsOf>['ownsIndex']): Set<string> {
  const out = new Set<string>();
  for (const [p, q] of conflicts(graph, probes, owns, index, sameList)) {
    const key = sameList ? pairKey(p.index < q.index ? p : q, p.index < q.index ? q : p) : pairKey(p, q);
    assert.ok(!out.has(key), `pair ${key} found twice`);
    out.add(key);
  }
  return out;
}

function diff(expected: Set<string>, actual: Set<string>, claims: { owns: Claim[]; probes: Claim[] }): string {
  const missing = [...expected].filter((k) => !actual.has(k));
  const extra = [...actual].filter((k) => !expected.has(k));
  const show = (k: string) => {
    const [a, b] = k.split(',').map(Number);
    return `${claims.probes[a!]?.item.value} × ${claims.owns[b!]?.item.value}`;
  };
  return `missing: ${missing.slice(0, 5).map(show).join('; ')} | extra: ${extra.slice(0, 5).map(show).join('; ')}`;
}

const SHAPES = ['mixed', 'suffix', 'packages', 'braces', 'classes', 'middle', 'question', 'odd'];

for (const shape of SHAPES) {
  test(`the ownership index finds exactly the pairwise conflicts: ${shape}`, () => {
    let pairsSeen = 0;
    let triesUsed = 0;
    for (let seed = 1; seed <= 4; seed++) {
      // Big enough that many probes go to the tries (more than 48 claims around them), small enough to compare all pairs.
      const n = 60 + ((seed * 37) % 90);
      const result = lintFolder({ dir: 'specs', specs: folder(seed * 1000 + SHAPES.indexOf(shape), shape, n) });
      const { owns, reads, ownsIndex } = claimsOf(result.graph, result.specs.list);
      const expectOwns = pairwise(result.graph, owns, owns, true);
      const gotOwns = indexed(result.graph, owns, owns, true, ownsIndex);
      assert.deepEqual([...gotOwns].sort(), [...expectOwns].sort(), `owns, seed ${seed}: ${diff(expectOwns, gotOwns, { owns, probes: owns })}`);
      const expectReads = pairwise(result.graph, reads, owns, false);
      const gotReads = indexed(result.graph, reads, owns, false, ownsIndex);
      assert.deepEqual([...gotReads].sort(), [...expectReads].sort(), `reads, seed ${seed}: ${diff(expectReads, gotReads, { owns, probes: reads })}`);
      pairsSeen += expectOwns.size + expectReads.size;
      triesUsed += ownsIndex.queries.tries;
    }
    // The comparison means something only if there were conflicts to find and the tries were used.
    assert.ok(pairsSeen > 0, 'no conflicts generated');
    assert.ok(triesUsed > 0, 'the tries were never used');
  });
}

test('a skeleton covers what the compiled glob covers', () => {
  // Spot checks of the reading; the folder tests above check the consequence.
  assert.deepEqual(skeletons('src/**/m1.ts'), [['src', '**', 'm1.ts']]);
  assert.deepEqual(skeletons('packages/*/src/x/**'), [['packages', '*', 'src', 'x', '**']]);
  assert.deepEqual(skeletons('src/auth'), [['src', 'auth', '**']], 'a folder covers everything below it');
  assert.deepEqual(skeletons('./docs/'), [['docs', '**']]);
  assert.deepEqual(skeletons('src/{a,b}.ts'), [['src', 'a.ts'], ['src', 'b.ts'], ['src', '{a,b}.ts']], 'brace alternatives and the own text');
  assert.deepEqual(skeletons('src/a**/x.ts'), [['src', '*', '**']], 'a ** inside a segment may cross folders');
  assert.deepEqual(skeletons('src/[ab]/x.ts'), [['src', '**']], 'a class: anything below the static base');
  assert.deepEqual(skeletons('!src/x'), [['**']]);
  assert.deepEqual(skeletons(`src/${'a'.repeat(300)}.ts`), [['**']], 'long globs match everything');
});
