// Spec folders built to hurt, each with what found it: deep input that
// overflowed the stack (and answered differently on a worker thread), a
// rule that reported 40,000 times, YAML aliases that were dropped or that
// expand without end, links out of the folder, special files, and values
// that would drive the terminal. Through the real binary where the thread
// matters; each spawn has a timeout, so a hang fails its test, not the run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, runMain, specText, tempDir, writeTree } from '../helpers.js';

interface Report {
  filesChecked: number;
  errorCount: number;
  warningCount: number;
  diagnostics: { ruleId: string; severity: string; file: string; line: number; column: number; message: string }[];
}

const owned = (id: string, extra = '', body?: string) => specText(id, `${extra}owns: [src/${id}/**]\n`, body);
const BODY = '## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n';

function lint(cwd: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, 'lint', 'specs', '--no-cache', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(r.error, undefined, `lint ended: ${String(r.error)}`);
  assert.doesNotMatch(r.stderr, /^\s+at\s|unexpected error/m, r.stderr);
  return r;
}

function json(cwd: string, env: NodeJS.ProcessEnv = {}): { code: number | null; report: Report; stdout: string } {
  const r = lint(cwd, ['--format', 'json'], env);
  return { code: r.status, report: JSON.parse(r.stdout) as Report, stdout: r.stdout };
}

const on = (report: Report, file: string, ruleId?: string) => report.diagnostics.filter((d) => d.file === file && (!ruleId || d.ruleId === ruleId));

// ---- deep input: never the stack, the same bytes on every thread

test('3,000 nested list markers, 5,500 quote markers and YAML 800 deep: a diagnostic each, the same bytes with and without workers', () => {
  const flow = `x-deep: ${'['.repeat(800)}1${']'.repeat(800)}\n`;
  let block = 'x-deep:\n';
  for (let i = 0; i < 800; i++) block += `${' '.repeat(2 * i + 2)}- \n`;
  const cwd = writeTree(tempDir(), {
    'specs/list.md': owned('list', '', `${BODY}\n${'- '.repeat(3000)}x\n`),
    'specs/quote.md': owned('quote', '', `${BODY}\n${'>'.repeat(5500)} x\n`),
    'specs/staircase.md': owned('staircase', '', `${BODY}\n${Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- step ${i}`).join('\n')}\n`),
    'specs/brackets.md': owned('brackets', '', `${BODY}\n${'!['.repeat(3000)}x${'](y)'.repeat(3000)}\n`),
    'specs/flow.md': owned('flow', flow),
    'specs/block.md': owned('block', block),
    'specs/fine.md': owned('fine', 'depends_on: [nosuch]\n'),
  });
  const single = json(cwd, { SPECDAG_WORKERS: '0' });
  const pooled = json(cwd, { SPECDAG_WORKERS: '2' });
  assert.ok(single.stdout === pooled.stdout, 'the same bytes on a worker thread and on the main thread');
  assert.equal(single.code, 1);
  const r = single.report;
  for (const name of ['list', 'quote', 'staircase', 'brackets']) {
    const [d] = on(r, `specs/${name}.md`, 'file-unreadable');
    assert.ok(d, `${name}: ${JSON.stringify(on(r, `specs/${name}.md`))}`);
    assert.match(d.message, /levels deep|deep; specdag reads links/);
    // Its frontmatter is still read: the task takes part in the graph, and no section is called missing.
    assert.deepEqual(on(r, `specs/${name}.md`, 'section-missing'), []);
  }
  for (const name of ['flow', 'block']) {
    const [d] = on(r, `specs/${name}.md`, 'frontmatter-syntax');
    assert.ok(d, name);
    assert.match(d.message, /nests \d+ levels deep here; YAML is read up to 64 levels/);
  }
  assert.equal(on(r, 'specs/fine.md', 'unknown-dependency').length, 1, 'the good spec beside them is linted as usual');
  // Same input, same output: again, for the determinism the README promises.
  assert.ok(json(cwd, { SPECDAG_WORKERS: '0' }).stdout === single.stdout);
});

test('nesting just under the limits is read as usual', async () => {
  const cwd = writeTree(tempDir(), {
    'specs/a.md': owned('a', `x-deep: ${'['.repeat(60)}1${']'.repeat(60)}\n`, `${BODY}\n${'> '.repeat(30)}see [the plan](missing.md)\n`),
  });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.diagnostics.map((d) => d.ruleId), ['broken-link'], 'the deep link is found: the body was read');
});

test('thousands of block quotes in a row: read in pieces, every link in them still found', async () => {
  const quotes = Array.from({ length: 4000 }, (_, i) => `> quote ${i}${i % 1000 === 999 ? ` with [a link](gone-${i}.md)` : ''}`).join('\n\n');
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a', '', `${BODY}\n## Notes\n${quotes}\n`) });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    report.diagnostics.map((d) => `${d.ruleId} ${d.line}`),
    [999, 1999, 2999, 3999].map((i) => `broken-link ${16 + 2 * i}`),
  );
});

