// `specdag export --to makefile`: `make -n` shows every task after its
// prerequisites, `make -j4` really runs them in that order (with a stand-in
// for specdag that logs), and odd folder names, titles and ids neither break
// the Makefile nor inject into it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { taskNeeds } from '../../src/plan/needs.js';
import { buildPlan } from '../../src/plan/plan.js';
import { tempDir, writeTree } from '../helpers.js';
import { lintClean, requireTool, specdag, specFiles, type TaskDef } from '../plan/setup.js';

const SHOP: Record<string, TaskDef> = {
  schema: { phase: 'foundation' },
  setup: { phase: 'foundation', deps: ['schema'] },
  api: { deps: ['schema'], owns: ['src/api/**'] },
  catalog: { owns: ['src/catalog/**'] },
  cart: { deps: ['catalog'], owns: ['src/cart/**'] },
  docs: { status: 'done', owns: ['docs/**'] },
  checkout: { phase: 'integration', deps: ['api', 'cart'] },
};

/** Stands in for `specdag`: logs `start <id>` and `end <id>` (and its arguments) around a short pause. */
const STUB = `#!/bin/sh
log="$(dirname "$0")/calls.log"
id=$4
echo "start $id" >> "$log"
for a in "$@"; do printf '%s\\n' "$a"; done > "$(dirname "$0")/args-$id.txt"
sleep 0.1
echo "end $id" >> "$log"
`;

async function exported(tasks: Record<string, TaskDef>, dir = 'specs', output = 'Makefile') {
  const root = writeTree(tempDir('specdag-make-'), specFiles(tasks, undefined, dir));
  writeFileSync(join(root, 'stub.sh'), STUB);
  const r = await specdag(['export', dir, '--to', 'makefile', '-o', output], root);
  assert.equal(r.code, 0, r.stderr);
  const result = await lintClean(root, dir);
  return { root, plan: buildPlan(result, { repoRoot: root, cwd: root }), makefile: join(root, output) };
}

const make = (cwd: string, args: string[]) => spawnSync('make', args, { cwd, encoding: 'utf8' });

test('make -n lists one `specdag run --only <id>` per task, every task after its prerequisites', async (t) => {
  if (!requireTool(t, 'make', 'apt-get install -y make')) return;
  const { root, plan } = await exported(SHOP);
  const r = make(root, ['-n']);
  assert.equal(r.status, 0, r.stderr);
  const order = r.stdout.trim().split('\n');
  const position = new Map<string, number>();
  order.forEach((line, i) => {
    const m = /^specdag run 'specs' --only '([a-z0-9-]+)'$/.exec(line) ?? /^echo '([a-z0-9-]+): done already/.exec(line);
    assert.ok(m, `an expected line: ${line}`);
    position.set(m[1]!, i);
  });
  assert.equal(position.size, plan.tasks.length);
  const needs = taskNeeds(plan);
  for (const task of plan.tasks) {
    for (const dep of task.dependsOn) assert.ok(position.get(dep)! < position.get(task.id)!, `${dep} before ${task.id}`);
    for (const dep of needs.get(task.id)!) assert.ok(position.get(dep)! < position.get(task.id)!, `${dep} before ${task.id}`);
  }
  assert.ok(position.get('setup')! < position.get('catalog')!, 'every task waits for the last foundation task');
  assert.ok(position.get('schema')! < position.get('setup')!);
});

test('make -j4 runs the plan: parallel tasks side by side, never before their prerequisites', async (t) => {
  if (!requireTool(t, 'make', 'apt-get install -y make')) return;
  const { root, plan } = await exported(SHOP);
  const r = make(root, ['-j4', 'SPECDAG=sh stub.sh']);
  assert.equal(r.status, 0, r.stderr);
  const log = readFileSync(join(root, 'calls.log'), 'utf8').trim().split('\n');
  const at = (event: string) => log.indexOf(event);
  for (const task of plan.tasks) {
    if (task.status === 'done') {
      assert.equal(at(`start ${task.id}`), -1, 'a done task does not run');
      continue;
    }
    assert.ok(at(`end ${task.id}`) > at(`start ${task.id}`));
    for (const dep of taskNeeds(plan).get(task.id)!) {
      if (plan.tasks.find((x) => x.id === dep)!.status !== 'done') assert.ok(at(`end ${dep}`) < at(`start ${task.id}`), `${dep} ends before ${task.id} starts`);
    }
  }
  let running = 0;
  let most = 0;
  for (const event of log) most = Math.max(most, (running += event.startsWith('start') ? 1 : -1));
  assert.ok(most >= 2, `tasks ran side by side (at most ${most} at once)`);
  assert.deepEqual(readFileSync(join(root, 'args-api.txt'), 'utf8').split('\n'), ['run', 'specs', '--only', 'api', '']);
  // `make <id>` runs one task and what it needs, nothing else.
  writeFileSync(join(root, 'calls.log'), '');
  assert.equal(make(root, ['cart', 'SPECDAG=sh stub.sh']).status, 0);
  const starts = readFileSync(join(root, 'calls.log'), 'utf8').split('\n').filter((l) => l.startsWith('start')).map((l) => l.slice(6));
  assert.deepEqual(starts, ['schema', 'setup', 'catalog', 'cart']);
});

