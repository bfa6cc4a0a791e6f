// `lint --fix` against files and folders it may not or must not write: a
// read-only file and a hard-linked one are left alone and the output says
// why; a folder it cannot write to, or a write the system cuts short, is one
// sentence naming the file (exit 2) with the file as it was and no
// temporary file left behind. Also CR-only files, refused for the right reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, cli, specText, tempDir, writeTree } from '../helpers.js';

const NOTES = `\n## Notes\n${'A line of notes that makes the file larger than two KiB. '.repeat(50)}\n`;

/** z's dependency on x is implied through y: one fixable warning, in specs/z.md. */
function folder(): string {
  return writeTree(tempDir('specdag-fixio-'), {
    'specs/x.md': specText('x', 'phase: foundation\nowns: [src/x/**]\n'),
    'specs/y.md': specText('y', 'phase: foundation\ndepends_on: [x]\nowns: [src/y/**]\n'),
    'specs/z.md': specText('z', 'phase: foundation\ndepends_on: [x, y]\nowns: [src/z/**]\n', `## Goal\nDo it.\n\n## Acceptance criteria\n- [ ] done\n${NOTES}`),
  });
}

const noStack = (s: string) => assert.doesNotMatch(s, /^\s+at\s|unexpected error|bug in specdag/m, s);
const tmpLeft = (dir: string) => readdirSync(join(dir, 'specs')).filter((n) => n.endsWith('.tmp'));

/** Runs the binary as uid 65534 when we are root (root writes through any permission); undefined when that is impossible. */
function asUser(dir: string): { uid?: number; gid?: number } | undefined {
  if (process.getuid?.() !== 0) return {};
  chmodSync(dir, 0o755);
  for (const name of readdirSync(join(dir, 'specs'))) chmodSync(join(dir, 'specs', name), 0o666);
  const probe = cli(['--version'], { cwd: dir, uid: 65534, gid: 65534 });
  return probe.code === 0 ? { uid: 65534, gid: 65534 } : undefined;
}

test('a read-only file is left alone, and --fix says so', () => {
  const dir = folder();
  const path = join(dir, 'specs', 'z.md');
  const before = readFileSync(path, 'utf8');
  chmodSync(path, 0o444);
  const r = cli(['lint', 'specs', '--fix', '--no-cache'], { cwd: dir });
  noStack(r.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^not fixed specs\/z\.md: the file is read-only; make it writable \(chmod u\+w\) to let --fix change it$/m);
  assert.match(r.stdout, /redundant-dependency/, 'the finding is still reported');
  assert.equal(readFileSync(path, 'utf8'), before);
});

test('a hard-linked file is left alone (a new copy would split the links), and --fix says so', () => {
  const dir = folder();
  const path = join(dir, 'specs', 'z.md');
  mkdirSync(join(dir, 'elsewhere'));
  linkSync(path, join(dir, 'elsewhere', 'z-copy.md'));
  const before = readFileSync(path, 'utf8');
  const r = cli(['lint', 'specs', '--fix', '--no-cache', '--format', 'json'], { cwd: dir });
  noStack(r.stderr);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /^not fixed specs\/z\.md: the file has 2 hard links/m);
  assert.equal(readFileSync(path, 'utf8'), before);
  assert.equal(readFileSync(join(dir, 'elsewhere', 'z-copy.md'), 'utf8'), before);
});

test('a file with CR-only line endings is refused for that reason', () => {
  const dir = folder();
  const path = join(dir, 'specs', 'z.md');
  writeFileSync(path, readFileSync(path, 'utf8').replace(/\n/g, '\r'));
  const before = readFileSync(path, 'utf8');
  const r = cli(['lint', 'specs', '--fix', '--no-cache'], { cwd: dir });
  assert.match(r.stdout, /not fixed specs\/z\.md: its lines end in a lone CR/);
  assert.doesNotMatch(r.stdout, /shares its line/);
  assert.equal(readFileSync(path, 'utf8'), before);
});

test('a folder --fix may not write to: one sentence naming the file, exit 2, the file as it was', (t) => {
  const dir = folder();
  const user = asUser(dir);
  if (!user) return t.skip('cannot run the binary as another user here');
  const path = join(dir, 'specs', 'z.md');
  const before = readFileSync(path, 'utf8');
  chmodSync(join(dir, 'specs'), 0o555);
  // Put back before the temporary folder is removed (the removal may already have happened as root).
  t.after(() => existsSync(join(dir, 'specs')) && chmodSync(join(dir, 'specs'), 0o755));
  const r = cli(['lint', 'specs', '--fix', '--no-cache'], { cwd: dir, ...user });
  noStack(r.stderr);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, 'specdag: cannot write specs/z.md: permission denied; check the permissions of the file and its folder (EACCES)\n');
  assert.equal(readFileSync(path, 'utf8'), before);
  assert.deepEqual(tmpLeft(dir), []);
});

test('a write the system cuts short (a file size limit, as a full disk would): one sentence, exit 2, nothing half-written', () => {
  const dir = folder();
  const path = join(dir, 'specs', 'z.md');
  const before = readFileSync(path, 'utf8');
  assert.ok(before.length > 2048);
  const r = spawnSync('sh', ['-c', `ulimit -f 1 && exec "${process.execPath}" "${BIN}" lint specs --fix --no-cache`], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  noStack(r.stderr);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^specdag: cannot write specs\/z\.md: the file would be larger than this system allows \(EFBIG\)\n$/);
  assert.equal(readFileSync(path, 'utf8'), before);
  assert.deepEqual(tmpLeft(dir), []);
});

test('new in a folder it may not write to: one sentence, exit 2, nothing created', (t) => {
  const dir = folder();
  const user = asUser(dir);
  if (!user) return t.skip('cannot run the binary as another user here');
  chmodSync(join(dir, 'specs'), 0o555);
  // Put back before the temporary folder is removed (the removal may already have happened as root).
  t.after(() => existsSync(join(dir, 'specs')) && chmodSync(join(dir, 'specs'), 0o755));
  const r = cli(['new', 'fresh', '--owns', 'src/fresh/**'], { cwd: dir, ...user });
  noStack(r.stderr);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^specdag: cannot write \S*specs\/fresh\.md: permission denied/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.deepEqual(readdirSync(join(dir, 'specs')).sort(), ['x.md', 'y.md', 'z.md']);
});

test('a .specdag that cannot be written (here a file in its place) costs the cache, not the lint', () => {
  const dir = folder();
  writeFileSync(join(dir, '.specdag'), 'not a folder\n');
  const r = cli(['lint', 'specs'], { cwd: dir });
  noStack(r.stderr);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /redundant-dependency/);
});