test('a single block of more than 2,000 lines is not parsed: one diagnostic at its start', async () => {
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a', '', `${BODY}\n## Steps\n${Array.from({ length: 2500 }, (_, i) => `${i + 1}. step`).join('\n')}\n`) });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.diagnostics.map((d) => `${d.ruleId} ${d.line}`), ['file-unreadable 15'], 'at the \'## Steps\' line the list hangs on to');
  assert.match(report.diagnostics[0]!.message, /more than 2,000 lines of Markdown hang together/);
});

// ---- one rule, one file, 40,000 findings

test('40,000 unknown dependencies in one file: the first 50 and one line for the other 39,950', async () => {
  const deps = Array.from({ length: 40_000 }, (_, i) => `  - ghost-${String(i).padStart(5, '0')}`).join('\n');
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a', `depends_on:\n${deps}\n`), 'specs/b.md': owned('b', 'phase: foundation\n') });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  const found = on(report, 'specs/a.md', 'unknown-dependency');
  assert.equal(found.length, 51);
  assert.deepEqual(found.slice(0, 50).map((d) => d.line), Array.from({ length: 50 }, (_, i) => 5 + i), 'the first fifty, in order');
  assert.equal(found[50]!.line, 55, 'the summary stands where the fifty-first would');
  assert.match(found[50]!.message, /^and 39,950 more like this in this file/);
  assert.equal(report.errorCount, report.diagnostics.filter((d) => d.severity === 'error').length, 'the counts match what is listed');
});

test('the cap holds per rule: 200 bad globs give 50 schema errors and a summary, another rule in the file is untouched', async () => {
  const globs = Array.from({ length: 200 }, (_, i) => `  - /abs/${i}/**`).join('\n');
  const cwd = writeTree(tempDir(), { 'specs/a.md': specText('a', `phase: foundation\nowns:\n${globs}\ndepends_on: [nope]\n`) });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.equal(on(report, 'specs/a.md', 'schema').length, 51);
  assert.match(on(report, 'specs/a.md', 'schema')[50]!.message, /^and 150 more like this/);
  assert.equal(on(report, 'specs/a.md', 'unknown-dependency').length, 1);
});

// ---- YAML aliases

test('a YAML alias that repeats a big list is refused, fast, as frontmatter-syntax', async () => {
  const big = `x-big: &big [${Array(2000).fill('x').join(', ')}]\n${Array.from({ length: 20 }, (_, i) => `x-${i}: *big`).join('\n')}\n`;
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a', big) });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.diagnostics.map((d) => d.ruleId), ['frontmatter-syntax']);
  assert.match(report.diagnostics[0]!.message, /aliases would repeat more than 10,000 values/);
});

test('an alias inside the value it stands for is an error, not an endless expansion', async () => {
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a', 'x-loop: &loop [a, *loop]\n') });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(report.diagnostics.map((d) => d.ruleId), ['frontmatter-syntax']);
});

// ---- the folder, not the file system

