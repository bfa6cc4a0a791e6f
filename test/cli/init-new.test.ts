// `specdag init` and `specdag new`: what they write lints clean, what they
// refuse leaves every file as it was, and a title survives the YAML exactly.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ID_PATTERN } from '../../src/spec/template.js';
import { cli, runMain, snapshot, specText, tempDir, writeTree } from '../helpers.js';

type Json = Record<string, any>;

const run = (argv: string[], cwd: string) => runMain(argv, cwd);

/** What `new` leaves for the user to write (its TODO placeholders, no owns unless given): warnings by design. */
const SCAFFOLD_WARNINGS = ['owns-empty', 'placeholder-text'];

/** `lint --format json` in-process; the folder must lint with exit 0 and no diagnostic at all but warnings of the `allowed` rules. */
async function assertLintsClean(cwd: string, dir = 'specs', allowed: string[] = []): Promise<Json> {
  const r = await run(['lint', dir, '--format', 'json'], cwd);
  const out = JSON.parse(r.stdout) as Json;
  assert.deepEqual(
    (out.diagnostics as Json[]).filter((d) => !(d.severity === 'warning' && allowed.includes(d.ruleId))).map((d) => `${d.file}:${d.line}:${d.column} ${d.ruleId}: ${d.message}`),
    [],
    `${dir} lints clean`,
  );
  assert.equal(r.code, 0, r.stderr);
  return out;
}

/** The frontmatter of a spec file, parsed by the yaml library on its own. */
function frontmatter(path: string): Json {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(path, 'utf8'));
  assert.ok(m, `${path} starts with a frontmatter block`);
  return parse(m[1]!) as Json;
}

// ---------------------------------------------------------------- init

test('init (real binary) creates PROJECT.md and one example task that lint clean', () => {
  const cwd = tempDir();
  const r = cli(['init'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'specs')).sort(), ['PROJECT.md', 'example-task.md']);
  assert.match(r.stdout, /created specs\/PROJECT\.md/);
  assert.match(r.stdout, /created specs\/example-task\.md/);
  const lint = cli(['lint', 'specs', '--format', 'json'], { cwd });
  assert.equal(lint.code, 0, lint.stdout);
  const out = JSON.parse(lint.stdout) as Json;
  assert.deepEqual(out.diagnostics, []);
  assert.equal(out.filesChecked, 2);
  const stylish = cli(['lint', 'specs'], { cwd });
  assert.equal(stylish.code, 0);
  assert.doesNotMatch(stylish.stdout, /warning|error/);
});