test('folder names, titles and ids that mean something to make or the shell stay inert', async (t) => {
  if (!requireTool(t, 'make', 'apt-get install -y make')) return;
  const dir = `my specs $(touch pwned) 'q' "d" #x`;
  const tasks: Record<string, TaskDef> = {
    all: { phase: 'foundation', title: 'ends with a backslash \\' },
    include: { title: 'next line\n\tfake: recipe $(shell touch pwned2)', owns: ['a/**'] },
    export: { title: '$(shell touch pwned3) `touch pwned4` ${HOME}', owns: ['b/**'] },
    define: { phase: 'integration', deps: ['include', 'export'] },
  };
  const { root, makefile } = await exported(tasks, dir, 'build/Makefile');
  writeFileSync(join(root, 'build', 'stub.sh'), STUB);
  const text = readFileSync(makefile, 'utf8');
  assert.match(text, /^\t\$\(SPECDAG\) run '\.\.\/my specs \$\$\(touch pwned\) '\\''q'\\'' "d" #x' --only 'all'$/m, 'the folder is relative to the Makefile, quoted, $ doubled');
  const dry = make(join(root, 'build'), ['-n']);
  assert.equal(dry.status, 0, dry.stderr);
  assert.equal(dry.stdout.trim().split('\n').length, 4, dry.stdout);
  const real = make(join(root, 'build'), ['-j2', 'SPECDAG=sh stub.sh']);
  assert.equal(real.status, 0, real.stderr);
  assert.deepEqual(readFileSync(join(root, 'build', 'args-export.txt'), 'utf8').split('\n'), ['run', `../${dir}`, '--only', 'export', '']);
  for (const name of ['pwned', 'pwned2', 'pwned3', 'pwned4']) {
    assert.ok(!existsSync(join(root, name)) && !existsSync(join(root, 'build', name)), `${name} was not created`);
  }
});

test('a spec folder whose name holds a newline is refused, not written', async () => {
  const root = tempDir();
  const dir = 'bad\nname';
  mkdirSync(join(root, dir));
  writeTree(root, specFiles({ one: {} }, undefined, dir));
  const r = await specdag(['export', dir, '--to', 'makefile', '-o', 'Makefile'], root);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /control character/);
  assert.ok(!existsSync(join(root, 'Makefile')));
});

test('SPECDAG defaults to the specdag on PATH, never npx (which would fetch whatever package holds the name)', async () => {
  const { makefile } = await exported({ one: {} });
  const text = readFileSync(makefile, 'utf8');
  assert.match(text, /^SPECDAG \?= specdag$/m);
  assert.doesNotMatch(text, /npx/);
});

/** A stand-in for specdag that leaves a mark when make runs it: under make -n it never should. */
const MARKER_STUB = `#!/bin/sh
touch "$(dirname "$0")/AGENT-RAN"
`;

test('make -n never runs an agent: a task named like a makefile is refused, whatever the Makefile is called', async (t) => {
  if (!requireTool(t, 'make', 'apt-get install -y make')) return;
  // A task whose target is the makefile itself: GNU make would run it to remake the makefile, even under -n.
  const root = writeTree(tempDir('specdag-make-'), specFiles({ makefile: {}, other: { owns: ['o/**'] } }));
  for (const args of [['-o', 'makefile'], ['-o', 'Makefile'], ['-o', 'GNUmakefile'], []]) {
    const r = await specdag(['export', 'specs', '--to', 'makefile', ...args], root);
    assert.equal(r.code, 2, `refused with ${args.join(' ') || 'stdout'}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /task 'makefile' has a name GNU make gives its own makefiles .* even under make -n; rename the task/);
  }
  assert.ok(!existsSync(join(root, 'makefile')) && !existsSync(join(root, 'Makefile')) && !existsSync(join(root, 'GNUmakefile')), 'nothing written');

  // A Makefile written to a file named like a task: the same trap.
  const shop = writeTree(tempDir('specdag-make-'), specFiles(SHOP));
  const r = await specdag(['export', 'specs', '--to', 'makefile', '-o', 'build/cart'], shop);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the Makefile would be written to 'cart', the name of task 'cart'/);
  assert.ok(!existsSync(join(shop, 'build', 'cart')));

  // Every name make reads by itself, and a named one: make -n prints every task and runs none.
  for (const [output, makeArgs] of [
    ['Makefile', []],
    ['makefile', []],
    ['GNUmakefile', []],
    ['build/Makefile', ['-C', 'build']],
    ['plan.mk', ['-f', 'plan.mk']],
  ] as const) {
    const dir = writeTree(tempDir('specdag-make-'), specFiles(SHOP));
    const e = await specdag(['export', 'specs', '--to', 'makefile', '-o', output], dir);
    assert.equal(e.code, 0, e.stderr);
    const stub = join(dir, 'stub.sh');
    writeFileSync(stub, MARKER_STUB);
    const dry = make(dir, ['-n', ...makeArgs, `SPECDAG=sh ${stub}`]);
    assert.equal(dry.status, 0, dry.stderr);
    assert.equal(dry.stdout.trim().split('\n').filter((l) => l.includes(' run ')).length, 6, `${output}: the six tasks to run are listed`);
    assert.ok(!existsSync(join(dir, 'AGENT-RAN')), `${output}: make -n ran nothing`);
  }
});
