// The shapes that used to be slow (issue 16, issue 17 item 7), checked for
// what they answer, never for how fast (speed goals live in `npm run bench`):
// the shortcuts taken to make them fast must give the answers of the slow way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TaskGraph } from '../../src/graph/graph.js';
import { buildSpecSet, lintFolder } from '../../src/lint/engine.js';
import { defaultProject } from '../../src/spec/project.js';
import type { FileEntry } from '../../src/io/folder.js';
import type { Spec } from '../../src/spec/types.js';
import { workerCount } from '../../src/lint/pool.js';
import { closest, distance, Suggester } from '../../src/util/closest.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The plain full-table optimal-string-alignment distance: what distance() must agree with. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function entry(id: string, front: string): FileEntry {
  return { file: `specs/${id}.md`, path: `/nowhere/specs/${id}.md`, stem: id, text: `---\nid: ${id}\ntitle: Task ${id}\n${front}---\n\n## Goal\nx\n\n## Acceptance criteria\n- [ ] x\n` };
}

test('distance() computes only the band near the diagonal, and agrees with the full table', () => {
  const next = rng(7);
  const word = () => Array.from({ length: Math.floor(next() * 9) }, () => 'abc-'[Math.floor(next() * 4)]).join('');
  for (let k = 0; k < 5000; k++) {
    const a = word();
    const b = next() < 0.5 ? word() : a.slice(0, Math.floor(next() * a.length)) + word().slice(0, 2) + a.slice(Math.floor(next() * a.length));
    const max = Math.floor(next() * 4);
    const full = reference(a, b);
    assert.equal(distance(a, b, max), full <= max ? full : max + 1, `${a} / ${b} / max ${max}`);
  }
});

test('a suggestion is the nearest name, ties to the one that sorts first, never a farther one', () => {
  assert.equal(closest('auth-apx', ['auth-api', 'auth-apz', 'xxxx-api']), 'auth-api');
  // 'aaa' sorts first but is 2 edits away; 'abd' is 1.
  assert.equal(closest('abc', ['abd', 'aaa']), 'abd');
  assert.equal(closest('abc', ['aaa', 'abd']), 'abd');
  assert.equal(closest('login-pag', ['login-page', 'logout-page']), 'login-page');
  assert.equal(closest('zzzzzz', ['login-page']), undefined);
});

test('Suggester looks each distinct word up once, and stops suggesting past its budget', () => {
  const names = Array.from({ length: 200 }, (_, i) => `task-${String(i).padStart(4, '0')}-build`);
  // The budget covers exactly one lookup: the names within the length bound of 'task-0042-buld'.
  const s = new Suggester(names, 200);
  assert.equal(s.hint('task-0042-buld'), "; did you mean 'task-0042-build'?");
  for (let k = 0; k < 1000; k++) assert.equal(s.hint('task-0042-buld'), "; did you mean 'task-0042-build'?", 'the same word again costs nothing');
  assert.equal(s.hint('task-0043-buld'), '', 'a new word past the budget gets no suggestion');
  assert.equal(new Suggester(names).hint('task-0043-buld'), "; did you mean 'task-0043-build'?");
});

test('40,000 unknown dependencies in one file: every one checked (the engine lists 50 and sums up the rest), the same suggestion for the same typo', () => {
  const ids = Array.from({ length: 50 }, (_, i) => `mod-${String(i).padStart(3, '0')}`);
  const deps = Array.from({ length: 40_000 }, (_, k) => (k % 2 === 0 ? 'mod-01' : `gone-${k}`));
  const specs = [...ids.map((id) => entry(id, 'phase: foundation\n')), entry('many', `depends_on: [${deps.join(', ')}]\n`)];
  const result = lintFolder({ dir: 'specs', specs });
  const unknown = result.diagnostics.filter((d) => d.ruleId === 'unknown-dependency');
  assert.equal(unknown.length, 51);
  assert.match(unknown[50]!.message, /^and 39,950 more like this in this file/);
  const typo = unknown.filter((d) => d.message.startsWith("depends_on names 'mod-01'"));
  assert.equal(typo.length, 25);
  assert.ok(typo.every((d) => d.message.endsWith("did you mean 'mod-001'?")), typo[0]?.message);
});