test('init writes a real example: an id matching its file, a title, the required sections', async () => {
  const cwd = tempDir();
  assert.equal((await run(['init', 'specs'], cwd)).code, 0);
  const fm = frontmatter(join(cwd, 'specs', 'example-task.md'));
  assert.equal(fm.id, 'example-task');
  assert.equal(typeof fm.title, 'string');
  const body = readFileSync(join(cwd, 'specs', 'example-task.md'), 'utf8');
  assert.match(body, /^## Goal$/m);
  assert.match(body, /^## Acceptance criteria\n- \[ \] \S/m);
  const project = frontmatter(join(cwd, 'specs', 'PROJECT.md'));
  assert.equal(typeof project.project, 'string');
});

test('init works on a folder that does not exist yet, nested', async () => {
  const cwd = tempDir();
  const r = await run(['init', 'deep/er/plans'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'deep', 'er', 'plans')).sort(), ['PROJECT.md', 'example-task.md']);
  assert.match(r.stdout, /created deep\/er\/plans\/PROJECT\.md/);
  await assertLintsClean(cwd, 'deep/er/plans');
});

test('init works in an existing folder that holds other specs, leaving them alone', async () => {
  const cwd = writeTree(tempDir(), { 'specs/mine.md': specText('mine', 'phase: foundation\nowns: [src/mine/**]\n') });
  const before = readFileSync(join(cwd, 'specs', 'mine.md'), 'utf8');
  assert.equal((await run(['init'], cwd)).code, 0);
  assert.equal(readFileSync(join(cwd, 'specs', 'mine.md'), 'utf8'), before);
  await assertLintsClean(cwd);
});

for (const existing of [['PROJECT.md'], ['example-task.md'], ['PROJECT.md', 'example-task.md']]) {
  test(`init refuses (exit 2, nothing changed) when ${existing.join(' and ')} exists`, async () => {
    const files = Object.fromEntries(existing.map((f) => [`specs/${f}`, `my own ${f}, not to be touched\n`]));
    const cwd = writeTree(tempDir(), { ...files, 'specs/other.md': specText('other') });
    const before = snapshot(cwd);
    const r = await run(['init'], cwd);
    assert.equal(r.code, 2);
    for (const f of existing) assert.match(r.stderr, new RegExp(`specs/${f.replace('.', '\\.')}`), r.stderr);
    assert.equal(r.stdout, '', 'no "created" line');
    assert.deepEqual(snapshot(cwd), before);
  });
}

test('init refuses through the real binary too (exit 2, one sentence, no stack)', () => {
  const cwd = writeTree(tempDir(), { 'specs/PROJECT.md': 'keep me\n' });
  const r = cli(['init'], { cwd });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.equal(readFileSync(join(cwd, 'specs', 'PROJECT.md'), 'utf8'), 'keep me\n');
  assert.ok(!existsSync(join(cwd, 'specs', 'example-task.md')));
});

test('init in a folder whose name YAML reads as a number or a boolean still lints clean', {
}, async () => {
  for (const name of ['2024', 'true', 'null', '1e3']) {
    const cwd = join(tempDir(), name);
    mkdirSync(cwd);
    assert.equal((await run(['init'], cwd)).code, 0);
    await assertLintsClean(cwd);
  }
});

test('init on a path that is a file is a usage error, not an unexpected one', {
}, async () => {
  const cwd = writeTree(tempDir(), { 'afile': 'x\n' });
  const r = await run(['init', 'afile'], cwd);
  assert.equal(r.code, 2);
  assert.doesNotMatch(r.stderr, /unexpected error|bug in specdag/, r.stderr);
  assert.equal(readFileSync(join(cwd, 'afile'), 'utf8'), 'x\n');
});

// ---------------------------------------------------------------- new

test('new (real binary) scaffolds a spec in a folder that does not exist yet, and it lints clean', async () => {
  const cwd = tempDir();
  const r = cli(['new', 'my-task'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'created specs/my-task.md\n');
  const fm = frontmatter(join(cwd, 'specs', 'my-task.md'));
  assert.deepEqual(fm, { id: 'my-task', title: 'My task', phase: 'parallel', depends_on: [], owns: [] });
  const out = await assertLintsClean(cwd, 'specs', SCAFFOLD_WARNINGS);
  assert.deepEqual((out.diagnostics as Json[]).map((d) => d.ruleId), ['owns-empty', 'placeholder-text', 'placeholder-text'], 'the scaffold says what is left to write');
});

test('new with --depends-on, --owns, --phase, --title, --estimate: the fields as given, lints clean', async () => {
  const cwd = tempDir();
  assert.equal((await run(['new', 'db-schema', '--phase', 'foundation', '--owns', 'src/db/**'], cwd)).code, 0);
  assert.equal((await run(['new', 'catalog', 'specs', '--owns', 'src/catalog/**'], cwd)).code, 0);
  const r = await run(
    ['new', 'auth-api', 'specs', '--depends-on', 'db-schema,catalog', '--owns', 'src/auth/**', '--owns', 'test/auth/**', '--phase', 'integration', '--title', 'Authentication API', '--estimate', '2h'],
    cwd,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(frontmatter(join(cwd, 'specs', 'auth-api.md')), {
    id: 'auth-api',
    title: 'Authentication API',
    phase: 'integration',
    depends_on: ['db-schema', 'catalog'],
    owns: ['src/auth/**', 'test/auth/**'],
    estimate: '2h',
  });
  assert.deepEqual(frontmatter(join(cwd, 'specs', 'db-schema.md')).phase, 'foundation');
  await assertLintsClean(cwd, 'specs', SCAFFOLD_WARNINGS);
});

test('new --depends-on can be repeated and mixed with commas', async () => {
  const cwd = tempDir();
  for (const id of ['a', 'b', 'c']) assert.equal((await run(['new', id, '--phase', 'foundation'], cwd)).code, 0);
  const r = await run(['new', 'd', '--phase', 'foundation', '--depends-on', 'a, b', '--depends-on', 'c'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(frontmatter(join(cwd, 'specs', 'd.md')).depends_on, ['a', 'b', 'c']);
});

test('new keeps a title with quotes, $, backticks, a colon and YAML syntax exactly', async () => {
  const titles = [
    'He said "hi": it\'s $HOME and `rm -rf` # not a comment',
    "'single' and \"double\"",
    'key: value',
    '- looks like a list item',
    '[not, a, list]',
    '{not: a map}',
    '*alias &anchor !tag @at %percent',
    '> folded | literal',
    'yes',
    'null',
    '0x1F',
    '1e3',
    '2024-01-01',
    '${{ github.token }} and $(whoami)',
    'back\\slash and tab\there',
    'Café ☕ — ünïcode',
    '#leading hash',
    '? question',
  ];
  const cwd = tempDir();
  for (const [i, title] of titles.entries()) {
    const r = await run(['new', `t${i}`, '--phase', 'foundation', '--title', title], cwd);
    assert.equal(r.code, 0, `${title}: ${r.stderr}`);
    assert.equal(frontmatter(join(cwd, 'specs', `t${i}.md`)).title, title, `title ${JSON.stringify(title)} round-trips`);
  }
  await assertLintsClean(cwd, 'specs', SCAFFOLD_WARNINGS);
});

test('new keeps a tricky title exactly through the real binary', () => {
  const cwd = tempDir();
  const title = 'Say "yes": costs $5 `now`';
  const r = cli(['new', 'quote', '--title', title], { cwd });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(frontmatter(join(cwd, 'specs', 'quote.md')).title, title);
});

test('new refuses an invalid id (exit 2), suggests a valid one, writes nothing', async () => {
  const cases: [string, string | undefined][] = [
    ['Auth API', 'auth-api'],
    ['a.b', 'a-b'],
    ['UPPER', 'upper'],
    ['_private', 'private'],
    ['v1.5', 'v1-5'],
    ['under_score', 'under-score'],
    ['x'.repeat(70), 'x'.repeat(64)],
    ['!!!', undefined],
  ];
  for (const [id, suggestion] of cases) {
    const cwd = tempDir();
    const r = await run(['new', id], cwd);
    assert.equal(r.code, 2, id);
    assert.ok(r.stderr.includes(`'${id}'`), `names the id: ${r.stderr}`);
    if (suggestion) {
      assert.ok(r.stderr.includes(`'${suggestion}'`), `${id}: suggests '${suggestion}': ${r.stderr}`);
      assert.match(suggestion, ID_PATTERN);
    }
    assert.ok(!existsSync(join(cwd, 'specs')), `${id}: nothing written`);
  }
});

test('new refuses an existing file (exit 2), the file unchanged', async () => {
  const cwd = writeTree(tempDir(), { 'specs/taken.md': 'my own words\n' });
  const before = snapshot(cwd);
  const r = await run(['new', 'taken', '--title', 'Other'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /specs\/taken\.md already exists/);
  assert.deepEqual(snapshot(cwd), before);
});

test('new refuses an id already used by a spec in a subfolder (exit 2), nothing written', async () => {
  const cwd = writeTree(tempDir(), { 'specs/area/taken.md': specText('taken') });
  const before = snapshot(cwd);
  const r = await run(['new', 'taken'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /specs\/area\/taken\.md/);
  assert.deepEqual(snapshot(cwd), before);
});

test('new refuses an id that a spec in a subfolder declares under another file name', {
}, async () => {
  const cwd = writeTree(tempDir(), { 'specs/area/other.md': specText('taken') });
  const r = await run(['new', 'taken'], cwd);
  assert.equal(r.code, 2);
  assert.ok(!existsSync(join(cwd, 'specs', 'taken.md')));
});

test('new refuses an invalid --phase (exit 2), writes nothing', async () => {
  const cwd = tempDir();
  const r = await run(['new', 'x', '--phase', 'later'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /phase/);
  assert.match(r.stderr, /foundation/, 'lists the valid phases');
  assert.ok(!existsSync(join(cwd, 'specs')));
  const viaBin = cli(['new', 'x', '--phase', 'Parallel'], { cwd });
  assert.equal(viaBin.code, 2);
  assert.ok(!existsSync(join(cwd, 'specs')));
});

test('new refuses an invalid --depends-on id (exit 2), writes nothing', async () => {
  const cwd = tempDir();
  const r = await run(['new', 'x', '--depends-on', 'ok,Not Valid'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Not Valid/);
  assert.ok(!existsSync(join(cwd, 'specs')));
});

test('new refuses values that would make a spec that does not lint (exit 2), writes nothing', {
}, async () => {
  for (const args of [['--estimate', '2 hours'], ['--owns', '../outside'], ['--owns', '/abs/path'], ['--provides', 'bad name'], ['--title', '']]) {
    const cwd = tempDir();
    const r = await run(['new', 'x', ...args], cwd);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(!existsSync(join(cwd, 'specs', 'x.md')), `${args.join(' ')}: nothing written`);
  }
});
