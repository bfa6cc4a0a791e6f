// The default `stylish` output: grouped by file like ESLint, a summary line,
// colour only on a TTY (or with FORCE_COLOR), never with NO_COLOR, none
// when piped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/io/io.js';
import { useColor } from '../../src/report/color.js';
import { formatStylish } from '../../src/report/stylish.js';
import { cli, specText, tempDir, writeTree } from '../helpers.js';

/** A valid spec that owns a folder of its own (version 2 warns about a task that owns nothing). */
const owned = (id: string, extra = '', body?: string, glob = `src/${id}/**`) => specText(id, `${extra}owns: [${glob}]\n`, body);

const ESC = '\u001b[';
const BODY = '## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n';

const MIXED = writeTree(tempDir(), {
  'specs/PROJECT.md': '---\nproject: mixed\n---\n# Mixed\n',
  'specs/a.md': owned('a', 'depends_on: [nope]\n', `${BODY}\n## Notes\n`),
  'specs/b.md': owned('c', '', undefined, 'src/b/**'),
  'specs/c.md': owned('c'),
  'specs/sub/d.md': owned('d', '', `${BODY}\n## Notes\n`),
});

let piped: ReturnType<typeof cli> | undefined;
/** `specdag lint specs` on MIXED through a pipe, with neither NO_COLOR nor FORCE_COLOR: made once. */
const mixedPiped = () => (piped ??= cli(['lint', 'specs'], { cwd: MIXED, env: { NO_COLOR: undefined, FORCE_COLOR: undefined } }));

/** Runs the CLI in-process with fake streams: the only way to be a TTY in a test. */
async function run(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; tty?: boolean }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: opts.tty ?? false },
    cwd: opts.cwd,
    env: opts.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

test('stylish groups diagnostics under one header per file, in sorted file order', () => {
  const r = mixedPiped();
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  const headers = lines.filter((l) => l !== '' && !l.startsWith(' ') && !/^[✖✔]/.test(l));
  assert.deepEqual(headers, ['specs/PROJECT.md', 'specs/a.md', 'specs/b.md', 'specs/c.md', 'specs/sub/d.md'], r.stdout);
  // Under each header: indented `line:column  severity  message  rule-id` rows, then one blank line.
  const blocks = r.stdout.split('\n\n').slice(0, headers.length);
  for (const block of blocks) {
    const [header, ...rows] = block.split('\n');
    assert.ok(rows.length > 0, `rows under ${header}`);
    for (const row of rows) assert.match(row, /^ {2}\d+:\d+ +(error|warning) {2}.+ {2}[a-z-]+$/, `row under ${header}: ${JSON.stringify(row)}`);
  }
  const b = blocks.find((x) => x.startsWith('specs/b.md\n'))!;
  assert.match(b, /duplicate-id\n.*id-filename-mismatch$/, 'rows sorted by rule id at the same position');
  assert.match(r.stdout, /\n {2}4:14 +error +depends_on names 'nope'.* +unknown-dependency\n/);
});

test('stylish aligns the columns of a file block', () => {
  const r = mixedPiped();
  const block = r.stdout.split('\n\n').find((x) => x.startsWith('specs/a.md\n'))!;
  const rows = block.split('\n').slice(1);
  assert.equal(rows.length, 2);
  const severityAt = rows.map((row) => row.search(/(error|warning)/));
  assert.equal(new Set(severityAt).size, 1, `severity column aligned:\n${block}`);
  const ruleAt = rows.map((row) => row.search(/ [a-z-]+$/));
  assert.equal(new Set(ruleAt).size, 1, `rule id column aligned:\n${block}`);
});

test('stylish ends with a summary line that counts problems, errors and warnings', () => {
  const r = mixedPiped();
  const summary = r.stdout.trimEnd().split('\n').at(-1);
  assert.equal(summary, '✖ 7 problems (4 errors, 3 warnings)');
  assert.ok(r.stdout.endsWith('\n'));
  assert.equal(r.stderr, '');
});

test('stylish summary uses the singular for one', async () => {
  const cwd = writeTree(tempDir(), { 'specs/one.md': owned('one', 'depends_on: [nope]\n') });
  const r = await run(['lint', 'specs'], { cwd });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^✖ 1 problem \(1 error, 0 warnings\)$/m);
});

test('stylish says how many problems --fix can fix', async () => {
  const cwd = writeTree(tempDir(), {
    'specs/x.md': owned('x', 'phase: foundation\n'),
    'specs/y.md': owned('y', 'phase: foundation\ndepends_on: [x]\n'),
    'specs/z.md': owned('z', 'phase: foundation\ndepends_on: [x, y]\n'),
  });
  const r = await run(['lint', 'specs'], { cwd });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^✖ 1 problem \(0 errors, 1 warning\)$/m);
  assert.match(r.stdout, /1 problem potentially fixable with the `--fix` option/);
});

