// Lint never falls over on one bad file. Seeded folders of ~500 specs (the
// benchmark's realistic generator), a fifth of them broken in one of many
// ways that once crashed, hung or flooded lint (a glob of 300,000 characters,
// thousands of nested braces, an alias bomb, a body or YAML nested thousands
// deep, a NUL byte, an escape sequence...). Through the real binary, with worker threads and on the main
// thread alone: exit 0 or 1, one valid JSON document, the same bytes both
// ways, and a diagnostic on every broken file. Bounded in time by the spawn
// timeout: a hang fails the test instead of the whole run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { generate, Rng } from '../../bench/generate.js';
import { BIN, tempDir } from '../helpers.js';

const FOLDERS = [11, 12, 13];
const SPECS = 500;
const BROKEN_SHARE = 0.2;

type Mutation = (text: string, id: string, rng: Rng) => string | Buffer;

/** After the frontmatter's first line: a key or list item put there is read. */
const intoFrontmatter = (text: string, lines: string) => text.replace(/^---\n/, `---\n${lines}\n`);
/** Replaces the first `owns:` block (or adds one) with the given items. */
function withOwns(text: string, items: string[]): string {
  const list = `owns:\n${items.map((g) => `  - ${JSON.stringify(g)}`).join('\n')}`;
  return /^owns:\n(?: {2}- .*\n)+/m.test(text) ? text.replace(/^owns:\n(?: {2}- .*\n)+/m, `${list}\n`) : intoFrontmatter(text, list);
}
const rep = (s: string, n: number) => s.repeat(n);

