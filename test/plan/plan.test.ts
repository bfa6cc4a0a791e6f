// buildPlan: waves, critical path, parallelism, branches and worktrees, on
// folders linted for real (a diamond, a 30-task fan-out, a 1,000-deep chain,
// done tasks, foundation tie-breaks, every estimate unit).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ESTIMATE_MINUTES, formatMinutes, parseEstimate } from '../../src/plan/estimate.js';
import { buildPlan } from '../../src/plan/plan.js';
import type { RunPlan } from '../../src/plan/types.js';
import { tempDir, writeTree } from '../helpers.js';
import { lintClean, planFor, projectMd, specFiles, type TaskDef } from './setup.js';

const task = (plan: RunPlan, id: string) => {
  const t = plan.tasks.find((x) => x.id === id);
  assert.ok(t, `task ${id} is in the plan`);
  return t;
};

test('a diamond: one wave per level, the longer side on the critical path', async () => {
  const { plan } = await planFor({
    top: { estimate: '1h' },
    left: { deps: ['top'], estimate: '2h' },
    right: { deps: ['top'], estimate: '3h' },
    bottom: { phase: 'integration', deps: ['left', 'right'], estimate: '30m' },
  });
  assert.deepEqual(plan.waves, [['top'], ['left', 'right'], ['bottom']]);
  assert.deepEqual(plan.criticalPath, { tasks: ['top', 'right', 'bottom'], minutes: 60 + 180 + 30 });
  assert.equal(plan.maxParallelism, 2);
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.wave, t.dependsOn]),
    [
      ['top', 0, []],
      ['left', 1, ['top']],
      ['right', 1, ['top']],
      ['bottom', 2, ['left', 'right']],
    ],
    'tasks come in wave order, then id order',
  );
});

test('a diamond with equal sides: the tie goes to the smaller id', async () => {
  const { plan } = await planFor({
    top: {},
    zed: { deps: ['top'] },
    abe: { deps: ['top'] },
    bottom: { phase: 'integration', deps: ['zed', 'abe'] },
  });
  assert.deepEqual(plan.criticalPath, { tasks: ['top', 'abe', 'bottom'], minutes: 180 });
});

test('a 30-task fan-out: one wide wave, sorted, between the foundation and the integration', async () => {
  const tasks: Record<string, TaskDef> = { base: { phase: 'foundation', estimate: '2h' } };
  const ids = Array.from({ length: 30 }, (_, i) => `p${String(30 - i).padStart(2, '0')}`);
  for (const id of ids) tasks[id] = { owns: [`src/${id}/**`], estimate: id === 'p17' ? '90m' : '1h' };
  tasks.join = { phase: 'integration', deps: ids };
  const { plan } = await planFor(tasks);
  assert.equal(plan.waves.length, 3);
  assert.deepEqual(plan.waves[0], ['base']);
  assert.deepEqual(plan.waves[1], [...ids].sort());
  assert.deepEqual(plan.waves[2], ['join']);
  assert.equal(plan.maxParallelism, 30);
  assert.deepEqual(plan.criticalPath, { tasks: ['base', 'p17', 'join'], minutes: 120 + 90 + 60 });
  // The parallel tasks depend on nothing explicitly: they still come after the foundation.
  assert.deepEqual(task(plan, 'p01').dependsOn, []);
  assert.equal(task(plan, 'p01').wave, 1);
});

test('a 1,000-deep chain: 1,000 waves, the whole chain critical, planned in linear time', async () => {
  const tasks: Record<string, TaskDef> = {};
  const id = (i: number) => `c${String(i).padStart(4, '0')}`;
  for (let i = 0; i < 1000; i++) tasks[id(i)] = i === 0 ? {} : { deps: [id(i - 1)] };
  const root = writeTree(tempDir(), specFiles(tasks));
  const result = await lintClean(root);
  const started = performance.now();
  const plan = buildPlan(result, { repoRoot: root, cwd: root });
  const ms = performance.now() - started;
  assert.equal(plan.waves.length, 1000);
  assert.ok(plan.waves.every((w, i) => w.length === 1 && w[0] === id(i)));
  assert.equal(plan.criticalPath.tasks.length, 1000);
  assert.equal(plan.criticalPath.tasks[999], id(999));
  assert.equal(plan.criticalPath.minutes, 1000 * DEFAULT_ESTIMATE_MINUTES);
  assert.equal(plan.maxParallelism, 1);
  assert.ok(ms < 500, `buildPlan took ${ms.toFixed(0)} ms on a 1,000-deep chain`);
});

