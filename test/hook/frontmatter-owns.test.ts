// The hook's plain reader of `id` and `owns` against the YAML parser: on
// every frontmatter it reads, both must give the same answer (anything it is
// unsure of it must leave to the parser). Real specs, the lint fixtures, and
// generated frontmatters full of YAML corner cases.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseYaml } from '../../src/hook/claude-pre-tool-use.js';
import { readOwnsFast } from '../../src/hook/frontmatter-owns.js';
import { scanFrontmatter } from '../../src/spec/frontmatter.js';
import { ROOT } from '../helpers.js';

async function agree(yaml: string, label: string): Promise<boolean> {
  const fast = readOwnsFast(yaml);
  const parsed = await parseYaml(yaml);
  if (fast === undefined) return false;
  assert.notEqual(parsed, undefined, `${label}: the plain reader read YAML the parser refuses:\n${yaml}`);
  assert.deepEqual(fast, parsed, `${label}:\n${yaml}`);
  return true;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f));
}

test('the specs of this repository and every lint fixture: same id and owns as the parser', async () => {
  let read = 0;
  let total = 0;
  for (const file of [...markdownFiles(join(ROOT, 'specs')), ...markdownFiles(join(ROOT, 'test', 'fixtures'))]) {
    let text = readFileSync(file, 'utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const scan = scanFrontmatter(text);
    if (scan.kind !== 'block') continue;
    total++;
    if (await agree(text.slice(scan.block.valueStart, scan.block.valueEnd), file)) read++;
  }
  assert.ok(total > 100, `${total} frontmatters`);
  // The point of the plain reader: the common specs never need the parser.
  assert.ok(read / total > 0.8, `read ${read} of ${total} without the parser`);
});

test('generated frontmatters with YAML corner cases: the plain reader agrees or steps aside', async (t) => {
  let seed = 17;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  // Half of the values are the everyday kind, so that the plain reader's answers are checked often.
  const common = ['src/a/**', 'test/a/**', 'src/b.ts', 'docs/guide', '"src/q/**"', "'lib/**'", 'src/**/*.ts'] as const;
  const usual = ['id: gen', 'title: A task', 'phase: parallel', 'depends_on: [a, b]', 'estimate: 2h', 'status: ready', 'provides: [Api]'] as const;
  const scalars = [
    'src/a/**', 'src/**/*.ts', '**/x.ts', '*.md', 'docs', '"src/q/**"', "'src/s/**'", "'it''s'", '"a\\"b"', '123', '1.5', 'true', 'no', 'null', '~',
    '&anchor src/x', '*alias', '!!str src/t', 'src/{a,b}/**', 'a: b', 'a #c', 'a#b', '- x', '? x', '|', '>', '@x', '`x`', '%x', 'src/a # note', '"unclosed', "'unclosed",
    '0x1F', '.inf', '+12', '1e3', 'Yes', 'src/[ab].ts', 'src/!(x).ts', ' spaced ', 'src/a\t',
  ] as const;
  const glob = () => (rand(2) === 0 ? pick(common) : pick(scalars));
  const other = () => (rand(2) === 0 ? pick(usual) : pick(others));
  const owns = () => {
    switch (rand(6)) {
      case 0:
        return `owns:\n${Array.from({ length: rand(4) }, () => `${' '.repeat(pick([0, 2, 2, 4]))}- ${glob()}`).join('\n')}`;
      case 1:
        return `owns: [${Array.from({ length: rand(4) }, () => glob()).join(', ')}]`;
      case 2:
        return `owns: ${glob()}`;
      case 3:
        return `owns:\n  - ${glob()}\n    - ${glob()}`;
      case 4:
        return `owns: [${glob()},]  # trailing`;
      default:
        return `owns:   # the paths\n  - ${glob()}\n\n  - ${glob()}`;
    }
  };
  const others = [
    'id: gen', "id: 'gen'", 'id: "gen"', 'id: &i gen', 'title: A title: with colon', 'title: "two\n  lines"', 'title: >\n  folded\n  owns: [fake]',
    'depends_on: [a, b]', 'depends_on:\n- a', 'x-base: &b\n  - src/b/**', '<<: {owns: [src/m/**]}', 'phase: parallel # note', 'tags:\n  - x\n  - y',
    '\ttitle: tab', 'title: ok\nowns: [dup]', '%YAML 1.2', 'title: "a" trailing', 'owns: *b', '"quoted key": v', 'estimate: 2h',
  ];
  let read = 0;
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const parts = [other(), owns(), other()];
    if (rand(3) === 0) parts.reverse();
    const eol = rand(5) === 0 ? '\r\n' : '\n';
    if (await agree(parts.join('\n').replace(/\n/g, eol), `case ${i}`)) read++;
  }
  t.diagnostic(`read ${read} of ${N} generated frontmatters plainly`);
  assert.ok(read > N / 10, `read ${read} of ${N} plainly`);
  assert.ok(read < N, 'and left some to the parser');
});
