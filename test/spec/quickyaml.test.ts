// quickDocument composes the common frontmatter without the yaml package's
// parser. Whatever it accepts must be, node for node, what parseDocument
// makes of the same text: same classes, values, types, ranges, flow flags,
// errors (none) and plain data. These tests compare both on every spec
// folder we have and on generated documents full of YAML's traps, and check
// that the fast path really is taken where it should be.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDocument, type Document } from 'yaml';
import { generate, type Shape } from '../../bench/generate.js';
import { scanFrontmatter } from '../../src/spec/frontmatter.js';
import { quickDocument } from '../../src/spec/quickyaml.js';

const OPTIONS = { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false } as const;
const ROOT = join(import.meta.dirname, '..', '..');

/** A node as plain data: its class and every own property but the shared schema. */
function dump(node: unknown): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(dump);
  const out: Record<string, unknown> = { class: node.constructor.name };
  for (const key of Object.keys(node).sort()) if (key !== 'schema') out[key] = dump((node as Record<string, unknown>)[key]);
  return out;
}

function view(doc: Document.Parsed) {
  return { range: doc.range, errors: doc.errors.length, warnings: doc.warnings.length, contents: dump(doc.contents), data: doc.toJS() };
}

/** Compares the fast answer with the yaml package's on `text`; returns whether the fast path took it. */
function same(text: string, where: string): boolean {
  const quick = quickDocument(text, OPTIONS);
  if (!quick) return false;
  assert.deepEqual(view(quick), view(parseDocument(text, OPTIONS)), `${where}: ${JSON.stringify(text)}`);
  return true;
}

function frontmatters(dir: string): { file: string; yaml: string }[] {
  const out: { file: string; yaml: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8').replace(/^\ufeff/, '');
    const scan = scanFrontmatter(text);
    if (scan.kind === 'block') out.push({ file, yaml: text.slice(scan.block.valueStart, scan.block.valueEnd).replace(/\r(?!\n)/g, '\n') });
  }
  return out;
}

test('every spec of the bundled folder and the test fixtures: the same document, and most take the fast path', () => {
  for (const dir of ['specs', join('test', 'fixtures')]) {
    const all = frontmatters(join(ROOT, dir));
    const fast = all.filter(({ file, yaml }) => same(yaml, file)).length;
    assert.ok(all.length > 10, `${dir} holds specs`);
    assert.ok(fast / all.length > 0.6, `${dir}: ${fast} of ${all.length} took the fast path`);
  }
});