test('done tasks stay in the plan, keep their wave, and neither run nor count', async () => {
  const { plan } = await planFor({
    schema: { phase: 'foundation', status: 'done', estimate: '1d' },
    api: { deps: ['schema'], status: 'done', estimate: '2h' },
    ui: { deps: ['api'], estimate: '3h' },
    docs: { estimate: '1h', status: 'done' },
    cli: { estimate: '1h' },
    ship: { phase: 'integration', deps: ['ui', 'cli', 'docs'], estimate: '1h' },
  });
  assert.deepEqual(plan.waves, [['schema'], ['api', 'cli', 'docs'], ['ui'], ['ship']]);
  assert.equal(task(plan, 'schema').status, 'done');
  assert.equal(task(plan, 'api').status, 'done');
  assert.equal(task(plan, 'schema').estimateMinutes, 480, 'the estimate is still reported');
  // Done work takes no time and is not listed: what is left is ui → ship.
  assert.deepEqual(plan.criticalPath, { tasks: ['ui', 'ship'], minutes: 240 });
  // Wave 1 holds api, cli, docs; two are done, so one agent runs there.
  assert.equal(plan.maxParallelism, 1);
});

test('foundation tasks: one wave each, dependency order, ties by id; the rest after the last one', async () => {
  const { plan } = await planFor({
    zeta: { phase: 'foundation' },
    alpha: { phase: 'foundation', deps: ['zeta'] },
    beta: { phase: 'foundation' },
    mid: { phase: 'foundation', deps: ['beta'] },
    app: {},
    web: { deps: ['beta'] },
  });
  // Ready at the start: beta, zeta (alpha and mid wait). beta first (smaller id), which frees mid;
  // then mid < zeta; then zeta frees alpha.
  assert.deepEqual(plan.waves, [['beta'], ['mid'], ['zeta'], ['alpha'], ['app', 'web']]);
  assert.equal(task(plan, 'web').wave, 4, 'after every foundation wave, not just after beta');
  assert.equal(plan.maxParallelism, 2);
  // Foundation tasks run one at a time, so all four lie on the path, in the order run takes
  // them, and the implicit rule puts them before app and web; app wins the tie at the end.
  assert.deepEqual(plan.criticalPath, { tasks: ['beta', 'mid', 'zeta', 'alpha', 'app'], minutes: 300 });
});

test('the implicit foundation rule carries the critical path into tasks that name no dependency', async () => {
  const { plan } = await planFor({
    slow: { phase: 'foundation', estimate: '3h' },
    fast: { phase: 'foundation', estimate: '15m' },
    solo: { estimate: '1h' },
  });
  assert.deepEqual(plan.waves, [['fast'], ['slow'], ['solo']]);
  // fast and slow share no dependency but still run one after the other.
  assert.deepEqual(plan.criticalPath, { tasks: ['fast', 'slow', 'solo'], minutes: 255 });
  assert.equal(plan.maxParallelism, 1);
});

test('integration tasks come after every parallel task they depend on, never beside one', async () => {
  const { plan } = await planFor({
    f: { phase: 'foundation' },
    a: {},
    b: { deps: ['a'] },
    c: { deps: ['b'] },
    early: { phase: 'integration', deps: ['f'] },
    mid: { phase: 'integration', deps: ['b'] },
    last: { phase: 'integration', deps: ['c', 'mid'] },
  });
  assert.equal(task(plan, 'early').wave, 1, 'an integration task that needs only the foundation');
  assert.equal(task(plan, 'mid').wave, task(plan, 'b').wave + 1);
  assert.equal(task(plan, 'last').wave, Math.max(task(plan, 'c').wave, task(plan, 'mid').wave) + 1);
  for (const t of plan.tasks) for (const d of t.dependsOn) assert.ok(task(plan, d).wave < t.wave, `${d} before ${t.id}`);
});

