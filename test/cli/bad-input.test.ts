// The built binary against folders and files that are wrong in every way a
// user's disk can be: each must end in a clear exit code and one sentence or a
// diagnostic, never a hang or a stack trace. A file that cannot be read is a
// diagnostic on that file, and the good spec beside it is still linted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, cli, specText, tempDir, writeTree, type CliResult } from '../helpers.js';

interface JsonDiagnostic {
  ruleId: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  message: string;
}
interface JsonReport {
  filesChecked: number;
  errorCount: number;
  diagnostics: JsonDiagnostic[];
}

/** A spec with one known defect, so its diagnostic proves it was linted. */
const GOOD = specText('good', 'depends_on: [nosuch]\n');
const GOOD_DIAGNOSTIC = { ruleId: 'unknown-dependency', file: 'specs/good.md', line: 4, column: 14 };

function assertNoStack(r: CliResult, what: string): void {
  for (const [name, out] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    assert.doesNotMatch(out ?? '', /^\s+at\s/m, `${what}: no stack trace on ${name}:\n${out}`);
  }
}

/** Exit 2, nothing on stdout, one line on stderr that says `specdag: ...`. */
function assertOneSentence(r: CliResult, what: string): string {
  assertNoStack(r, what);
  assert.equal(r.code, 2, `${what}: exit code\n${r.stderr}`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
  const text = r.stderr.trim();
  assert.match(text, /^specdag: \S/, `${what}: stderr starts with 'specdag: '`);
  assert.equal(text.includes('\n'), false, `${what}: one line on stderr, got:\n${r.stderr}`);
  return text;
}

function lintJson(dir: string, opts: Parameters<typeof cli>[1] = {}): { r: CliResult; report: JsonReport } {
  const r = cli(['lint', 'specs', '--format', 'json'], { cwd: dir, ...opts });
  assertNoStack(r, 'lint');
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout) as JsonReport;
  } catch {
    assert.fail(`lint --format json printed no JSON (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return { r, report };
}

const has = (report: JsonReport, want: Partial<JsonDiagnostic>) =>
  report.diagnostics.some((d) => Object.entries(want).every(([k, v]) => d[k as keyof JsonDiagnostic] === v));

function assertFinds(report: JsonReport, want: Partial<JsonDiagnostic>): JsonDiagnostic {
  const hit = report.diagnostics.find((d) => Object.entries(want).every(([k, v]) => d[k as keyof JsonDiagnostic] === v));
  assert.ok(hit, `expected a diagnostic ${JSON.stringify(want)}, got:\n${JSON.stringify(report.diagnostics, null, 2)}`);
  return hit;
}

/** A temp folder holding `specs/` with the good spec and the given extra files. */
function folder(files: Parameters<typeof writeTree>[1] = {}): string {
  const dir = tempDir('specdag-bad-');
  writeTree(join(dir, 'specs'), { 'good.md': GOOD, ...files });
  return dir;
}

/** Exit 1, the bad file's diagnostic, and the good spec still linted. */
function assertBadFileAndGoodSpec(dir: string, bad: Partial<JsonDiagnostic>, opts: Parameters<typeof cli>[1] = {}): JsonDiagnostic & { report: JsonReport } {
  const { r, report } = lintJson(dir, opts);
  assert.equal(r.code, 1, `exit code\n${r.stderr}`);
  const hit = assertFinds(report, { severity: 'error', ...bad });
  assertFinds(report, GOOD_DIAGNOSTIC);
  return { ...hit, report };
}

// ---- usage errors: exit 2, one sentence ----

test('a missing folder: exit 2, one sentence naming the path', () => {
  const dir = tempDir();
  const r = cli(['lint', 'no-such-folder'], { cwd: dir });
  const text = assertOneSentence(r, 'missing folder');
  assert.match(text, /'no-such-folder'/);
});

test('a missing folder, as an absolute path: named as given', () => {
  const dir = tempDir();
  const path = join(dir, 'gone');
  const text = assertOneSentence(cli(['lint', path, '--format', 'json']), 'missing folder (absolute)');
  assert.ok(text.includes(path), text);
});

test('a path that is a file: exit 2, one sentence naming it', () => {
  const dir = tempDir();
  writeTree(dir, { 'task.md': GOOD });
  const text = assertOneSentence(cli(['lint', 'task.md'], { cwd: dir }), 'a file as the folder');
  assert.match(text, /'task\.md'/);
  assert.match(text, /not a folder/);
});

test('a folder with no spec at all: exit 2', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'specs'));
  writeTree(join(dir, 'specs'), { 'notes.txt': 'not a spec', 'README.md': '# Read me\n', '_draft.md': GOOD });
  const text = assertOneSentence(cli(['lint', 'specs'], { cwd: dir }), 'empty folder');
  assert.match(text, /'specs'/);
});

test('a folder with only PROJECT.md: exit 2', () => {
  const dir = tempDir();
  writeTree(join(dir, 'specs'), { 'PROJECT.md': '---\nproject: shop\n---\n# Shop\n' });
  const text = assertOneSentence(cli(['lint', 'specs', '--format', 'json'], { cwd: dir }), 'only PROJECT.md');
  assert.match(text, /'specs'/);
});

test('an unknown --format: exit 2, listing the allowed choices', () => {
  const dir = folder();
  const r = cli(['lint', 'specs', '--format', 'xml'], { cwd: dir });
  assertNoStack(r, 'unknown format');
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /xml/);
  for (const choice of ['stylish', 'json', 'sarif']) assert.ok(r.stderr.includes(choice), `'${choice}' is listed:\n${r.stderr}`);
});

test('an unknown command: exit 2', () => {
  const r = cli(['frobnicate', 'specs'], { cwd: tempDir() });
  assertNoStack(r, 'unknown command');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /frobnicate/);
});

test('an unknown option: exit 2', () => {
  const dir = folder();
  for (const args of [['lint', 'specs', '--no-such-option'], ['--no-such-option']]) {
    const r = cli(args, { cwd: dir });
    assertNoStack(r, args.join(' '));
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /--no-such-option/);
  }
});

// ---- files that cannot be read: a diagnostic on each, the rest still linted ----

test('an empty file: frontmatter-missing on it, the good spec still linted', () => {
  const dir = folder({ 'bad.md': '' });
  assertBadFileAndGoodSpec(dir, { ruleId: 'frontmatter-missing', file: 'specs/bad.md', line: 1, column: 1 });
});

test('a binary file (NUL bytes): file-unreadable at the NUL line', () => {
  const dir = folder({ 'bad.md': Buffer.from('---\nid: bad\n\0\0\0\n---\n', 'latin1') });
  const d = assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/bad.md' });
  assert.equal(d.line, 3);
  assert.match(d.message, /binary|NUL/);
});

test('invalid UTF-8: file-unreadable at the bad line', () => {
  const bytes = Buffer.concat([Buffer.from('---\nid: bad\ntitle: caf'), Buffer.from([0xe9]), Buffer.from('\n---\n')]);
  const dir = folder({ 'bad.md': bytes });
  const d = assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/bad.md' });
  assert.equal(d.line, 3);
  assert.match(d.message, /UTF-8/);
});

test('a 5 MB spec: file-unreadable, quickly', () => {
  const dir = folder({ 'bad.md': `---\nid: bad\ntitle: big\n---\n\n${'lorem ipsum '.repeat((5 * 1024 * 1024) / 12)}` });
  const started = Date.now();
  const d = assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/bad.md' });
  assert.match(d.message, /MiB/);
  assert.ok(Date.now() - started < 10_000, 'the big file is not parsed');
});

test('a symlink loop (a.md -> b.md -> a.md): file-unreadable on both', () => {
  const dir = folder({ 'a.md': { symlink: 'b.md' }, 'b.md': { symlink: 'a.md' } });
  const a = assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/a.md' });
  const b = assertFinds(a.report, { ruleId: 'file-unreadable', file: 'specs/b.md' });
  assert.match(a.message, /loop/);
  assert.match(b.message, /loop/);
});

test('a symlink to nothing: file-unreadable', () => {
  const dir = folder({ 'bad.md': { symlink: 'nowhere.md' } });
  assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/bad.md' });
});

test('a FIFO named like a spec is not read (reading it would block): file-unreadable', (t) => {
  const dir = folder();
  const made = spawnSync('mkfifo', [join(dir, 'specs', 'bad.md')]);
  if (made.status !== 0) {
    t.skip('mkfifo is not available here');
    return;
  }
  assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/bad.md' });
});

test('a directory symlink loop (sub/loop -> ..) terminates and lints each spec once', () => {
  const dir = folder({ 'sub/inner.md': specText('inner'), 'sub/loop': { symlink: '..' } });
  // Not through cli(): a hang must fail this test, not the whole run.
  const r = spawnSync(process.execPath, [BIN, 'lint', 'specs', '--format', 'json'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.error, undefined, `the run ended: ${String(r.error)}`);
  const result = { code: r.status, stdout: r.stdout, stderr: r.stderr };
  assertNoStack(result, 'directory loop');
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as JsonReport;
  assertFinds(report, GOOD_DIAGNOSTIC);
  assert.equal(report.filesChecked, 2, 'good.md and sub/inner.md, once each');
  assert.equal(has(report, { ruleId: 'duplicate-id' }), false, 'no spec is read twice');
  assert.equal(report.diagnostics.some((d) => d.file.includes('loop/')), false);
});

test('an unreadable file (chmod 000): file-unreadable, the good spec still linted', (t) => {
  const dir = folder({ 'bad.md': specText('bad') });
  const opts: Parameters<typeof cli>[1] = { cwd: dir };
  if (process.getuid?.() === 0) {
    // root reads through chmod 000: run the binary as nobody instead.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'specs'), 0o755);
    chmodSync(join(dir, 'specs', 'good.md'), 0o644);
    const probe = cli(['--version'], { cwd: dir, uid: 65534, gid: 65534 });
    if (probe.code !== 0) {
      t.skip(`cannot run the binary as uid 65534 (exit ${probe.code}: ${probe.stderr.trim()})`);
      return;
    }
    opts.uid = 65534;
    opts.gid = 65534;
  }
  chmodSync(join(dir, 'specs', 'bad.md'), 0o000);
  const d = assertBadFileAndGoodSpec(dir, { ruleId: 'file-unreadable', file: 'specs/bad.md', line: 1 }, opts);
  assert.match(d.message, /permission/);
});

test('an unreadable subfolder is reported, not silently skipped', (t) => {
  const dir = folder({ 'locked/hidden.md': specText('hidden') });
  const opts: Parameters<typeof cli>[1] = { cwd: dir };
  if (process.getuid?.() === 0) {
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'specs'), 0o755);
    chmodSync(join(dir, 'specs', 'good.md'), 0o644);
    opts.uid = 65534;
    opts.gid = 65534;
    if (cli(['--version'], opts).code !== 0) {
      t.skip('cannot run the binary as uid 65534');
      return;
    }
  }
  const locked = join(dir, 'specs', 'locked');
  chmodSync(locked, 0o000);
  // Without this a non-root user could not remove the temp folder afterwards.
  t.after(() => {
    if (existsSync(locked)) chmodSync(locked, 0o755);
  });
  const { report } = lintJson(dir, opts);
  assertFinds(report, GOOD_DIAGNOSTIC);
  assert.ok(report.diagnostics.some((d) => d.file.startsWith('specs/locked')), JSON.stringify(report.diagnostics, null, 2));
});

test('a binary PROJECT.md: a project-config diagnostic, the specs still linted', () => {
  const dir = folder({ 'PROJECT.md': Buffer.from([0, 1, 2, 0]) });
  assertBadFileAndGoodSpec(dir, { ruleId: 'project-config', file: 'specs/PROJECT.md' });
});

test('a YAML alias bomb: frontmatter-syntax, fast', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  }
  const dir = folder({ 'bad.md': specText('bad', `${lines.join('\n')}\n`) });
  const started = Date.now();
  const d = assertBadFileAndGoodSpec(dir, { ruleId: 'frontmatter-syntax', file: 'specs/bad.md' });
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  assert.match(d.message, /alias/i);
  assert.ok(d.line >= 2 && d.line <= 4 + lines.length, `inside the frontmatter, got line ${d.line}`);
});

test('every bad file at once: one diagnostic each, the good spec still linted, stylish output has no stack', () => {
  const dir = folder({
    'empty.md': '',
    'binary.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00]),
    'latin1.md': Buffer.from([0x23, 0x20, 0xe9, 0x0a]),
    'loop-a.md': { symlink: 'loop-b.md' },
    'loop-b.md': { symlink: 'loop-a.md' },
  });
  writeFileSync(join(dir, 'specs', 'large.md'), Buffer.alloc(2 * 1024 * 1024, 0x61));
  const { r, report } = lintJson(dir);
  assert.equal(r.code, 1);
  assertFinds(report, GOOD_DIAGNOSTIC);
  assertFinds(report, { file: 'specs/empty.md', ruleId: 'frontmatter-missing' });
  for (const name of ['binary', 'latin1', 'loop-a', 'loop-b', 'large']) assertFinds(report, { file: `specs/${name}.md`, ruleId: 'file-unreadable' });
  const stylish = cli(['lint', 'specs'], { cwd: dir });
  assertNoStack(stylish, 'stylish');
  assert.equal(stylish.code, 1);
  for (const name of ['empty', 'binary', 'latin1', 'loop-a', 'loop-b', 'large', 'good']) assert.ok(stylish.stdout.includes(`specs/${name}.md`), `${name} in:\n${stylish.stdout}`);
});
