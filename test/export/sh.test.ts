// `specdag export --to sh`: the script passes `sh -n` and shellcheck, and it
// runs for real against a temporary git repository with a stand-in agent:
// every task on its own branch and worktree, merged with --no-ff; a failed
// task's dependents skipped; a merge conflict; done and draft tasks left
// alone; a second run starting nothing; setup, the task's check with
// retries, no-changes, and the merge gate (the target branch only moves to
// merges that pass: its reflog is checked commit by commit); and titles and
// commands full of quotes, `$`, backticks and trailing backslashes that must
// neither break nor inject.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildPlan } from '../../src/plan/plan.js';
import { buildPrompt, checkFailedSection } from '../../src/plan/prompt.js';
import { cli, tempDir } from '../helpers.js';
import { git, gitRepo, lintClean, projectMd, requireTool, specdag, specFiles, type TaskDef } from '../plan/setup.js';

/** Records what it got (args, stdin, environment, what it saw) in its own folder, src/<id>/. */
const AGENT = `#!/bin/sh
set -e
d="src/$SPECDAG_TASK_ID"
mkdir -p "$d"
cat > "$d/prompt.md"
for a in "$@"; do printf '%s\\n' "$a"; done > "$d/args.txt"
printf '%s\\n%s\\n%s\\n' "$SPECDAG_SPEC_FILE" "$(pwd -P)" "$SPECDAG_REPO_ROOT" > "$d/env.txt"
ls src > "$d/seen.txt"
git rev-parse --abbrev-ref HEAD > "$d/branch.txt"
cmp -s "$SPECDAG_PROMPT_FILE" "$d/prompt.md" || exit 9
[ -f "$SPECDAG_SPEC_FILE" ] || exit 8
[ -f "$SPECDAG_CLAUDE_SETTINGS" ] || exit 7
if [ "\${CONFLICT:-}" = 1 ]; then echo "$SPECDAG_TASK_ID" > conflict.txt; fi
[ "$SPECDAG_TASK_ID" != "\${FAIL_TASK:-}" ] || exit 3
`;

const NASTY_TITLE = `It's "quoted" $(touch pwned) \`touch pwned2\` $HOME \\ end`;
const BACKSLASH_TITLE = 'Ends with a backslash \\';

/** The shop, as tasks: foundation → (api, catalog → cart, docs done, sketch draft) → checkout. */
const TASKS: Record<string, TaskDef> = {
  schema: { phase: 'foundation', owns: ['src/schema/**'], title: BACKSLASH_TITLE },
  api: { deps: ['schema'], owns: ['src/api/**'], provides: ['Api'], title: NASTY_TITLE },
  catalog: { owns: ['src/catalog/**'], provides: ['Catalog'] },
  cart: { deps: ['catalog'], owns: ['src/cart/**'] },
  docs: { status: 'done', owns: ['src/docs/**'] },
  sketch: { status: 'draft', owns: ['src/sketch/**'] },
  checkout: { phase: 'integration', deps: ['api', 'cart'], owns: ['src/checkout/**'], consumes: ['Api'] },
};

interface Setup {
  root: string;
  script: string;
  worktrees: string;
  base: string;
}

const TARGET = 'specdag/integration';

/**
 * A repository with the specs (and `files`) committed, and the exported
 * script beside it (not in it). `settings` are extra PROJECT.md lines;
 * `agent` replaces the recording stand-in.
 */
async function setup(tasks: Record<string, TaskDef> = TASKS, opts: { base?: string; settings?: string; agent?: string; files?: Record<string, string> } = {}): Promise<Setup> {
  const base = opts.base ?? tempDir('specdag-sh-');
  const agentDir = join(base, "agent dir's");
  mkdirSync(agentDir);
  writeFileSync(join(agentDir, 'agent.sh'), opts.agent ?? AGENT);
  const command = `sh "${agentDir}/agent.sh" --flag "two words" '$HOME' "\\\`x\\\`"`;
  const project = projectMd(`project: shop\ndefault_agent: fake\nagents:\n  fake: ${JSON.stringify(command)}\n${opts.settings ?? ''}`);
  const root = gitRepo(join(base, 'repo'), { ...specFiles(tasks, project), ...(opts.files ?? {}) });
  const script = join(base, 'plan.sh');
  const r = await specdag(['export', 'specs', '--to', 'sh', '-o', script], root);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'with -o nothing goes to stdout');
  return { root, script, worktrees: join(base, 'repo.worktrees'), base };
}

