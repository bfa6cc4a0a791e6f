// `specdag lint` options and exit codes: 0 clean (or only warnings), 1 errors
// or too many warnings, 2 usage / I/O; `--quiet` hides warnings;
// `--max-warnings N` fails above N.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, specText, tempDir, writeTree, runMain } from '../helpers.js';

/** A valid spec that owns a folder of its own (version 2 warns about a task that owns nothing). */
const owned = (id: string, extra = '', body?: string, glob = `src/${id}/**`) => specText(id, `${extra}owns: [${glob}]\n`, body);

const BODY = '## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n';

/** One spec, two empty sections: exactly two warnings, no error. */
const WARNINGS = writeTree(tempDir(), { 'specs/w.md': owned('w', '', `${BODY}\n## Notes\n\n## Risks\n`) });
/** One error (an unknown dependency) and one warning. */
const ERRORS = writeTree(tempDir(), { 'specs/e.md': owned('e', 'depends_on: [nope]\n', `${BODY}\n## Notes\n`) });
const CLEAN = writeTree(tempDir(), { 'specs/ok.md': owned('ok') });

const run = (argv: string[], cwd: string) => runMain(argv, cwd);

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+/, `no stack trace: ${stderr}`);

test('the fixtures are what the tests below assume', async () => {
  const w = JSON.parse((await run(['lint', 'specs', '--format', 'json'], WARNINGS)).stdout);
  assert.deepEqual([w.errorCount, w.warningCount], [0, 2]);
  const e = JSON.parse((await run(['lint', 'specs', '--format', 'json'], ERRORS)).stdout);
  assert.deepEqual([e.errorCount, e.warningCount], [1, 1]);
});

test('exit codes through the real binary: 0 clean, 1 errors, 2 usage', () => {
  const clean = cli(['lint', 'specs'], { cwd: CLEAN });
  assert.equal(clean.code, 0, clean.stderr);
  assert.equal(clean.stderr, '');
  const errors = cli(['lint', 'specs'], { cwd: ERRORS });
  assert.equal(errors.code, 1);
  assert.match(errors.stdout, /unknown-dependency/);
  const usage = cli(['lint', 'no-such-folder'], { cwd: CLEAN });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /no-such-folder/);
  noStack(usage.stderr);
  const badValue = cli(['lint', 'specs', '--max-warnings', 'abc'], { cwd: WARNINGS });
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /max-warnings/);
});

test('only warnings: exit 0, and they are shown', async () => {
  const r = await run(['lint', 'specs'], WARNINGS);
  assert.equal(r.code, 0);
  assert.equal((r.stdout.match(/section-empty/g) ?? []).length, 2);
  assert.match(r.stdout, /0 errors, 2 warnings/);
});

test('--quiet hides warnings and says how many; exit 0 when there are only warnings', async () => {
  const stylish = await run(['lint', 'specs', '--quiet'], WARNINGS);
  assert.equal(stylish.code, 0);
  assert.doesNotMatch(stylish.stdout, /section-empty/, stylish.stdout);
  assert.equal(stylish.stdout, '✔ 1 file checked, no errors (2 warnings hidden by --quiet)\n', 'not "no problems": the warnings are there');
  const json = await run(['lint', 'specs', '--quiet', '--format', 'json'], WARNINGS);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout).diagnostics, []);
  const sarif = await run(['lint', 'specs', '--quiet', '--format', 'sarif'], WARNINGS);
  assert.equal(sarif.code, 0);
  assert.deepEqual(JSON.parse(sarif.stdout).runs[0].results, []);
});

test('--quiet keeps the errors and exit 1', async () => {
  const r = await run(['lint', 'specs', '--quiet'], ERRORS);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /unknown-dependency/);
  assert.doesNotMatch(r.stdout, /section-empty/);
  assert.match(r.stdout, /1 problem \(1 error, 1 warning hidden by --quiet\)/);
});

test('--quiet on a folder without warnings still says no problems', async () => {
  const r = await run(['lint', 'specs', '--quiet'], CLEAN);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '✔ 1 file checked, no problems\n');
});

test('--max-warnings N: exit 0 at N or under, 1 above N', async () => {
  for (const [n, expected] of [['0', 1], ['1', 1], ['2', 0], ['3', 0], ['100', 0]] as const) {
    const r = await run(['lint', 'specs', '--max-warnings', n], WARNINGS);
    assert.equal(r.code, expected, `--max-warnings ${n} with 2 warnings`);
    if (expected === 1) assert.match(r.stderr, /2 warnings.*--max-warnings/, 'says why it failed');
    else assert.equal(r.stderr, '');
  }
  const eq = await run(['lint', 'specs', '--max-warnings=2'], WARNINGS);
  assert.equal(eq.code, 0, '--max-warnings=2 form');
});

test('--max-warnings: the output is printed even when the count fails the run', async () => {
  const r = await run(['lint', 'specs', '--max-warnings', '0', '--format', 'json'], WARNINGS);
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.stdout).warningCount, 2);
});

test('--max-warnings does not excuse errors', async () => {
  const r = await run(['lint', 'specs', '--max-warnings', '100'], ERRORS);
  assert.equal(r.code, 1);
});

test('--max-warnings with a bad value is a usage error (exit 2), nothing linted', async () => {
  for (const bad of [['--max-warnings', '-1'], ['--max-warnings=-1'], ['--max-warnings', 'abc'], ['--max-warnings', '1.5'], ['--max-warnings', ''], ['--max-warnings']]) {
    const r = await run(['lint', 'specs', ...bad], WARNINGS);
    assert.equal(r.code, 2, bad.join(' '));
    assert.match(r.stderr, /max-warnings/, `${bad.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, /section-empty/, `${bad.join(' ')}: nothing linted`);
    noStack(r.stderr);
  }
});

test('usage errors are exit 2 with one sentence and no stack', async () => {
  const empty = writeTree(tempDir(), { 'specs/README.md': '# not a spec\n', 'a-file': 'x' });
  const cases: [string, string[], string, RegExp][] = [
    ['a missing folder', ['lint', 'missing'], CLEAN, /missing/],
    ['a folder without specs', ['lint', 'specs'], empty, /no spec files/],
    ['a file, not a folder', ['lint', 'a-file'], empty, /a-file/],
    ['an unknown format', ['lint', 'specs', '--format', 'xml'], CLEAN, /xml/],
    ['an unknown option', ['lint', 'specs', '--nope'], CLEAN, /--nope/],
    ['too many arguments', ['lint', 'specs', 'other'], CLEAN, /argument/],
  ];
  for (const [what, argv, cwd, stderr] of cases) {
    const r = await run(argv, cwd);
    assert.equal(r.code, 2, what);
    assert.match(r.stderr, stderr, `${what}: ${r.stderr}`);
    assert.equal(r.stdout, '', `${what}: nothing on stdout`);
    noStack(r.stderr);
  }
});

test('--quiet with --max-warnings: hidden warnings still count, and stderr says so', async () => {
  // ESLint 8 behaves the same; the message keeps a failure from being silent.
  const r = await run(['lint', 'specs', '--quiet', '--max-warnings', '0'], WARNINGS);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /2 warnings/);
  const ok = await run(['lint', 'specs', '--quiet', '--max-warnings', '2'], WARNINGS);
  assert.equal(ok.code, 0);
});
