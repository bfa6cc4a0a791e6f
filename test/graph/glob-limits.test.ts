// GLOB_LIMITS: the size of one owns/reads glob. Each limit is checked at and
// just past its edge, the deep and the long inputs that brought lint down
// are refused quickly without recursion, and a seeded comparison holds the
// alternative count to what brace expansion really produces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandSequence } from '../../src/graph/globs/braces.js';
import { compileGlob } from '../../src/graph/globs/compile.js';
import { GLOB_LIMITS, globLimitProblem } from '../../src/graph/globs/limits.js';
import { Rng } from '../../bench/generate.js';

const nested = (depth: number) => `src/${'{a,'.repeat(depth)}z${'}'.repeat(depth)}`;

test('length: at the limit passes, one more is refused, quoted as a short marked excerpt', () => {
  const at = `src/${'a'.repeat(GLOB_LIMITS.length - 4)}`;
  assert.equal(at.length, GLOB_LIMITS.length);
  assert.equal(globLimitProblem(at), undefined);
  const over = `${at}b`;
  const problem = globLimitProblem(over);
  assert.match(problem ?? '', /is longer than 512 characters/);
  assert.match(problem ?? '', /… \(513 characters\)'/);
  assert.ok(problem!.length < 200, problem);
});

test('brace depth: 8 levels pass, 9 are refused; 5,000 levels are refused without recursion', () => {
  assert.equal(globLimitProblem(nested(8)), undefined);
  assert.match(globLimitProblem(nested(9)) ?? '', /nests braces 9 deep; at most 8 levels/);
  // Built to fit the length limit's check order: the depth is found on a shorter glob too.
  assert.match(globLimitProblem(`src/${'{'.repeat(200)}${'}'.repeat(200)}`) ?? '', /nests braces 200 deep/);
  assert.match(globLimitProblem(`src/${'{'.repeat(5000)}${'}'.repeat(5000)}`) ?? '', /longer than 512/);
});

test('alternatives: 256 pass, more are refused (lists, ranges, and both)', () => {
  assert.equal(globLimitProblem(`src/${'{a,b}'.repeat(8)}`), undefined, '2^8 = 256');
  assert.match(globLimitProblem(`src/${'{a,b}'.repeat(9)}`) ?? '', /more than 256 paths/);
  assert.equal(globLimitProblem('v{1..256}.ts'), undefined);
  assert.match(globLimitProblem('v{1..257}.ts') ?? '', /more than 256/);
  assert.match(globLimitProblem('{a..z}{0..9}') ?? '', /more than 256/, '26 × 10 = 260');
  assert.equal(globLimitProblem('{a..z}/{0..8}'), undefined, '26 × 9 = 234');
  assert.equal(globLimitProblem('v{1..1000..4}'), undefined, 'a step of 4: 250 points');
  assert.equal(globLimitProblem('src/{a,b}[{,}]\\{x,y\\}'), undefined, 'escaped and bracketed braces are text');
});

test('control characters are refused (NUL included: the matcher uses it as a marker)', () => {
  for (const c of ['\u0000', '\u0007', '\u001b', '\u007f', '\n']) assert.match(globLimitProblem(`src/a${c}b`) ?? '', /control character/, JSON.stringify(c));
  assert.equal(globLimitProblem('src/ünïcode/**'), undefined);
});

test('seeded: a glob within the limits (and without ranges) expands without being widened; one past the alternatives limit would be', () => {
  const rng = new Rng(1117);
  const parts = ['a', 'b', ',', '{', '}', '{', '}', '/', '*', '..', '1', '9', '[', ']', '\\'];
  let within = 0;
  let over = 0;
  for (let n = 0; n < 4000; n++) {
    let glob = '';
    if (n % 2 === 0) {
      // Random characters: unmatched braces, escapes, classes, stray commas.
      const len = 1 + rng.int(40);
      for (let i = 0; i < len; i++) glob += parts[rng.int(parts.length)];
    } else {
      // Groups of groups and ranges, sized to land on both sides of 256.
      const group = (depth: number): string => {
        if (depth > 1 && rng.int(3) === 0) return `{1..${1 + rng.int(40)}}`;
        const k = 1 + rng.int(5);
        const alts = Array.from({ length: k }, (_, i) => (depth < 3 && rng.int(3) === 0 ? `x${group(depth + 1)}` : `a${i}`));
        return `{${alts.join(',')}}`;
      };
      const count = 1 + rng.int(5);
      for (let i = 0; i < count; i++) glob += `s${i}/${group(1)}`;
    }
    const problem = globLimitProblem(glob);
    compileGlob(glob); // never throws, within the limits or not
    if (problem === undefined) {
      within++;
      // A range picomatch reads differently from bash carries one extra, widened alternative (see compile.ts).
      if (!glob.includes('..')) assert.notEqual(expandSequence(glob, 0, glob.length), null, `within the limits but widened: ${glob}`);
    } else if (/more than 256/.test(problem)) {
      over++;
      assert.equal(expandSequence(glob, 0, glob.length), null, `counted past the limit but expanded: ${glob}`);
    }
  }
  assert.ok(within > 2000, `the generator mostly makes globs within the limits (${within})`);
  assert.ok(over > 0, 'and some past the alternatives limit');
});
