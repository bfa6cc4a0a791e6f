// `specdag export --to sh`: the script passes `sh -n` and shellcheck, and it
// runs for real against a temporary git repository with a stand-in agent:
// worktrees, merges, a failed task's dependents skipped, a merge conflict,
// done tasks left alone, a second run resuming, and titles and commands full
// of quotes, `$` and backticks that must neither break nor inject.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildPlan } from '../../src/plan/plan.js';
import { buildPrompt } from '../../src/plan/prompt.js';
import { cli, tempDir } from '../helpers.js';
import { git, gitRepo, lintClean, projectMd, requireTool, specdag, specFiles, type TaskDef } from '../plan/setup.js';

/** Records what it got (args, stdin, environment, what it saw) in its own folder, src/<id>/. */
const AGENT = `#!/bin/sh
set -e
d="src/$SPECDAG_TASK_ID"
mkdir -p "$d"
cat > "$d/prompt.md"
for a in "$@"; do printf '%s\\n' "$a"; done > "$d/args.txt"
printf '%s\\n%s\\n' "$SPECDAG_SPEC_FILE" "$(pwd -P)" > "$d/env.txt"
ls src > "$d/seen.txt"
cmp -s "$SPECDAG_PROMPT_FILE" "$d/prompt.md" || exit 9
[ -f "$SPECDAG_SPEC_FILE" ] || exit 8
if [ "\${CONFLICT:-}" = 1 ]; then echo "$SPECDAG_TASK_ID" > conflict.txt; fi
[ "$SPECDAG_TASK_ID" != "\${FAIL_TASK:-}" ] || exit 3
`;

const NASTY_TITLE = `It's "quoted" $(touch pwned) \`touch pwned2\` $HOME \\ end`;

/** The shop, as tasks: foundation → (api, catalog → cart, docs done) → checkout. */
const TASKS: Record<string, TaskDef> = {
  schema: { phase: 'foundation', owns: ['src/schema/**'] },
  api: { deps: ['schema'], owns: ['src/api/**'], provides: ['Api'], title: NASTY_TITLE },
  catalog: { owns: ['src/catalog/**'], provides: ['Catalog'] },
  cart: { deps: ['catalog'], owns: ['src/cart/**'] },
  docs: { status: 'done', owns: ['src/docs/**'] },
  checkout: { phase: 'integration', deps: ['api', 'cart'], owns: ['src/checkout/**'], consumes: ['Api'] },
};

interface Setup {
  root: string;
  script: string;
  worktrees: string;
}

/** A repository with the specs committed, and the exported script beside it (not in it). */
async function setup(tasks: Record<string, TaskDef> = TASKS, base = tempDir('specdag-sh-')): Promise<Setup> {
  const agentDir = join(base, "agent dir's");
  mkdirSync(agentDir);
  writeFileSync(join(agentDir, 'agent.sh'), AGENT);
  const command = `sh "${agentDir}/agent.sh" --flag "two words" '$HOME' "\\\`x\\\`"`;
  const root = gitRepo(join(base, 'repo'), specFiles(tasks, projectMd(`project: shop\ndefault_agent: fake\nagents:\n  fake: ${JSON.stringify(command)}`)));
  const script = join(base, 'plan.sh');
  const r = await specdag(['export', 'specs', '--to', 'sh', '-o', script], root);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '', 'with -o nothing goes to stdout');
  return { root, script, worktrees: join(base, 'repo.worktrees') };
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
    const s = await setup(TASKS, SHOP_BASE);
    shopRun = { s, r: runScript(s) };
  }
  return shopRun;
}

const filesOn = (root: string, ref: string) => git(root, 'ls-tree', '-r', '--name-only', ref).trim().split('\n');