test('generated folders of every shape: the same document for every spec, and every task spec takes the fast path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'specdag-quickyaml-'));
  try {
    for (const [shape, defects] of [['realistic', 0], ['realistic', 40], ['suffix', 0], ['packages', 0]] as [Shape, number][]) {
      const out = join(dir, `${shape}-${defects}`);
      generate({ n: 400, seed: 7, shape, defects, out });
      const all = frontmatters(out);
      const fast = all.filter(({ file, yaml }) => same(yaml, file)).length;
      // PROJECT.md holds a nested map, and some injected defects are YAML errors: those go to the full parser.
      assert.ok(fast >= all.length - 1 - defects, `${shape} with ${defects} defects: ${fast} of ${all.length} took the fast path`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const corpora = join(ROOT, '..', 'shared', 'corpora');
test('every Markdown file with frontmatter in the real corpora: the same document', { skip: existsSync(corpora) ? false : 'the corpora (../shared/corpora) are not here' }, () => {
  const all = frontmatters(corpora);
  for (const { file, yaml } of all) same(yaml, file);
  assert.ok(all.length > 0, 'the corpora hold Markdown with frontmatter');
});

/** Scalars YAML reads in surprising ways: typed values, indicators, comments, quotes, odd blanks. */
const SCALARS = [
  'plain', 'two words', 'src/**', 'src/{a,b}/**', '**/*.ts', 'Auth.Session', '30m', '1h', 'a-b_c', 'é', 'x#y', 'a:b', 'a::b', 'a[b]', 'a{b}', 'a,b', '...', '---x',
  'true', 'True', 'TRUE', 'false', 'yes', 'no', 'on', 'null', 'Null', 'NULL', '~', '3', '-3', '+3', '0', '007', '3.0', '.5', '1e3', '1E-3', '0x1F', '0o17', '0b1', '1_000', '.inf', '-.Inf', '.NaN', '12:30',
  'a: b', 'a:', 'a #c', '#c', '- x', '-x', '?x', '? x', ':x', '*x', '&x', '!x', '!!str x', '|', '>', '%x', '@x', '`x', '[a]', '{a: b}', '[a, b]',
  "'q'", "'it''s'", "''", "'a, b'", "'a'b'", "'unclosed", '"d"', '""', '"a\\"b"', '"a\\nb"', '"a, b"', '"unclosed', "'**/*.test.ts'",
  "it's", 'say "hi"', 'a\\b', "'a\\b'", '🚀 launch', 'naïve café',
  'x ', ' x', 'a  b', 'a\tb', '\ta', 'a\u2028b', 'a\u0085b', 'a\ufeffb', 'a\u0001b', 'a\u007fb',
];
const KEYS = ['id', 'title', 'owns', 'depends_on', 'allow-empty', '_x', 'a1', '1', 'true', 'null', 'a b', 'a.b', '"id"', "'id'", '-x', 'id ', '?'];

/** A small deterministic generator (xorshift), so a failure names a seed that repeats it. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** The first few scalars are ordinary; a trap comes one time in `TRAP`, so that many documents hold one and many none. */
const ORDINARY = 18;
const TRAP = 8;

function randomDoc(pick: (n: number) => number): string {
  const one = <T>(list: readonly T[]) => list[pick(list.length)]!;
  const scalar = () => (pick(TRAP) === 0 ? one(SCALARS) : SCALARS[pick(ORDINARY)]!);
  const lines: string[] = [];
  const keys = pick(6) + 1;
  for (let k = 0; k < keys; k++) {
    // A key twice is a trap too: ordinary keys are numbered.
    const key = pick(TRAP) === 0 ? one(KEYS) : `${one(KEYS.slice(0, 6))}${k}`;
    const kind = pick(10);
    if (kind < 4) lines.push(`${key}:${pick(TRAP) === 0 ? one(['  ', '']) : ' '}${scalar()}`);
    else if (kind < 7) {
      const items = Array.from({ length: pick(4) }, scalar);
      const sep = pick(TRAP) === 0 ? one([',', ',  ', ' , ']) : ', ';
      lines.push(`${key}: ${pick(TRAP) === 0 ? '[ ' : '['}${items.join(sep)}${pick(TRAP) === 0 ? one([' ]', '']) : ']'}`);
    } else {
      lines.push(`${key}:${pick(TRAP) === 0 ? one([' ', ' # c']) : ''}`);
      const indent = one(['  ', '', '    ', ' ']);
      const items = pick(TRAP) === 0 ? 0 : pick(3) + 1;
      for (let i = 0; i < items; i++) lines.push(`${pick(TRAP * 2) === 0 ? one(['', ' ', '   ']) : indent}-${pick(TRAP) === 0 ? one(['  ', '']) : ' '}${scalar()}`);
    }
    if (pick(12) === 0) lines.push(one(['', '# comment', '  ', '  continued', '---', '...']));
  }
  return lines.join(pick(4) === 0 ? '\r\n' : '\n') + (pick(TRAP) === 0 ? '\n\n' : one(['', '\n']));
}

test('generated documents full of YAML traps: whatever the fast path takes, it reads as the yaml package does', () => {
  const pick = rng(16);
  let fast = 0;
  const runs = 20_000;
  for (let i = 0; i < runs; i++) if (same(randomDoc(pick), `generated document ${i}`)) fast++;
  // Traps are in most documents, so most go to the full parser; enough must not, or nothing was compared.
  assert.ok(fast > runs / 10, `${fast} of ${runs} generated documents took the fast path`);
});

test('what the fast path must leave to the full parser, which reports it', () => {
  for (const text of [
    'id: a\nid: b', // a key twice
    'id: a\n  - x', // a list under a scalar
    'owns:', // a key with nothing
    'a: b: c', // a nested map on one line
    'id: [a', // an open flow list
    'title: Auth: login', // `: ` in a plain scalar
    'id: a # comment',
    'id: "a\\tb"',
    `${'k'.repeat(1100)}: v`, // a key over 1024 characters, which YAML refuses
    'owns:\n  - a\n   - b', // items at two indentations
    '',
  ]) {
    assert.equal(quickDocument(text, OPTIONS), undefined, JSON.stringify(text));
  }
});

test('the typical spec takes the fast path, with its typed values', () => {
  const text = "id: a\ntitle: Add the thing\nretries: 2\nallow_empty: true\nowns:\n  - 'src/{a,b}/**'\n  - src/c.ts\nconsumes: [Auth.Session, 'x, y']\nestimate: 30m";
  const doc = quickDocument(text, OPTIONS);
  assert.ok(doc, 'taken');
  assert.deepEqual(doc.toJS(), { id: 'a', title: 'Add the thing', retries: 2, allow_empty: true, owns: ['src/{a,b}/**', 'src/c.ts'], consumes: ['Auth.Session', 'x, y'], estimate: '30m' });
  assert.ok(same(text, 'typical'));
  assert.ok(same(text.replaceAll('\n', '\r\n'), 'typical, CRLF'), 'a CRLF file takes the fast path too');
});