test('estimates in every unit, with decimals, spaces and the 60-minute default', async () => {
  assert.equal(parseEstimate('15m'), 15);
  assert.equal(parseEstimate('2h'), 120);
  assert.equal(parseEstimate('1.5h'), 90);
  assert.equal(parseEstimate('1d'), 480);
  assert.equal(parseEstimate('0.5d'), 240);
  assert.equal(parseEstimate('1w'), 2400);
  assert.equal(parseEstimate('2 h'), 120);
  assert.equal(parseEstimate('0.1h'), 6);
  assert.equal(parseEstimate('2x'), undefined);
  assert.equal(parseEstimate('h'), undefined);
  assert.deepEqual([45, 60, 90, 480, 2400].map(formatMinutes), ['45m', '1h', '1h30m', '8h', '40h']);

  const { plan } = await planFor({
    m: { estimate: '15m' },
    h: { estimate: '2h' },
    dec: { estimate: '1.5h' },
    d: { estimate: '1d' },
    w: { estimate: '1w' },
    none: {},
  });
  assert.deepEqual(
    Object.fromEntries(plan.tasks.map((t) => [t.id, t.estimateMinutes])),
    { d: 480, dec: 90, h: 120, m: 15, none: 60, w: 2400 },
  );
  assert.deepEqual(plan.criticalPath, { tasks: ['w'], minutes: 2400 });
  assert.equal(plan.maxParallelism, 6);
});

test('branches, worktrees and files come from PROJECT.md and the repository root', async () => {
  const { plan, root } = await planFor(
    { db: { phase: 'foundation' }, api: { deps: ['db'], agent: 'codex' } },
    projectMd('project: shop\nbase_branch: trunk\nbranch_prefix: work/\nworktree_dir: /tmp/wt/\nmax_parallel: 3\ndefault_agent: claude\nagents:\n  claude: claude -p\n  codex: codex exec'),
  );
  assert.equal(plan.project, 'shop');
  assert.equal(plan.baseBranch, 'trunk');
  assert.equal(plan.targetBranch, 'work/integration');
  assert.equal(plan.maxParallel, 3);
  assert.equal(plan.worktreeDir, '/tmp/wt', 'a trailing slash is dropped');
  assert.equal(plan.targetWorktree, '/tmp/wt/integration');
  assert.deepEqual(
    plan.tasks.map((t) => [t.id, t.branch, t.worktree, t.file, t.agent]),
    [
      ['db', 'work/db', '/tmp/wt/db', 'specs/db.md', 'claude'],
      ['api', 'work/api', '/tmp/wt/api', 'specs/api.md', 'codex'],
    ],
  );
  assert.ok(root.length > 0);

  // Defaults: the worktrees beside the repository, named after its folder; no project name.
  const bare = await planFor({ one: {} });
  const folder = bare.root.split('/').pop();
  assert.equal(bare.plan.project, null);
  assert.equal(bare.plan.baseBranch, 'main');
  assert.equal(bare.plan.targetBranch, 'specdag/integration');
  assert.equal(bare.plan.worktreeDir, `../${folder}.worktrees`);
  assert.equal(bare.plan.tasks[0]!.worktree, `../${folder}.worktrees/one`);
  assert.equal(bare.plan.tasks[0]!.branch, 'specdag/one');
  assert.equal(bare.plan.tasks[0]!.agent, undefined);
});

test('spec files in subfolders, seen from a repository root above the current directory', async () => {
  const root = writeTree(tempDir(), {
    'specs/backend/api.md': specFiles({ api: {} })['specs/api.md']!,
    'specs/web.md': specFiles({ web: {} })['specs/web.md']!,
  });
  const result = await lintClean(root);
  const plan = buildPlan(result, { repoRoot: root, cwd: `${root}/specs` });
  assert.deepEqual(plan.tasks.map((t) => t.file), ['specs/backend/api.md', 'specs/web.md']);
});

test('the same folder always gives the same plan', async () => {
  const tasks: Record<string, TaskDef> = {
    f2: { phase: 'foundation' },
    f1: { phase: 'foundation' },
    b: { deps: ['a'] },
    a: {},
    c: { deps: ['a'] },
    i: { phase: 'integration', deps: ['b', 'c'] },
  };
  const one = await planFor(tasks);
  const reversed = await planFor(Object.fromEntries(Object.entries(tasks).reverse()));
  assert.deepEqual(buildPlan(one.result, { repoRoot: one.root, cwd: one.root }), one.plan);
  const strip = (p: RunPlan) => ({ ...p, worktreeDir: '', targetWorktree: '', tasks: p.tasks.map((t) => ({ ...t, worktree: '' })) });
  assert.deepEqual(strip(reversed.plan), strip(one.plan));
});
