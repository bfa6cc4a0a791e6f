// `specdag plan` in every format: golden files for the shop example (read
// them: they are the documentation), the JSON contract checked against
// schemas/plan.schema.json, Graphviz parsing the dot output, Mermaid's
// grammar checked line by line, and titles that try to break each format.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { formatPlan, PLAN_FORMATS, type PlanFormat } from '../../src/plan/format/index.js';
import { formatPlanJson } from '../../src/plan/format/json.js';
import type { RunPlan } from '../../src/plan/types.js';
import { cli, ROOT, tempDir } from '../helpers.js';
import { gitRepo, planFor, requireTool, specdag, type TaskDef } from './setup.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'plan', 'shop');
const GOLDEN: Record<PlanFormat, string> = { text: 'plan.txt', json: 'plan.json', markdown: 'plan.md', mermaid: 'plan.mmd', dot: 'plan.dot' };

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'plan.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** Every JSON plan a test produces goes through here. */
function assertValidPlanJson(text: string): unknown {
  const data = JSON.parse(text);
  assert.ok(validate(data), `plan JSON matches schemas/plan.schema.json: ${JSON.stringify(validate.errors, null, 2)}`);
  return data;
}

/** The shop example in a repository of its own, so paths do not depend on where the tests run. */
function shopRepo(): string {
  const root = join(tempDir(), 'shop');
  cpSync(join(FIXTURE, 'specs'), join(root, 'specs'), { recursive: true });
  return gitRepo(root, {});
}

test('every format of the shop example matches its golden file (UPDATE_GOLDEN=1 rewrites them)', async () => {
  const root = shopRepo();
  for (const format of PLAN_FORMATS) {
    const r = await specdag(['plan', 'specs', '--format', format], root);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const golden = join(FIXTURE, GOLDEN[format]);
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, r.stdout);
    assert.equal(r.stdout, readFileSync(golden, 'utf8'), `${format} output differs from ${GOLDEN[format]}`);
  }
});

test('text is the default format (the built binary, as a user runs it)', () => {
  const root = shopRepo();
  const r = cli(['plan', 'specs'], { cwd: root });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(FIXTURE, GOLDEN.text), 'utf8'));
});

test('the JSON plan has the contract keys in the contract order, and validates', () => {
  const data = assertValidPlanJson(readFileSync(join(FIXTURE, GOLDEN.json), 'utf8')) as Record<string, unknown> & { tasks: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(data).slice(0, 8), ['version', 'project', 'baseBranch', 'targetBranch', 'tasks', 'waves', 'criticalPath', 'maxParallelism']);
  assert.deepEqual(Object.keys(data.tasks[0]!).slice(0, 9), ['id', 'title', 'phase', 'dependsOn', 'status', 'estimateMinutes', 'wave', 'branch', 'worktree']);
  assert.deepEqual(data.waves, [['db-schema'], ['auth-api', 'catalog', 'docs'], ['cart'], ['integrate']]);
  assert.deepEqual(data.criticalPath, { tasks: ['db-schema', 'auth-api', 'integrate'], minutes: 720 });
  assert.equal(data.maxParallelism, 2);
  const docs = data.tasks.find((t) => t.id === 'docs')!;
  assert.equal(docs.status, 'done');
  assert.equal(docs.worktree, '../shop.worktrees/docs');
  assert.equal(docs.file, 'specs/docs.md');
});

test('the schema rejects what the contract forbids', () => {
  const good = JSON.parse(readFileSync(join(FIXTURE, GOLDEN.json), 'utf8')) as Record<string, unknown> & { tasks: Record<string, unknown>[] };
  assert.ok(validate(good));
  for (const bad of [
    { ...good, version: 2 },
    { ...good, extra: true },
    { ...good, criticalPath: { tasks: [] } },
    { ...good, tasks: [{ ...good.tasks[0], phase: 'later' }] },
    { ...good, tasks: [{ ...good.tasks[0], id: 'Bad Id' }] },
    { ...good, waves: [[]] },
  ]) {
    assert.equal(validate(bad), false, JSON.stringify(bad).slice(0, 80));
  }
});