test('the script is valid POSIX sh and passes shellcheck', async (t) => {
  const { s } = await shop();
  const text = readFileSync(s.script, 'utf8');
  assert.ok(text.startsWith('#!/bin/sh\n'));
  const syntax = spawnSync('sh', ['-n', s.script], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
  if (!requireTool(t, 'shellcheck', 'apt-get install -y shellcheck')) return;
  const check = spawnSync('shellcheck', ['--shell=sh', '--severity=style', s.script], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

test('it runs the plan: foundation on the target branch, parallel tasks in worktrees, merged, integration last', async () => {
  const { s, r } = await shop();
  assert.equal(r.code, 0, r.out);

  const target = 'specdag/integration';
  const files = filesOn(s.root, target);
  for (const id of ['schema', 'api', 'catalog', 'cart', 'checkout']) assert.ok(files.includes(`src/${id}/prompt.md`), `${id} is on the target branch`);
  assert.ok(!files.some((f) => f.startsWith('src/docs/')), 'the done task did not run');
  assert.match(r.out, /docs: done already/);
  assert.equal(git(s.root, 'rev-parse', 'main'), git(s.root, 'rev-parse', 'HEAD'), 'the base branch is not written');
  assert.deepEqual(filesOn(s.root, 'main').filter((f) => f.startsWith('src/')), []);

  // Order: cart's worktree started from a target branch where catalog (its dependency) was merged,
  // and the integration task saw every parallel task.
  const show = (path: string) => git(s.root, 'show', `${target}:${path}`);
  assert.ok(show('src/cart/seen.txt').split('\n').includes('catalog'));
  assert.deepEqual(show('src/checkout/seen.txt').trim().split('\n').sort(), ['api', 'cart', 'catalog', 'checkout', 'schema']);
  // Parallel tasks ran in their own worktree, the others in the target branch's worktree.
  assert.equal(show('src/cart/env.txt').split('\n')[1], join(s.worktrees, 'cart'));
  assert.equal(show('src/schema/env.txt').split('\n')[1], join(s.worktrees, 'integration'));
  assert.equal(show('src/checkout/env.txt').split('\n')[1], join(s.worktrees, 'integration'));
  assert.equal(show('src/api/env.txt').split('\n')[0], join(s.root, 'specs', 'api.md'));
  assert.equal(git(s.root, 'rev-parse', '--abbrev-ref', 'specdag/cart').trim(), 'specdag/cart', 'the task branch exists');
  // One merge commit per parallel task that ran.
  const merges = git(s.root, 'log', '--merges', '--format=%s', target).trim().split('\n').sort();
  assert.deepEqual(merges, ['specdag: merge api', 'specdag: merge cart', 'specdag: merge catalog']);

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
});

test('titles and agent commands with quotes, $ and backticks neither break the script nor inject', async () => {
  const { s, r } = await shop();
  assert.equal(r.code, 0, r.out);
  for (const dir of [s.root, join(s.worktrees, 'api'), join(s.worktrees, 'integration'), process.cwd()]) {
    assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync(join(dir, 'pwned2')), `nothing was executed from a title in ${dir}`);
  }
  // The command ran as the shell reads it from PROJECT.md: once, with these arguments.
  assert.deepEqual(git(s.root, 'show', 'specdag/integration:src/api/args.txt').split('\n'), ['--flag', 'two words', '$HOME', '`x`', '']);
  // The title reached the commit message as written.
  assert.ok(git(s.root, 'log', '--format=%s', 'specdag/api').includes(`specdag: api: ${NASTY_TITLE}`));
  // And a comment cannot be escaped with a newline in the title.
  const text = readFileSync(s.script, 'utf8');
  assert.ok(!text.split('\n').some((line) => line.startsWith('touch')));
});

test('a failed task keeps its worktree; what depends on it is skipped; the rest goes on; exit 1; a second run resumes', async () => {
  const s = await setup();
  const r = runScript(s, { FAIL_TASK: 'catalog' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /catalog: the agent exited with status 3/);
  assert.match(r.out, /cart: skipped/);
  assert.match(r.out, /checkout: skipped/);
  assert.match(r.out, /failed {5}catalog/);
  const files = filesOn(s.root, 'specdag/integration');
  assert.ok(files.includes('src/api/prompt.md'), 'an independent task went on and was merged');
  assert.ok(!files.some((f) => f.startsWith('src/catalog/') || f.startsWith('src/cart/') || f.startsWith('src/checkout/')));
  // The failed task's work is left in its worktree, uncommitted, untouched.
  assert.ok(existsSync(join(s.worktrees, 'catalog', 'src', 'catalog', 'prompt.md')));
  assert.match(git(join(s.worktrees, 'catalog'), 'status', '--porcelain'), /\?\? src\//);

  const again = runScript(s);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /schema: finished in an earlier run/);
  assert.match(again.out, /api: finished in an earlier run/);
  assert.match(again.out, /catalog: merged into the target branch/);
  assert.match(again.out, /checkout: committed on the target branch/);
  const after = filesOn(s.root, 'specdag/integration');
  for (const id of ['catalog', 'cart', 'checkout']) assert.ok(after.includes(`src/${id}/prompt.md`));
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
  assert.match(r.out, /one: merge conflict with specdag\/integration; specdag\/one and .* are kept as they are/);
  assert.match(r.out, /after: skipped/);
  assert.match(r.out, /join: skipped/);
  assert.equal(git(join(s.worktrees, 'integration'), 'status', '--porcelain'), '', 'the merge was aborted');
  assert.equal(git(s.root, 'show', 'specdag/integration:conflict.txt'), 'two\n');
  assert.equal(git(s.root, 'show', 'specdag/one:conflict.txt'), 'one\n', "the failed task's branch keeps its commit");
});

test("a task that fails on the target branch leaves its work there, and no later task takes it over", async () => {
  const s = await setup({ alpha: { phase: 'foundation' }, beta: { phase: 'foundation' }, after: { owns: ['src/after/**'] } });
  const r = runScript(s, { FAIL_TASK: 'alpha' });
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /alpha: the agent exited with status 3/);
  assert.match(r.out, /beta: .*integration has uncommitted changes/);
  assert.match(r.out, /after: skipped/);
  // alpha's leftovers are still there, uncommitted, and nothing was committed on the target branch.
  assert.ok(existsSync(join(s.worktrees, 'integration', 'src', 'alpha', 'prompt.md')));
  assert.equal(git(join(s.worktrees, 'integration'), 'status', '--porcelain'), '?? src/\n');
  assert.equal(git(s.root, 'rev-parse', 'specdag/integration'), git(s.root, 'rev-parse', 'main'));
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