function runScript(s: Setup, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('sh', [s.script], { cwd: s.root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** One exported and run shop, shared by the tests that only look at it (its folder lives as long as this file's tests). */
const SHOP_BASE = tempDir('specdag-sh-');
let shopRun: { s: Setup; r: { code: number | null; out: string } } | undefined;
async function shop() {
  if (!shopRun) {
    const s = await setup(TASKS, { base: SHOP_BASE });
    shopRun = { s, r: runScript(s) };
  }
  return shopRun;
}

const filesOn = (root: string, ref: string) => git(root, 'ls-tree', '-r', '--name-only', ref).trim().split('\n');
const firstParents = (root: string) => git(root, 'log', '--first-parent', '--reverse', '--format=%s', TARGET).trim().split('\n');
/** The run folder the script made (the newest), for its logs and prompts. */
/** The folder of the script's latest run. Its name is the second it started and a pid: two runs in one second sort by pid, so by time here. */
function runDir(root: string): string {
  const dir = join(root, '.specdag', 'sh');
  const runs = readdirSync(dir)
    .filter((f) => f !== 'merged')
    .map((f) => ({ path: join(dir, f), at: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => a.at - b.at);
  return runs[runs.length - 1]!.path;
}

test('the script is valid POSIX sh and passes shellcheck (titles ending in a backslash included)', async (t) => {
  const { s } = await shop();
  const text = readFileSync(s.script, 'utf8');
  assert.ok(text.startsWith('#!/bin/sh\n'));
  assert.ok(text.includes("'specdag: schema: Ends with a backslash '\"\\\\\" "), 'the trailing backslash is quoted apart');
  const syntax = spawnSync('sh', ['-n', s.script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  if (!requireTool(t, 'shellcheck', 'apt-get install -y shellcheck')) return;
  const check = spawnSync('shellcheck', ['--shell=sh', '--severity=style', s.script], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  // With setup and verify set too.
  const gated = await setup({ solo: { owns: ['src/solo/**'], title: BACKSLASH_TITLE, verify: 'test -d src' } }, { settings: 'setup: npm ci\nverify: npm test\nretries: 2' });
  const check2 = spawnSync('shellcheck', ['--shell=sh', '--severity=style', gated.script], { encoding: 'utf8' });
  assert.equal(check2.status, 0, check2.stdout + check2.stderr);
});

test('it runs the plan: every task on its own branch and worktree, merged with --no-ff, one merge per task', async () => {
  const { s, r } = await shop();
  assert.equal(r.code, 0, r.out);

  const files = filesOn(s.root, TARGET);
  for (const id of ['schema', 'api', 'catalog', 'cart', 'checkout']) assert.ok(files.includes(`src/${id}/prompt.md`), `${id} is on the target branch`);
  assert.ok(!files.some((f) => f.startsWith('src/docs/')), 'the done task did not run');
  assert.ok(!files.some((f) => f.startsWith('src/sketch/')), 'the draft task did not run');
  assert.match(r.out, /docs: done already/);
  assert.match(r.out, /sketch: skipped: its spec is a draft/);
  assert.equal(git(s.root, 'rev-parse', 'main'), git(s.root, 'rev-parse', 'HEAD'), 'the base branch is not written');
  assert.deepEqual(filesOn(s.root, 'main').filter((f) => f.startsWith('src/')), []);

  // The target branch changed only by merges, one per task, in plan order (foundation, parallel, integration).
  assert.deepEqual(firstParents(s.root), [
    'initial',
    `Merge specdag/schema: ${BACKSLASH_TITLE}`,
    `Merge specdag/api: ${NASTY_TITLE}`,
    'Merge specdag/catalog: Task catalog',
    'Merge specdag/cart: Task cart',
    'Merge specdag/checkout: Task checkout',
  ]);
  assert.equal(git(s.root, 'rev-list', '--first-parent', '--no-merges', '--count', `main..${TARGET}`).trim(), '0', 'no commit lands on the target directly');

  // Every task, foundation and integration included, ran on its own branch in its own worktree.
  const show = (path: string) => git(s.root, 'show', `${TARGET}:${path}`);
  for (const id of ['schema', 'api', 'cart', 'checkout']) {
    const [specFile, cwd, repoRoot] = show(`src/${id}/env.txt`).split('\n');
    assert.equal(cwd, join(s.worktrees, id), `${id} ran in its own worktree`);
    assert.equal(show(`src/${id}/branch.txt`).trim(), `specdag/${id}`, `${id} ran on its own branch`);
    assert.equal(specFile, join(s.root, 'specs', `${id}.md`));
    assert.equal(repoRoot, s.root);
  }
  // Order: cart's worktree started from a target branch where catalog (its dependency) was merged,
  // and the integration task saw every parallel task.
  assert.ok(show('src/cart/seen.txt').split('\n').includes('catalog'));
  assert.deepEqual(show('src/checkout/seen.txt').trim().split('\n').sort(), ['api', 'cart', 'catalog', 'checkout', 'schema']);

  // The prompt on stdin is buildPrompt's, byte for byte: PROJECT.md body, the spec, the dependencies.
  const result = await lintClean(s.root);
  const plan = buildPlan(result, { repoRoot: s.root, cwd: s.root });
  for (const id of ['schema', 'api', 'checkout']) {
    const expected = buildPrompt(plan.tasks.find((t) => t.id === id)!, plan, result);
    assert.equal(show(`src/${id}/prompt.md`), expected, `${id}'s prompt`);
  }
  const checkoutPrompt = show('src/checkout/prompt.md');
  assert.match(checkoutPrompt, /Shared context for every agent/);
  assert.match(checkoutPrompt, /- `api`: It's "quoted" \$\(touch pwned\) `touch pwned2` \$HOME \\ end; provides `Api`/);
  // .specdag/ ignores itself, as run makes it.
  assert.equal(git(s.root, 'status', '--porcelain'), '');
});

test('a second run starts nothing: the work is on the target branch already', async () => {
  const { s } = await shop();
  const tip = git(s.root, 'rev-parse', TARGET);
  const again = runScript(s, { FAIL_TASK: 'catalog' });
  assert.equal(again.code, 0, again.out);
  for (const id of ['schema', 'api', 'catalog', 'cart', 'checkout']) assert.match(again.out, new RegExp(`${id}: already on the target branch, not run again`));
  assert.doesNotMatch(again.out, /running its agent/);
  assert.equal(git(s.root, 'rev-parse', TARGET), tip);
});

test('titles and agent commands with quotes, $ and backticks neither break the script nor inject', async () => {
  const { s, r } = await shop();
  assert.equal(r.code, 0, r.out);
  for (const dir of [s.root, join(s.worktrees, 'api'), join(s.worktrees, 'integration'), process.cwd()]) {
    assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync(join(dir, 'pwned2')), `nothing was executed from a title in ${dir}`);
  }
  // The command ran as the shell reads it from PROJECT.md: once, with these arguments.
  assert.deepEqual(git(s.root, 'show', `${TARGET}:src/api/args.txt`).split('\n'), ['--flag', 'two words', '$HOME', '`x`', '']);
  // The titles reached the commit messages as written.
  assert.ok(git(s.root, 'log', '--format=%s', 'specdag/api').includes(`specdag: api: ${NASTY_TITLE}`));
  assert.ok(git(s.root, 'log', '--format=%s', 'specdag/schema').includes(`specdag: schema: ${BACKSLASH_TITLE}`));
  // And a comment cannot be escaped with a newline in the title.
  const text = readFileSync(s.script, 'utf8');
  assert.ok(!text.split('\n').some((line) => line.startsWith('touch')));
});

test('a failed task keeps its worktree; what depends on it is skipped; the rest goes on; exit 1; a second run resumes', async () => {
  const s = await setup();
  const r = runScript(s, { FAIL_TASK: 'catalog' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /catalog: failed \(agent\): its agent exited with code 3; specdag\/catalog and .*catalog are kept as they are/);
  assert.match(r.out, /cart: skipped/);
  assert.match(r.out, /checkout: skipped/);
  assert.match(r.out, /failed:agent {9}catalog/);
  const files = filesOn(s.root, TARGET);
  assert.ok(files.includes('src/api/prompt.md'), 'an independent task went on and was merged');
  assert.ok(!files.some((f) => f.startsWith('src/catalog/') || f.startsWith('src/cart/') || f.startsWith('src/checkout/')));
  // The failed task's work is left in its worktree, uncommitted, untouched.
  assert.ok(existsSync(join(s.worktrees, 'catalog', 'src', 'catalog', 'prompt.md')));
  assert.match(git(join(s.worktrees, 'catalog'), 'status', '--porcelain'), /\?\? src\//);

  const again = runScript(s);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /schema: already on the target branch/);
  assert.match(again.out, /api: already on the target branch/);
  assert.match(again.out, /catalog: merged into the target branch/);
  assert.match(again.out, /checkout: merged into the target branch/);
  const after = filesOn(s.root, TARGET);
  for (const id of ['catalog', 'cart', 'checkout']) assert.ok(after.includes(`src/${id}/prompt.md`));
});

test('a draft is not run, and what depends on it is skipped: exit 1, as specdag run', async () => {
  const s = await setup({ idea: { status: 'draft', owns: ['src/idea/**'] }, build: { deps: ['idea'], owns: ['src/build/**'] }, other: { owns: ['src/other/**'] } });
  const r = runScript(s);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /idea: skipped: its spec is a draft/);
  assert.match(r.out, /build: skipped, a task it waits for did not finish/);
  assert.match(r.out, /other: merged into the target branch/);
  assert.ok(!existsSync(join(s.worktrees, 'idea')) && !existsSync(join(s.worktrees, 'build')), 'no worktree for what does not run');
});

test('a failed foundation task stops the foundation chain and everything after it; the target branch does not move', async () => {
  const s = await setup({ alpha: { phase: 'foundation', owns: ['src/alpha/**'] }, beta: { phase: 'foundation', owns: ['src/beta/**'] }, after: { owns: ['src/after/**'] } });
  const r = runScript(s, { FAIL_TASK: 'alpha' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /alpha: failed \(agent\)/);
  assert.match(r.out, /beta: skipped/);
  assert.match(r.out, /after: skipped/);
  // alpha's leftovers are in its own worktree, uncommitted; the target's worktree is clean and unmoved.
  assert.ok(existsSync(join(s.worktrees, 'alpha', 'src', 'alpha', 'prompt.md')));
  assert.equal(git(join(s.worktrees, 'integration'), 'status', '--porcelain'), '');
  assert.equal(git(s.root, 'rev-parse', TARGET), git(s.root, 'rev-parse', 'main'));
});

test('a merge conflict fails the task, leaves the target branch clean, and skips its dependents', async () => {
  // Run 1: `one` fails and keeps its worktree; `two` merges a conflict.txt of its own.
  // Run 2: `one` is retried on its kept branch, writes conflict.txt too, and cannot merge.
  const s = await setup({
    one: { owns: ['src/one/**'] },
    two: { owns: ['src/two/**'] },
    after: { deps: ['one'], owns: ['src/after/**'] },
    join: { phase: 'integration', deps: ['after', 'two'] },
  });
  const first = runScript(s, { CONFLICT: '1', FAIL_TASK: 'one' });
  assert.equal(first.code, 1, first.out);
  assert.match(first.out, /two: merged into the target branch/);
  const r = runScript(s, { CONFLICT: '1' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /one: failed \(conflict\): merging specdag\/one into specdag\/integration conflicts; the merge was aborted/);
  assert.match(r.out, /after: skipped/);
  assert.match(r.out, /join: skipped/);
  assert.equal(git(join(s.worktrees, 'integration'), 'status', '--porcelain'), '', 'the merge was aborted');
  assert.equal(git(s.root, 'show', `${TARGET}:conflict.txt`), 'two\n');
  assert.equal(git(s.root, 'show', 'specdag/one:conflict.txt'), 'one\n', "the failed task's branch keeps its commit");
});

/** An agent that writes its own file (once per attempt) and whatever AGENT_SCRIPT adds, in a mode the test picks by env. */
const CHECKED_AGENT = `#!/bin/sh
set -e
d="src/$SPECDAG_TASK_ID"
mkdir -p "$d"
n=$(ls "$d" | grep -c '^prompt-' || true)
n=$((n + 1))
cp "$SPECDAG_PROMPT_FILE" "$d/prompt-$n.md"
[ -f .setup-mark ] || exit 7
case "$SPECDAG_TASK_ID" in
  noop|empty) rm -rf "$d"; exit 0 ;;
esac
if grep -q '^## The check failed' "$SPECDAG_PROMPT_FILE"; then
  echo "$SPECDAG_TASK_ID-route" > "$d/route"
else
  echo shared > "$d/route"
fi
[ "$SPECDAG_TASK_ID" != "\${FAIL_TASK:-}" ] || exit 3
`;

/** The project's check, committed in the repository: no two tasks may register the same route, and no task may be 'broken'. */
const CHECK = `#!/bin/sh
echo "checking in $(pwd)"
[ ! -e src/broken ] || { echo "broken is broken"; exit 5; }
dupes=$(cat src/*/route 2>/dev/null | sort | uniq -d)
[ -z "$dupes" ] || { echo "duplicate route: $dupes"; exit 1; }
echo ok
`;

/** PROJECT.md's setup: marks the worktree (the agent refuses to start without the mark) and logs where it ran. */
const SETUP = 'echo ran > .setup-mark && echo "$SPECDAG_TASK_ID $(pwd -P)" >> "$SPECDAG_REPO_ROOT/../setup.log"';
const gatedSettings = (setupCommand: string) => `setup: ${JSON.stringify(setupCommand)}\nverify: sh check.sh\nretries: 1`;
const GATED = {
  settings: gatedSettings(SETUP),
  agent: CHECKED_AGENT,
  files: { 'check.sh': CHECK, '.gitignore': '.setup-mark\n' },
};

/** Every commit the target branch has pointed to passes the project's check. */
function assertReflogPasses(s: Setup): string[] {
  const commits = [...new Set(git(s.root, 'reflog', 'show', '--format=%H', TARGET).trim().split('\n'))];
  const scratch = join(s.base, 'reflog-check');
  for (const commit of commits) {
    git(s.root, 'worktree', 'add', '-q', '--detach', scratch, commit);
    const r = spawnSync('sh', ['check.sh'], { cwd: scratch, encoding: 'utf8' });
    assert.equal(r.status, 0, `the target branch pointed at ${commit}, which fails the check: ${r.stdout}`);
    git(s.root, 'worktree', 'remove', scratch);
  }
  return commits;
}

test('the merge gate: two tasks that pass alone and fail merged; the second merge is dropped, its agent fixes it; the reflog holds only passing commits', async () => {
  // Run 1: alpha's agent fails (its branch is kept, made before beta merged); beta merges route "shared".
  // Run 2: alpha, retried on its kept branch, writes route "shared" too: its own check passes (beta's
  // route is not on its branch), the merge fails the check and is dropped; alpha gets the target merged
  // in and its agent again with the failure, writes a route of its own, and is merged.
  const s = await setup({ alpha: { owns: ['src/alpha/**'] }, beta: { owns: ['src/beta/**'] } }, GATED);
  const first = runScript(s, { FAIL_TASK: 'alpha' });
  assert.equal(first.code, 1, first.out);
  assert.match(first.out, /beta: merged into the target branch/);
  const beforeTip = git(s.root, 'rev-parse', TARGET).trim();

  const r = runScript(s);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /the merge into specdag\/integration failed the check \(exit code 1; log: .*alpha\.merge-check-1\.log\); dropped, specdag\/integration stays where it was/);
  assert.match(r.out, /alpha: running its agent in .* \(attempt 2;/);
  assert.match(r.out, /alpha: merged into the target branch/);
  // The target: beta's merge, then alpha's, and nothing in between (the failing merge never landed).
  assert.deepEqual(firstParents(s.root), ['initial', 'Merge specdag/beta: Task beta', 'Merge specdag/alpha: Task alpha']);
  assert.equal(git(s.root, 'rev-parse', `${TARGET}^1`).trim(), beforeTip);
  assert.equal(git(s.root, 'show', `${TARGET}:src/alpha/route`), 'alpha-route\n');
  const commits = assertReflogPasses(s);
  assert.equal(commits.length, 3, 'created, beta merged, alpha merged');

  // The retry's prompt is the first prompt plus checkFailedSection, byte for byte, with the merged check's output.
  const dir = runDir(s.root);
  const log = readFileSync(join(dir, 'alpha.merge-check-1.log'), 'utf8');
  assert.match(log, /duplicate route: shared/);
  const first1 = readFileSync(join(dir, 'alpha.prompt.md'), 'utf8');
  const retry = readFileSync(join(dir, 'alpha.prompt-2.md'), 'utf8');
  assert.equal(retry, first1 + checkFailedSection({ command: 'sh check.sh', exitCode: 1, output: log, mergedWith: TARGET }));
  // (run 1's attempt copied prompt-1.md, run 2's first attempt prompt-2.md, the retry prompt-3.md)
  assert.equal(git(s.root, 'show', `${TARGET}:src/alpha/prompt-3.md`), retry, 'the agent got that prompt');
});

test('setup runs once in each new worktree before its agent; a failing setup fails the task and skips its dependents', async () => {
  const s = await setup(
    { one: { owns: ['src/one/**'] }, two: { owns: ['src/two/**'] }, broken: { owns: ['src/broken/**'] }, after: { deps: ['broken'], owns: ['src/after/**'] } },
    { ...GATED, settings: gatedSettings(`[ "$SPECDAG_TASK_ID" != broken ] || exit 4; ${SETUP}`) },
  );
  const r = runScript(s);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /setup failed in .*broken \(exit code 4; log: .*broken\.log\)/);
  assert.match(r.out, /broken: failed \(setup\): its setup failed/);
  assert.match(r.out, /after: skipped/);
  assert.match(r.out, /failed:setup {9}broken/);
  // One setup per worktree: the two tasks' and the merge checks' scratch worktree, each once (the agent refuses to start without it).
  const ran = readFileSync(join(s.base, 'setup.log'), 'utf8').trim().split('\n').map((l) => l.split(' ')[1]!.split('/').pop());
  assert.deepEqual(ran.sort(), ['_merge-check', 'one', 'two']);
  assert.ok(existsSync(join(s.worktrees, 'broken')), "the failed task's worktree is kept");
});

test('a check that fails once, then passes: the agent runs again with the failure at the end of its prompt', async () => {
  // flaky's own check passes only once its agent has seen the failure (a second prompt file exists).
  const s = await setup({ flaky: { owns: ['src/flaky/**'], verify: 'echo "attempts: $(ls src/flaky | grep -c prompt-)"; test -f src/flaky/prompt-2.md' } }, GATED);
  const r = runScript(s);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /flaky: its check failed \(exit code 1; log: .*flaky\.check-1\.log\)/);
  assert.match(r.out, /flaky: merged into the target branch/);
  const dir = runDir(s.root);
  const log = readFileSync(join(dir, 'flaky.check-1.log'), 'utf8');
  assert.equal(log, 'attempts: 1\n');
  const command = 'echo "attempts: $(ls src/flaky | grep -c prompt-)"; test -f src/flaky/prompt-2.md';
  assert.equal(readFileSync(join(dir, 'flaky.prompt-2.md'), 'utf8'), readFileSync(join(dir, 'flaky.prompt.md'), 'utf8') + checkFailedSection({ command, exitCode: 1, output: log }));
  assert.match(readFileSync(join(dir, 'flaky.prompt.md'), 'utf8'), /Before you stop, run the check `echo "attempts/, 'the first prompt names the check');
  assertReflogPasses(s);
});

test('a check that always fails: failure verify after the retries, branch and worktree kept, dependents skipped, the target unmoved', async () => {
  const s = await setup({ broken: { owns: ['src/broken/**'] }, after: { deps: ['broken'], owns: ['src/after/**'] }, fine: { owns: ['src/fine/**'] } }, GATED);
  const r = runScript(s);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /broken: its check failed \(exit code 5;/);
  assert.match(r.out, /broken: running its agent in .* \(attempt 2;/);
  assert.doesNotMatch(r.out, /attempt 3/, 'retries: 1 means two attempts');
  assert.match(r.out, /broken: failed \(verify\): the check failed and no attempt is left \(retries: 1\)/);
  assert.match(r.out, /after: skipped/);
  assert.match(r.out, /fine: merged into the target branch/);
  assert.ok(!filesOn(s.root, TARGET).some((f) => f.startsWith('src/broken/')));
  assert.ok(git(s.root, 'ls-tree', '-r', '--name-only', 'specdag/broken').includes('src/broken/route'), "the failed task's branch keeps its commits");
  assert.ok(existsSync(join(s.worktrees, 'broken', 'src', 'broken', 'prompt-2.md')));
  assertReflogPasses(s);
});

test('an agent that changes nothing fails (no-changes) unless its spec says allow_empty: true', async () => {
  const s = await setup({ noop: { owns: ['src/noop/**'] }, empty: { owns: ['src/empty/**'], allowEmpty: true }, after: { deps: ['noop'], owns: ['src/after/**'] } }, GATED);
  const r = runScript(s);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /noop: failed \(no-changes\): its agent exited 0 but changed nothing/);
  assert.match(r.out, /after: skipped/);
  assert.match(r.out, /empty: merged into the target branch/);
  assert.match(r.out, /failed:no-changes {4}noop/);
});

test('a base branch that moved is merged into the target first, checked like any other merge', async () => {
  const s = await setup({ one: { owns: ['src/one/**'] } }, GATED);
  assert.equal(runScript(s).code, 0);
  // A good commit on main: merged in before anything else.
  writeFileSync(join(s.root, 'NEWS.md'), 'news\n');
  git(s.root, 'add', 'NEWS.md');
  git(s.root, 'commit', '-q', '-m', 'news');
  const r = runScript(s);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /main moved since specdag\/integration was made: merging it in first/);
  assert.match(r.out, /merged main into specdag\/integration/);
  assert.ok(filesOn(s.root, TARGET).includes('NEWS.md'));
  assert.match(r.out, /one: already on the target branch/);
  // A commit on main that breaks the check: its merge is dropped, in one line, and the run goes on.
  const tip = git(s.root, 'rev-parse', TARGET);
  mkdirSync(join(s.root, 'src', 'broken'), { recursive: true });
  writeFileSync(join(s.root, 'src', 'broken', 'x'), 'x\n');
  git(s.root, 'add', 'src');
  git(s.root, 'commit', '-q', '-m', 'breaks the check');
  const bad = runScript(s);
  assert.equal(bad.code, 0, bad.out);
  assert.match(bad.out, /the merge of main into specdag\/integration was dropped \(a conflict or a failed check; log: .*\); going on from specdag\/integration as it is/);
  assert.equal(git(s.root, 'rev-parse', TARGET), tip);
  assertReflogPasses(s);
});

test('-o writes the script atomically and makes a new one executable', async () => {
  const { s } = await shop();
  assert.ok((statSync(s.script).mode & 0o111) !== 0);
  const dir = join(s.script, '..');
  const leftovers = spawnSync('ls', ['-a', dir], { encoding: 'utf8' }).stdout.split('\n').filter((f) => f.endsWith('.tmp'));
  assert.deepEqual(leftovers, []);
});

test('an agent missing from PROJECT.md is a usage error (exit 2) naming the task', async () => {
  const root = gitRepo(join(tempDir(), 'repo'), specFiles({ solo: {} }));
  const r = cli(['export', 'specs', '--to', 'sh'], { cwd: root });
  // (the built binary, once: the other tests run the command in-process)
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /task 'solo' has no agent to run: define one under 'agents:'/);
  const other = gitRepo(join(tempDir(), 'repo'), specFiles({ solo: { agent: 'ghost' } }, projectMd('agents:\n  fake: "true"')));
  const r2 = await specdag(['export', 'specs', '--to', 'github-actions'], other);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /task 'solo' asks for agent 'ghost', which specs\/PROJECT.md does not define \(agents: fake\)/);
});