/** Plans from the plan tests' situations: each validates, each formats without throwing. */
const SITUATIONS: Record<string, Record<string, TaskDef>> = {
  empty_deps: { solo: {} },
  diamond: { a: {}, b: { deps: ['a'] }, c: { deps: ['a'] }, d: { phase: 'integration', deps: ['b', 'c'] } },
  done: { f: { phase: 'foundation', status: 'done' }, x: { status: 'done' }, y: { deps: ['x'] } },
  draft: { f: { phase: 'foundation' }, x: { status: 'draft', estimate: '1w' } },
};

test('every situation gives schema-valid JSON and output in every format', async () => {
  for (const [name, tasks] of Object.entries(SITUATIONS)) {
    const { plan } = await planFor(tasks);
    assertValidPlanJson(formatPlanJson(plan));
    for (const format of PLAN_FORMATS) assert.ok(formatPlan(plan, format).endsWith('\n'), `${name} ${format}`);
  }
});

const NASTY = 'Say "hi" | <b>bold</b> & `tick` $(touch pwned) ${{ secrets.X }} #1 @team \\ back\nslash';

/** A plan whose titles (and project name) try to break out of every format. */
async function nastyPlan(): Promise<RunPlan> {
  const { plan } = await planFor(
    {
      'a--b': { phase: 'foundation', title: NASTY },
      end: { title: 'end', deps: ['a--b'] },
      graph: { title: '"]; evil -> x; //', estimate: '15m' },
      subgraph: { phase: 'integration', title: 'x"] --> y["', deps: ['end', 'graph'] },
    },
    '---\nproject: "x\\"y <z>"\n---\n',
  );
  return plan;
}

test('text: one line per task whatever the title holds', async () => {
  const plan = await nastyPlan();
  const text = formatPlan(plan, 'text');
  const rows = text.split('\n').filter((l) => /^ {2}[* ] \S/.test(l));
  assert.equal(rows.length, plan.tasks.length);
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f]/, 'no control characters reach the terminal');
  assert.ok(formatPlan(plan, 'text', { color: true }).includes('\u001b[1m'), 'colour when asked for');
});

test('markdown: every row keeps its cells, and nothing in a title turns into markup', async () => {
  const plan = await nastyPlan();
  const md = formatPlan(plan, 'markdown');
  const rows = md.split('\n').filter((l) => l.startsWith('|'));
  const cells = (row: string) => row.split(/(?<!\\)\|/).length;
  assert.equal(rows.length, plan.tasks.length + 2);
  for (const row of rows) assert.equal(cells(row), cells(rows[0]!), row);
  const row = rows.find((r) => r.includes('`a--b`'))!;
  assert.ok(row.includes('Say "hi" \\| \\<b\\>bold\\</b\\> \\& \\`tick\\` \\$\\(touch pwned\\) \\$\\{\\{ secrets.X \\}\\} \\#1 \\@team \\\\ back slash'), row);
});

/**
 * Mermaid's flowchart grammar, for the lines this formatter writes. Labels
 * must be quoted and free of raw `"`, and `end` must not be a node id.
 */