/** Each mutation leaves at least one diagnostic on its file, whatever else the file holds. */
const MUTATIONS: Record<string, Mutation> = {
  'nested braces': (t, _id, rng) => withOwns(t, [`src/${rep('{', rng.range(1000, 5000))}${rep('}', rng.range(1000, 5000))}`]),
  'braces deep but short': (t, _id, rng) => withOwns(t, [`src/${rep('{a,', rng.range(9, 120))}z${rep('}', 120)}`]),
  'a 300,000-character glob': (t) => withOwns(t, [`src/${rep('*', 300_000)}`]),
  'braces past 256 paths': (t, _id, rng) => withOwns(t, [`src/${rep('{a,b}', rng.range(9, 40))}/**`]),
  'an empty or escaping glob': (t, _id, rng) => withOwns(t, [rng.pick(['', '**/../x', '../up/**', '/abs/**'])]),
  'a control character in a glob': (t) => withOwns(t, ['src/a\u0007b/**']),
  'YAML that does not parse': (t, _id, rng) =>
    rng.pick([
      () => intoFrontmatter(t, 'title: "never closed'),
      () => intoFrontmatter(t, 'phase: parallel\nphase: foundation'),
      () => intoFrontmatter(t, 'x-map:\n\tb: 1'),
      () => intoFrontmatter(t, 'x-list: [a, b'),
      () => intoFrontmatter(t, 'x-a: 1\n  x-b: 2'),
    ])(),
  'a YAML alias bomb': (t) => {
    const lines = ['x-a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`x-${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    return intoFrontmatter(t, lines.join('\n'));
  },
  'a value of the wrong type': (t, _id, rng) => intoFrontmatter(t, rng.pick(['x-ok: 1\nestimate: [1h]', 'allow_empty: "yes"', 'tags: {a: 1}', 'verify: 42'])),
  'an unknown key with a long name': (t, _id, rng) => intoFrontmatter(t, `${rep('k', rng.range(1, 200_000))}: 1`),
  'no frontmatter': (t) => t.replace(/^---\n[\s\S]*?\n---\n/, ''),
  'frontmatter never closed': (t) => t.replace(/^(---\n[\s\S]*?)\n---\n/, '$1\n'),
  'a NUL byte': (t) => Buffer.from(t.replace('## Goal', '## Goal\n\u0000')),
  'invalid UTF-8': (t) => Buffer.concat([Buffer.from(t), Buffer.from([0xc3, 0x28])]),
  'over 1 MiB': (t) => `${t}\n${rep('lorem ipsum ', 100_000)}`,
  'an id the file name does not carry': (t, id) => t.replace(`id: ${id}\n`, `id: ${id}-${rep('x', 3)}\n`),
  'a 2,000-item unknown depends_on': (t, _id, rng) => intoFrontmatter(t, `x-seed: ${rng.int(1e6)}\ndepends_on:\n${Array.from({ length: 2000 }, (_, i) => `  - ghost-${i}`).join('\n')}`).replace(/^depends_on: \[.*\]\n/m, ''),
  'a task that depends on itself': (t, id) => (/^depends_on: \[/m.test(t) ? t.replace(/^depends_on: \[/m, `depends_on: [${id}, `) : intoFrontmatter(t, `depends_on: [${id}]`)),
  'no sections': (t) => t.replace(/^## /gm, '### '),
  'a body nested thousands deep': (t, _id, rng) => `${t}\n${rng.pick([`${rep('- ', rng.range(100, 3000))}x`, `${rep('>', rng.range(100, 5500))} x`, `${rep('[', 5000)}x${rep(']', 5000)}`])}\n`,
  'YAML nested 800 deep': (t, _id, rng) => intoFrontmatter(t, rng.chance(0.5) ? `x-deep: ${rep('[', 800)}1${rep(']', 800)}` : `x-deep:\n${Array.from({ length: 800 }, (_, i) => `${rep('  ', i + 1)}- `).join('\n')}`),
  'a list of 3,000 lines in one piece': (t) => `${t}\n${Array.from({ length: 3000 }, (_, i) => `${i + 1}. step`).join('\n')}\n`,
  'an escape sequence in the title': (t) => t.replace(/^title: .*$/m, 'title: "Pwned \\e[2J\\e]0;x\\a"'),
  'an alias for the id': (t, id) => intoFrontmatter(t.replace(`id: ${id}\n`, 'id: *other\n'), `x-other: &other ${id}-elsewhere`),
  'a link to nothing': (t, _id, rng) => t.replace('## Goal\n', `## Goal\nSee [the plan](missing-${rng.int(1e6)}.md).\n`),
};

interface Folder {
  cwd: string;
  /** Broken file (relative to cwd) -> what was done to it. */
  broken: Map<string, string>;
  files: number;
}

function specFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...specFiles(path));
    else if (name.endsWith('.md') && name !== 'PROJECT.md' && !name.startsWith('_')) out.push(path);
  }
  return out.sort();
}

function makeFolder(seed: number): Folder {
  const cwd = tempDir('specdag-fuzz-');
  const specs = join(cwd, 'specs');
  generate({ n: SPECS, seed, out: specs });
  const rng = new Rng(seed * 7919);
  const names = Object.keys(MUTATIONS);
  const broken = new Map<string, string>();
  const files = specFiles(specs);
  for (const [k, path] of files.entries()) {
    // Every kind of damage at least once per folder, the rest at random.
    if (k >= names.length && !rng.chance(BROKEN_SHARE)) continue;
    const kind = k < names.length ? names[k]! : rng.pick(names);
    const id = /^id: (.*)$/m.exec(readFileSync(path, 'utf8'))![1]!;
    writeFileSync(path, MUTATIONS[kind]!(readFileSync(path, 'utf8'), id, rng));
    broken.set(relative(cwd, path), kind);
  }
  return { cwd, broken, files: files.length + 1 };
}

function lint(cwd: string, workers: string) {
  const r = spawnSync(process.execPath, [BIN, 'lint', 'specs', '--format', 'json', '--no-cache'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', SPECDAG_WORKERS: workers },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 180_000,
  });
  assert.equal(r.error, undefined, `lint ended (SPECDAG_WORKERS=${workers}): ${String(r.error)}`);
  return r;
}

for (const seed of FOLDERS) {
  test(`fuzz folder ${seed}: every broken file has a diagnostic, the rest is linted, workers or not, same bytes`, () => {
    const folder = makeFolder(seed);
    const pooled = lint(folder.cwd, '2');
    const single = lint(folder.cwd, '0');
    for (const [mode, r] of [['workers', pooled], ['main thread', single]] as const) {
      assert.ok(r.status === 0 || r.status === 1, `${mode}: exit ${r.status}\n${r.stderr.slice(0, 2000)}`);
      assert.equal(r.stderr, '', `${mode}: nothing on stderr`);
    }
    assert.ok(single.stdout === pooled.stdout, 'the same bytes with workers and on the main thread alone');
    let report: { filesChecked: number; diagnostics: { file: string; ruleId: string; message: string }[] };
    try {
      report = JSON.parse(single.stdout);
    } catch {
      assert.fail(`not one JSON document (${single.stdout.length} bytes): ${single.stdout.slice(0, 300)}`);
    }
    assert.equal(report.filesChecked, folder.files);
    const flagged = new Set(report.diagnostics.map((d) => d.file));
    const missed = [...folder.broken].filter(([file]) => !flagged.has(file)).map(([file, kind]) => `${file} (${kind})`);
    assert.deepEqual(missed, [], 'broken files without a diagnostic');
    assert.ok(folder.broken.size >= Object.keys(MUTATIONS).length);
    // A message quotes a value as a short excerpt, never whole.
    const longest = Math.max(...report.diagnostics.map((d) => d.message.length));
    assert.ok(longest < 2_000, `a message of ${longest} characters`);
  });
}