test('a link to / or /proc in the spec folder is reported once and not walked', () => {
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a'), 'specs/inside/b.md': owned('b', 'phase: foundation\n') });
  symlinkSync('/', join(cwd, 'specs', 'root'));
  symlinkSync('/proc', join(cwd, 'specs', 'proc'));
  symlinkSync('inside', join(cwd, 'specs', 'again'));
  const { report } = json(cwd);
  const outside = report.diagnostics.filter((d) => d.ruleId === 'file-unreadable');
  assert.deepEqual(outside.map((d) => d.file), ['specs/proc', 'specs/root']);
  for (const d of outside) assert.match(d.message, /links to a folder outside the spec folder \(\/(proc)?\), which specdag does not follow/);
  assert.ok(report.diagnostics.every((d) => !/^specs\/(root|proc)\//.test(d.file)), 'nothing below them was read');
  // A link to a folder inside is walked (once: `inside` and `again` are the same folder).
  assert.equal(report.filesChecked, 4, 'a.md, inside/b.md, and the two links');
});

test('a device is not read, and a file with more than 100,000 lines is not parsed', () => {
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a'), 'specs/long.md': `---\nid: long\ntitle: L\n---\n${'\n'.repeat(100_000)}` });
  symlinkSync('/dev/zero', join(cwd, 'specs', 'zero.md'));
  const { report } = json(cwd);
  assert.match(on(report, 'specs/zero.md', 'file-unreadable')[0]?.message ?? '', /it is a device, not a regular file/);
  assert.match(on(report, 'specs/long.md', 'file-unreadable')[0]?.message ?? '', /more than 100,000 lines/);
});

test('a file name that is not valid UTF-8 is named as such, not as a symlink to nothing', () => {
  const cwd = writeTree(tempDir(), { 'specs/a.md': owned('a') });
  writeFileSync(Buffer.concat([Buffer.from(join(cwd, 'specs/')), Buffer.from([0x66, 0xff, 0x2e, 0x6d, 0x64])]), owned('f'));
  mkdirSync(Buffer.concat([Buffer.from(join(cwd, 'specs/')), Buffer.from([0x64, 0xfe])]));
  assert.equal(readdirSync(join(cwd, 'specs')).length, 3);
  const { report } = json(cwd);
  const bad = report.diagnostics.filter((d) => d.ruleId === 'file-unreadable');
  assert.equal(bad.length, 2, JSON.stringify(report.diagnostics));
  for (const d of bad) {
    assert.match(d.message, /its name is not valid UTF-8/);
    assert.doesNotMatch(d.message, /symlink/);
  }
});

// ---- values that would drive the terminal

test('stylish output shows control characters from file names and values as escapes', () => {
  const esc = '\u001b[2J\u001b]0;pwned\u0007';
  const cwd = writeTree(tempDir(), { [`specs/x${esc}.md`]: owned('x', `depends_on: ["a\\u001b[31m"]\n`) });
  const r = lint(cwd);
  assert.equal(r.status, 1);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f]/, 'no control character but the line breaks');
  assert.ok(r.stdout.includes('specs/x\\x1b[2J\\x1b]0;pwned\\x07.md'), r.stdout);
});

test('a title with a NUL or an escape is a schema error; a tab or a line feed is fine', async () => {
  const cwd = writeTree(tempDir(), {
    'specs/nul.md': specText('nul', 'owns: [src/nul/**]\n').replace('title: nul task', 'title: "nul\\0task"'),
    'specs/esc.md': specText('esc', 'owns: [src/esc/**]\n').replace('title: esc task', 'title: "esc\\e[31m"'),
    'specs/tab.md': specText('tab', 'owns: [src/tab/**]\nphase: foundation\n').replace('title: tab task', 'title: "tab\\there\\nand a line feed"'),
  });
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  const report = JSON.parse(r.stdout) as Report;
  assert.deepEqual(
    report.diagnostics.filter((d) => d.ruleId === 'schema').map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`),
    [
      'specs/esc.md:3:8 title holds a control character (U+001B); write it as plain text',
      'specs/nul.md:3:8 title holds a control character (U+0000); write it as plain text',
    ],
  );
});