function assertMermaid(text: string, plan: RunPlan): void {
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'flowchart TD');
  let depth = 0;
  let edges = 0;
  const nodes = new Set<string>();
  for (const line of lines.slice(1)) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}subgraph phase_(foundation|parallel|integration) \["\1"\]$/.exec(line))) depth++;
    else if (line === '  end') depth--;
    else if ((m = /^ {4}(t\d+)\["([^"]*)"\]$/.exec(line))) nodes.add(m[1]!);
    else if ((m = /^ {2}(t\d+) (-->|-\.->) (t\d+)$/.exec(line))) {
      assert.ok(nodes.has(m[1]!) && nodes.has(m[3]!), `edge between known nodes: ${line}`);
      edges++;
    } else if (/^ {2}classDef (critical|done) [a-z-]+:[#\w]+(,[a-z-]+:[#\w -]+)*$/.test(line)) continue;
    else if ((m = /^ {2}class (t\d+(?:,t\d+)*) (critical|done)$/.exec(line))) continue;
    else if ((m = /^ {2}linkStyle (\d+(?:,\d+)*) stroke:#\w+,stroke-width:3px$/.exec(line))) {
      for (const i of m[1]!.split(',')) assert.ok(Number(i) < edges, `linkStyle ${i} names an edge (of ${edges})`);
    } else assert.fail(`not a Mermaid line this formatter should write: ${JSON.stringify(line)}`);
    assert.ok(depth >= 0 && depth <= 1);
  }
  assert.equal(depth, 0, 'every subgraph is closed');
  assert.equal(nodes.size, plan.tasks.length);
}

test('mermaid: valid lines, quoted labels with entity codes, the critical path styled', async () => {
  const shop = readFileSync(join(FIXTURE, GOLDEN.mermaid), 'utf8');
  const { plan } = await planFor({ a: {}, b: { deps: ['a'], estimate: '2h' }, c: { deps: ['a'] }, d: { phase: 'integration', deps: ['b', 'c'] } });
  assertMermaid(formatPlan(plan, 'mermaid'), plan);
  assert.match(shop, /linkStyle \d+(,\d+)* stroke:#d1242f/);

  const nasty = await nastyPlan();
  const text = formatPlan(nasty, 'mermaid');
  assertMermaid(text, nasty);
  assert.ok(text.includes('["a--b<br/>Say #34;hi#34; | #60;b#62;bold#60;/b#62; #38; #96;tick#96; $(touch pwned) ${{ secrets.X }} #35;1 @team \\ back slash<br/>1h · wave 0<br/>specdag/a--b<br/>'), text);
  assert.doesNotMatch(text, /^\s*(end|a--b)\b.*-->/m, 'task ids never stand as node ids');
});

test('dot: Graphviz reads the output, nasty titles included', async (t) => {
  if (!requireTool(t, 'dot', 'apt-get install -y graphviz', ['-V'])) return;
  const files = [readFileSync(join(FIXTURE, GOLDEN.dot), 'utf8'), formatPlan(await nastyPlan(), 'dot')];
  for (const text of files) {
    const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warnings either');
    assert.match(r.stdout, /<svg/);
  }
  const svg = spawnSync('dot', ['-Tsvg'], { input: files[1], encoding: 'utf8' }).stdout;
  assert.ok(svg.includes('&quot;]; evil &#45;&gt; x; //'), 'the title is a label, not graph syntax');
  assert.doesNotMatch(svg, /<title>evil<\/title>/, 'no node named evil');
});

test('plan refuses a folder with errors: exit 1, the diagnostics on stderr, nothing on stdout', async () => {
  const root = gitRepo(join(tempDir(), 'bad'), {
    'specs/a.md': '---\nid: a\ntitle: A\nestimate: 2 hours\n---\n## Goal\nx\n\n## Acceptance criteria\n- [ ] y\n',
    'specs/b.md': '---\nid: b\ntitle: B\ndepends_on: [nope]\n---\n## Goal\nx\n\n## Acceptance criteria\n- [ ] y\n',
  });
  for (const format of PLAN_FORMATS) {
    const r = format === 'text' ? cli(['plan', 'specs'], { cwd: root }) : await specdag(['plan', 'specs', '--format', format], root);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /specs\/a\.md[\s\S]*4:11\s+error\s+estimate '2 hours' must be a number and a unit[\s\S]*schema/);
    assert.match(r.stderr, /unknown-dependency/);
  }
  assert.ok(!existsSync(join(root, 'pwned')));
});

test('plan on a missing folder is a usage error (exit 2)', () => {
  const r = cli(['plan', 'nowhere'], { cwd: tempDir() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nowhere/);
});

test('every format shows the branch and worktree each task really works in, foundation and integration included', async () => {
  const root = shopRepo();
  for (const format of PLAN_FORMATS) {
    const r = await specdag(['plan', 'specs', '--format', format], root);
    assert.equal(r.code, 0, r.stderr);
    for (const id of ['db-schema', 'auth-api', 'integrate']) {
      assert.ok(r.stdout.includes(`specdag/${id}`), `${format} shows ${id}'s own branch`);
      assert.ok(r.stdout.includes(`../shop.worktrees/${id}`), `${format} shows ${id}'s own worktree`);
    }
  }
  // In the text, each task's row names its own branch and worktree, not the target branch's.
  const text = (await specdag(['plan', 'specs'], root)).stdout;
  const row = (id: string) => text.split('\n').find((l) => l.includes(` ${id} `))!;
  for (const id of ['db-schema', 'integrate']) {
    assert.match(row(id), new RegExp(`specdag/${id} +\\.\\./shop\\.worktrees/${id}\\b`), row(id));
    assert.doesNotMatch(row(id), /specdag\/integration/, 'no task works on the target branch itself');
  }
  const json = JSON.parse((await specdag(['plan', 'specs', '--format', 'json'], root)).stdout) as { tasks: { id: string; branch: string; worktree: string }[] };
  for (const t of json.tasks) assert.deepEqual([t.branch, t.worktree], [`specdag/${t.id}`, `../shop.worktrees/${t.id}`]);
});

/** The edges of a dot text and of a mermaid text, as "from->to" with `implied` for the dashed/dotted ones. */
function dotEdges(text: string): Map<string, boolean> {
  const edges = new Map<string, boolean>();
  for (const m of text.matchAll(/^ {2}"([a-z0-9-]+)" -> "([a-z0-9-]+)"( \[[^\]]*\])?;$/gm)) edges.set(`${m[1]}->${m[2]}`, (m[3] ?? '').includes('style=dashed'));
  return edges;
}
function mermaidEdges(text: string, plan: RunPlan): Map<string, boolean> {
  const id = (node: string) => plan.tasks[Number(node.slice(1))]!.id;
  const edges = new Map<string, boolean>();
  for (const m of text.matchAll(/^ {2}(t\d+) (-->|-\.->) (t\d+)$/gm)) edges.set(`${id(m[1]!)}->${id(m[3]!)}`, m[2] === '-.->');
  return edges;
}

test('dot and mermaid draw the implicit "after the last foundation task" edge for every task, whatever it depends on', async (t) => {
  // web and api name only the FIRST foundation task (beta), app names a parallel task, ship an integration
  // task: each still runs after alpha, the last foundation task, and the picture must say so.
  const { plan } = await planFor({
    zeta: { phase: 'foundation' },
    alpha: { phase: 'foundation', deps: ['zeta'] },
    beta: { phase: 'foundation' },
    api: { deps: ['beta'], owns: ['api/**'] },
    web: { deps: ['beta'], phase: 'integration' },
    app: { deps: ['api'], owns: ['app/**'] },
    solo: { owns: ['solo/**'] },
    ship: { phase: 'integration', deps: ['app', 'solo'] },
  });
  assert.deepEqual(plan.waves[2], ['alpha'], 'alpha is the last foundation task');
  const dot = formatPlan(plan, 'dot');
  for (const [format, edges] of [
    ['dot', dotEdges(dot)],
    ['mermaid', mermaidEdges(formatPlan(plan, 'mermaid'), plan)],
  ] as const) {
    for (const task of plan.tasks.filter((x) => x.phase !== 'foundation')) {
      assert.ok(edges.has(`alpha->${task.id}`), `${format}: an edge from the last foundation task to ${task.id}`);
      for (const dep of task.dependsOn) assert.equal(edges.get(`${dep}->${task.id}`), false, `${format}: ${dep} -> ${task.id} is drawn solid`);
    }
    assert.equal(edges.get('alpha->api'), true, `${format}: an implied edge is drawn dashed`);
    assert.equal(edges.get('beta->zeta'), true, `${format}: foundation tasks one after another`);
    assert.equal(edges.get('zeta->alpha'), false, `${format}: zeta -> alpha is explicit`);
  }
  // Graphviz draws them: the SVG holds one edge per pair.
  if (!requireTool(t, 'dot', 'apt-get install -y graphviz', ['-V'])) return;
  const svg = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
  assert.equal(svg.status, 0, svg.stderr);
  for (const id of ['api', 'web', 'app', 'solo', 'ship']) assert.ok(svg.stdout.includes(`<title>alpha&#45;&gt;${id}</title>`), `SVG edge alpha -> ${id}`);
});
