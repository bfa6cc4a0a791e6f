// Graph rules on inputs too large (or too generated) to commit as fixtures:
// a very deep chain, a very long cycle, many pairwise-concurrent owners, and
// a strongly connected component that is not a simple cycle. Specs are
// written to a temp folder and linted in-process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readSpecFolder } from '../../src/io/folder.js';
import { lintFolder, type LintResult } from '../../src/lint/engine.js';
import { specText, tempDir, writeTree } from '../helpers.js';

const GRAPH_RULES = new Set([
  'unknown-dependency',
  'self-dependency',
  'dependency-cycle',
  'redundant-dependency',
  'phase-order',
  'ownership-conflict',
  'read-write-race',
  'interface-unprovided',
  'interface-not-upstream',
  'interface-duplicate-provider',
  'no-integration',
]);

function lintTree(files: Record<string, string>): LintResult {
  const dir = writeTree(tempDir('specdag-graph-'), files);
  return lintFolder(readSpecFolder('specs', dir));
}

const pad = (i: number) => String(i).padStart(5, '0');

test('a 10,000-deep dependency chain lints without overflowing the stack and without graph findings', () => {
  const n = 10_000;
  // Ids count down along the chain, so id order is the reverse of dependency order.
  const id = (i: number) => `t${pad(n - i)}`;
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const deps = i === 0 ? '' : `depends_on: [${id(i - 1)}]\n`;
    files[`specs/${id(i)}.md`] = specText(id(i), `${deps}owns: [src/${id(i)}/**]\nreads: [src/${id(i === 0 ? 0 : i - 1)}/**]\n`);
  }
  files['specs/merge.md'] = specText('merge', `phase: integration\ndepends_on: [${id(n - 1)}]\nowns: [CHANGELOG.md]\n`);
  const result = lintTree(files);
  assert.equal(result.filesChecked, n + 1);
  const graph = result.diagnostics.filter((d) => GRAPH_RULES.has(d.ruleId));
  assert.deepEqual(graph.map((d) => `${d.file}:${d.line}:${d.column} ${d.ruleId}: ${d.message}`), []);
  assert.deepEqual(result.diagnostics, [], 'the generated specs are otherwise clean');
});

test('a 2,000-member cycle is reported once on every member, with the whole path', () => {
  const n = 2_000;
  const id = (i: number) => `c${pad(i)}`;
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`specs/${id(i)}.md`] = specText(id(i), `depends_on: [${id((i + 1) % n)}]\nowns: [src/${id(i)}/**]\n`);
  }
  files['specs/merge.md'] = specText('merge', `phase: integration\ndepends_on: [${id(0)}]\nowns: [CHANGELOG.md]\n`);
  const result = lintTree(files);
  const cycle = result.diagnostics.filter((d) => d.ruleId === 'dependency-cycle');
  assert.equal(cycle.length, n);
  const seen = new Set<string>();
  for (const d of cycle) {
    const m = /^specs\/(c\d{5})\.md$/.exec(d.file);
    assert.ok(m, `unexpected file ${d.file}`);
    const member = m[1]!;
    seen.add(member);
    // `depends_on: [x]` on line 4 of specText: the item is at column 14.
    assert.equal(`${d.line}:${d.column}`, '4:14', `${d.file}: ${d.message}`);
    assert.equal(d.severity, 'error');
    const path = /dependency cycle: ([^;]*)/.exec(d.message)?.[1]?.trim().split(' → ');
    assert.ok(path, `no path in: ${d.message.slice(0, 200)}`);
    assert.equal(path.length, n + 1, `${d.file}: the path should name all ${n} members and return to the start`);
    assert.equal(path[0], member);
    assert.equal(path[n], member);
    const start = Number(member.slice(1));
    assert.equal(path[1], id((start + 1) % n));
    assert.equal(new Set(path).size, n);
  }
  assert.equal(seen.size, n, 'every member is reported');
  const others = result.diagnostics.filter((d) => d.ruleId !== 'dependency-cycle');
  assert.deepEqual(others.map((d) => `${d.file}:${d.line}:${d.column} ${d.ruleId}: ${d.message.slice(0, 120)}`), []);
});

test('500 parallel tasks all owning src/** report ownership-conflict on each and finish', () => {
  const n = 500;
  const id = (i: number) => `p${pad(i)}`;
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) files[`specs/${id(i)}.md`] = specText(id(i), 'owns: [src/**]\n');
  files['specs/merge.md'] = specText('merge', `phase: integration\ndepends_on: [${id(0)}]\nowns: [CHANGELOG.md]\n`);
  const result = lintTree(files);
  const conflicts = result.diagnostics.filter((d) => d.ruleId === 'ownership-conflict');
  assert.ok(conflicts.length > 0, 'ownership-conflict is reported');
  const files_ = new Set(conflicts.map((d) => d.file));
  for (let i = 0; i < n; i++) assert.ok(files_.has(`specs/${id(i)}.md`), `${id(i)} has an ownership-conflict`);
  assert.ok(!files_.has('specs/merge.md'));
  for (const d of conflicts) {
    assert.equal(`${d.line}:${d.column}`, '4:8', 'at the owns item');
    assert.equal(d.severity, 'error');
  }
});

test('a strongly connected component that is not a simple cycle: one simple cycle through each member', () => {
  // a → b, b → a, b → c, c → a (arrows read "depends on")
  const deps: Record<string, string[]> = { a: ['b'], b: ['a', 'c'], c: ['a'] };
  const files: Record<string, string> = {};
  for (const [id, d] of Object.entries(deps)) {
    files[`specs/${id}.md`] = specText(id, `phase: foundation\ndepends_on:\n${d.map((x) => `  - ${x}\n`).join('')}owns: [src/${id}/**]\n`);
  }
  const result = lintTree(files);
  const cycle = result.diagnostics.filter((d) => d.ruleId === 'dependency-cycle');
  assert.deepEqual(cycle.map((d) => d.file), ['specs/a.md', 'specs/b.md', 'specs/c.md']);
  for (const d of cycle) {
    const member = d.file.slice('specs/'.length, -'.md'.length);
    const path = /dependency cycle: ([^;]*)/.exec(d.message)?.[1]?.trim().split(' → ');
    assert.ok(path && path.length >= 3, d.message);
    assert.equal(path[0], member);
    assert.equal(path[path.length - 1], member);
    assert.equal(new Set(path.slice(0, -1)).size, path.length - 1, `a simple cycle: ${d.message}`);
    for (let k = 0; k + 1 < path.length; k++) assert.ok(deps[path[k]!]?.includes(path[k + 1]!), `${path[k]} → ${path[k + 1]} is an edge`);
    // The diagnostic sits on the depends_on item naming the next member: line 6 holds the first item.
    const itemLine = 6 + deps[member]!.indexOf(path[1]!);
    assert.equal(`${d.line}:${d.column}`, `${itemLine}:5`, d.message);
  }
  assert.deepEqual(result.diagnostics.filter((d) => d.ruleId !== 'dependency-cycle'), []);
});