test('stylish on a clean folder reports no problem and exits 0', async () => {
  const cwd = writeTree(tempDir(), { 'specs/one.md': owned('one'), 'specs/two.md': owned('two', 'phase: foundation\n') });
  const r = await run(['lint', 'specs'], { cwd });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /error|warning|✖/);
  assert.match(r.stdout, /2 files checked, no problems/);
});

test('stylish formatter: no escape codes without colour, escape codes with it, same text once stripped', () => {
  const report = {
    filesChecked: 2,
    errorCount: 1,
    warningCount: 1,
    diagnostics: [
      { ruleId: 'schema', severity: 'error' as const, file: 'specs/a.md', line: 2, column: 1, endLine: 2, endColumn: 4, message: 'bad', fixable: false },
      { ruleId: 'section-empty', severity: 'warning' as const, file: 'specs/b.md', line: 9, column: 1, endLine: 9, endColumn: 9, message: 'empty', fixable: false },
    ],
  };
  const plain = formatStylish(report, { color: false });
  const coloured = formatStylish(report, { color: true });
  assert.ok(!plain.includes('\u001b'), plain);
  assert.ok(coloured.includes(`${ESC}31m`), 'errors in red');
  assert.ok(coloured.includes(`${ESC}33m`), 'warnings in yellow');
  assert.equal(coloured.replace(/\u001b\[\d+m/g, ''), plain);
});

test('CLI piped (not a TTY): no colour by default', () => {
  const r = mixedPiped();
  assert.equal(r.code, 1);
  assert.match(r.stdout, /unknown-dependency/);
  assert.ok(!r.stdout.includes('\u001b'), JSON.stringify(r.stdout.slice(0, 200)));
});

test('CLI piped with FORCE_COLOR: colour', () => {
  const r = cli(['lint', 'specs'], { cwd: MIXED, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  assert.equal(r.code, 1);
  assert.ok(r.stdout.includes(`${ESC}31m`), JSON.stringify(r.stdout.slice(0, 200)));
});

test('CLI with FORCE_COLOR and NO_COLOR: NO_COLOR wins', () => {
  const r = cli(['lint', 'specs'], { cwd: MIXED, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /unknown-dependency/);
  assert.ok(!r.stdout.includes('\u001b'));
});

test('json and sarif never carry colour, even with FORCE_COLOR', () => {
  for (const format of ['json', 'sarif']) {
    const r = cli(['lint', 'specs', '--format', format], { cwd: MIXED, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    assert.ok(!r.stdout.includes('\u001b'), format);
    assert.doesNotThrow(() => JSON.parse(r.stdout), format);
  }
});

test('in-process on a TTY: colour; with NO_COLOR or TERM=dumb: none; not a TTY: none', async () => {
  const tty = await run(['lint', 'specs'], { cwd: MIXED, tty: true, env: {} });
  assert.equal(tty.code, 1);
  assert.ok(tty.stdout.includes(`${ESC}31m`), 'a TTY gets colour');
  const noColor = await run(['lint', 'specs'], { cwd: MIXED, tty: true, env: { NO_COLOR: '1' } });
  assert.ok(!noColor.stdout.includes('\u001b') && noColor.stdout.includes('unknown-dependency'));
  const dumb = await run(['lint', 'specs'], { cwd: MIXED, tty: true, env: { TERM: 'dumb' } });
  assert.ok(!dumb.stdout.includes('\u001b') && dumb.stdout.includes('unknown-dependency'));
  const piped = await run(['lint', 'specs'], { cwd: MIXED, tty: false, env: {} });
  assert.ok(!piped.stdout.includes('\u001b') && piped.stdout.includes('unknown-dependency'));
  assert.equal(piped.stdout, noColor.stdout, 'the same text, only without colour');
});

test('useColor: TTY, NO_COLOR, FORCE_COLOR and TERM=dumb', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  const cases: [string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean][] = [
    ['a TTY', tty, {}, true],
    ['a pipe', pipe, {}, false],
    ['a stream without isTTY', {}, {}, false],
    ['a TTY with NO_COLOR=1', tty, { NO_COLOR: '1' }, false],
    ['a TTY with NO_COLOR=0 (any non-empty value disables colour)', tty, { NO_COLOR: '0' }, false],
    ['a TTY with NO_COLOR empty (no-color.org: ignored)', tty, { NO_COLOR: '' }, true],
    ['a pipe with FORCE_COLOR=1', pipe, { FORCE_COLOR: '1' }, true],
    ['a pipe with FORCE_COLOR=0', pipe, { FORCE_COLOR: '0' }, false],
    ['a TTY with FORCE_COLOR=0', tty, { FORCE_COLOR: '0' }, true],
    ['a pipe with FORCE_COLOR and NO_COLOR', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    ['a TTY with FORCE_COLOR and NO_COLOR', tty, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    ['a TTY with TERM=dumb', tty, { TERM: 'dumb' }, false],
    ['a TTY with TERM=xterm-256color', tty, { TERM: 'xterm-256color' }, true],
  ];
  for (const [what, stream, env, expected] of cases) assert.equal(useColor(stream, env), expected, what);
});