/** Reachability the slow way: a walk with no pruning. */
function reachesSlowly(g: TaskGraph, a: number, b: number): boolean {
  if (a === b) return false;
  if (g.phases[a] === 'foundation' && g.phases[b] !== 'foundation') return true;
  const seen = new Set([b]);
  const stack = [b];
  while (stack.length > 0) {
    for (const u of g.deps[stack.pop()!]!) {
      if (u === a) return true;
      if (!seen.has(u)) seen.add(u), stack.push(u);
    }
  }
  return false;
}

test('reachability pruned by component rank agrees with an unpruned walk, on, behind and away from cycles', () => {
  let cycles = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const next = rng(seed);
    const n = 40;
    const list: Spec[] = [];
    const result = lintFolder({
      dir: 'specs',
      specs: Array.from({ length: n }, (_, i) => {
        const deps = Array.from({ length: Math.floor(next() * 3) }, () => `t${String(Math.floor(next() * n)).padStart(2, '0')}`);
        return entry(`t${String(i).padStart(2, '0')}`, `phase: ${i < 2 ? 'foundation' : 'parallel'}\ndepends_on: [${[...new Set(deps)].join(', ')}]\n`);
      }),
    });
    list.push(...result.specs.list);
    const g = new TaskGraph(buildSpecSet(list, defaultProject()));
    cycles += g.cycles.length;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) assert.equal(g.reaches(a, b), reachesSlowly(g, a, b), `seed ${seed}: ${g.ids[a]} → ${g.ids[b]}`);
  }
});

test('redundant-dependency still finds what is implied behind a cycle, along a 2,000-task ladder', () => {
  // a0 ↔ b0 is a cycle; a_i and b_i depend on a_(i-1) and b_(i-1), so everything after sits behind it.
  // c depends on a_1999 and, redundantly, on b_1000 (implied through a_1999 → … → b_1000).
  const specs: FileEntry[] = [entry('a0000', 'depends_on: [b0000]\n'), entry('b0000', 'depends_on: [a0000]\n')];
  const name = (x: string, i: number) => `${x}${String(i).padStart(4, '0')}`;
  for (let i = 1; i < 2000; i++) {
    specs.push(entry(name('a', i), `depends_on: [${name('a', i - 1)}, ${name('b', i - 1)}]\n`));
    specs.push(entry(name('b', i), `depends_on: [${name('a', i - 1)}, ${name('b', i - 1)}]\n`));
  }
  specs.push(entry('c', 'phase: integration\ndepends_on: [a1999, b1000]\n'));
  const redundant = lintFolder({ dir: 'specs', specs }).diagnostics.filter((d) => d.ruleId === 'redundant-dependency');
  assert.deepEqual(
    redundant.map((d) => `${d.file}: ${d.message}`),
    ["specs/c.md: 'b1000' is already implied through 'a1999' (a1999 → b1998 → b1997 → b1996 → … 993 more → b1002 → b1001 → b1000); remove it from depends_on"],
  );
});

test('worker threads only with two idle cores and 1,000 specs for each; SPECDAG_WORKERS decides when set', () => {
  const idle2 = { cores: 2, load: 0.2 };
  const busy2 = { cores: 2, load: 1.9 };
  assert.equal(workerCount(10_000, {}, busy2), 0, 'a busy 2-core machine: one thread');
  assert.equal(workerCount(10_000, {}, { cores: 2, load: 0.8 }), 0, 'one core idle is only this process');
  assert.equal(workerCount(10_000, {}, idle2), 2);
  assert.equal(workerCount(1_999, {}, idle2), 0, 'under 2,000 specs a worker costs more than it saves');
  assert.equal(workerCount(50_000, {}, { cores: 16, load: 3.4 }), 13);
  assert.equal(workerCount(5_000, {}, { cores: 16, load: 0 }), 5);
  assert.equal(workerCount(10, { SPECDAG_WORKERS: '3' }, busy2), 3);
  assert.equal(workerCount(10_000, { SPECDAG_WORKERS: '0' }, idle2), 0);
});
