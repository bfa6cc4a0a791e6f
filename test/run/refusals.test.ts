import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { byId, GIT_ENV, makeRepo, specFile, type Repo } from './helpers.js';
import { tempDir } from '../helpers.js';

/** Everything a run could create or move: refs, worktrees, the working tree, the folders beside it. */
function snapshot(repo: Repo): string {
  return [
    repo.git('for-each-ref', '--format=%(refname) %(objectname)'),
    repo.git('worktree', 'list', '--porcelain'),
    repo.git('status', '--porcelain', '--ignored'),
    readdirSync(dirname(repo.root)).sort().join(' '),
  ].join('\n');
}

async function refused(repo: Repo, args: string[], message: RegExp, code = 2, env?: NodeJS.ProcessEnv): Promise<void> {
  const before = snapshot(repo);
  const events = repo.events().length;
  const r = await repo.specdag(args, env ? { env } : {});
  assert.equal(r.code, code, r.stdout + r.stderr);
  assert.match(r.stderr, message);
  assert.equal(r.stdout, '');
  assert.equal(snapshot(repo), before, 'a refusal creates nothing');
  assert.equal(repo.events().length, events, 'no agent ran');
}

const TWO = [{ id: 'a' }, { id: 'b', deps: ['a'] }];

test('refuses outside a git repository', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'specs'));
  writeFileSync(join(dir, 'specs', 'a.md'), specFile({ id: 'a' }));
  let stderr = '';
  const code = await main(['run', 'specs'], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, cwd: dir, env: { ...process.env, ...GIT_ENV, GIT_CEILING_DIRECTORIES: dirname(dir) } });
  assert.equal(code, 2);
  assert.match(stderr, /^specdag: the spec folder is not inside a git repository; run 'git init'/);
  assert.deepEqual(readdirSync(dir), ['specs']);
});

test('refuses uncommitted changes to tracked files, but not untracked files', async () => {
  const repo = makeRepo(TWO);
  writeFileSync(join(repo.root, 'notes.txt'), 'untracked\n');
  const dry = await repo.specdag(['run', 'specs', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  writeFileSync(join(repo.root, 'README.md'), '# changed\n');
  await refused(repo, ['run', 'specs'], /has uncommitted changes to 1 tracked file \(README\.md\); commit or stash them first/);
});

test('refuses a missing base branch', async () => {
  const repo = makeRepo(TWO, { project: { extra: [] } });
  repo.git('branch', '-m', 'main', 'trunk');
  await refused(repo, ['run', 'specs'], /base_branch 'main' \(PROJECT\.md\) is not a branch of this repository; create it, or set base_branch/);
});

test('refuses a worktree_dir inside the repository', async () => {
  const repo = makeRepo(TWO, { project: { extra: ['worktree_dir: build/worktrees'] } });
  await refused(repo, ['run', 'specs'], /worktree_dir 'build\/worktrees' resolves to .*, inside the repository; set worktree_dir in PROJECT\.md to a folder outside it/);
});

test('refuses unknown agents and missing agent commands', async () => {
  const repo = makeRepo(TWO);
  await refused(repo, ['run', 'specs', '--agent', 'nope'], /--agent 'nope' is not an agent of this project \(PROJECT\.md defines 'stub'\)/);

  const named = makeRepo([{ id: 'a', agent: 'codex' }]);
  await refused(named, ['run', 'specs'], /task 'a' asks for agent 'codex', which PROJECT\.md does not define/);

  const none = makeRepo(TWO, { project: { agents: {}, defaultAgent: null } });
  await refused(none, ['run', 'specs'], /there is no agent command to run: add an 'agents:' map/);

  const noDefault = makeRepo(TWO, { project: { agents: { x: 'sh -c true', y: 'sh -c true' }, defaultAgent: null } });
  await refused(noDefault, ['run', 'specs'], /tasks 'a', 'b' name no agent and PROJECT\.md has no default_agent; set 'default_agent:'/);

  const missing = makeRepo(TWO, { project: { agents: { ghost: 'specdag-no-such-agent --print' } } });
  await refused(missing, ['run', 'specs'], /the agent command's program 'specdag-no-such-agent' \(from 'specdag-no-such-agent --print'\) is not on PATH/);
});

test('refuses when the target branch is checked out elsewhere, or is the base branch', async () => {
  const repo = makeRepo(TWO);
  repo.git('checkout', '--quiet', '-b', 'specdag/integration');
  await refused(repo, ['run', 'specs'], /the target branch 'specdag\/integration' is checked out in .*; switch that worktree to another branch/);

  const same = makeRepo(TWO, { project: { base: 'integration', extra: ["branch_prefix: ''"] } });
  same.git('branch', '-m', 'main', 'integration');
  await refused(same, ['run', 'specs'], /the target branch 'integration' \(branch_prefix \+ 'integration'\) is the base branch, which specdag never writes/);
});

test('refuses when git has no identity to commit with', async () => {
  const repo = makeRepo(TWO);
  repo.git('config', 'user.useConfigOnly', 'true');
  const env = { ...repo.env };
  for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete env[key];
  await refused(repo, ['run', 'specs'], /git has no identity to commit with; set one \(git config user\.name/, 2, env);
});

test('refuses to start a run on tasks another live run is working on', async () => {
  const repo = makeRepo(TWO);
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  const other = spawn('sleep', ['10'], { stdio: 'ignore' });
  try {
    const state = repo.state();
    const path = join(repo.root, '.specdag', 'runs', state.runId, 'state.json');
    writeFileSync(path, JSON.stringify({ ...state, status: 'running', pid: other.pid, tasks: state.tasks.map((t) => ({ ...t, status: 'running' })) }));
    await refused(repo, ['run', 'specs', '--only', 'a'], /run .* \(pid \d+\) is still working on 'a'; wait for it, or stop it/);
    await refused(repo, ['run', 'specs', '--resume'], /run .* is still in progress \(pid \d+\); wait for it/);
  } finally {
    other.kill();
  }
});

test('refuses a target worktree folder that is not a worktree, and a merge someone left half done there', async () => {
  const repo = makeRepo(TWO);
  mkdirSync(join(repo.worktrees, 'integration'), { recursive: true });
  await refused(repo, ['run', 'specs'], /repo\.worktrees\/integration exists and is not a worktree of 'specdag\/integration'; move it away/);
  rmSync(repo.worktrees, { recursive: true });

  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  // Someone merges a side branch by hand in the target worktree and leaves it uncommitted.
  const side = join(repo.worktrees, 'side');
  repo.git('worktree', 'add', '--quiet', '-b', 'side', side, 'main');
  writeFileSync(join(side, 'side.txt'), 'side\n');
  repo.git('-C', side, 'add', '-A');
  repo.git('-C', side, 'commit', '--quiet', '-m', 'side');
  repo.git('-C', join(repo.worktrees, 'integration'), 'merge', '--no-ff', '--no-commit', 'side');
  await refused(repo, ['run', 'specs', '--only', 'b'], /a merge is in progress in .*integration; finish it \(git commit\) or abort it \(git merge --abort\) there, then run again/);
});

test('lint errors exit 1 before anything else', async () => {
  const repo = makeRepo([{ id: 'a', deps: ['missing'] }]);
  await refused(repo, ['run', 'specs'], /unknown-dependency[\s\S]*specdag: 1 error in 'specs'/, 1);
});

test('--dry-run prints the branches, worktrees, commands and order, and creates nothing', async () => {
  const repo = makeRepo([{ id: 'f', phase: 'foundation' }, { id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'z', phase: 'integration', deps: ['b'] }, { id: 'old', status: 'done' }]);
  const before = snapshot(repo);
  const r = await repo.specdag(['run', 'specs', '--dry-run', '--max-parallel', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(snapshot(repo), before);
  assert.ok(!existsSync(join(repo.root, '.specdag')));
  assert.ok(!existsSync(repo.worktrees));
  assert.equal(repo.events().length, 0);
  const out = r.stdout;
  assert.match(out, /^specdag run --dry-run: nothing is created and nothing is run\.$/m);
  assert.match(out, /^target branch +specdag\/integration: would be created from main$/m);
  assert.match(out, /^target worktree +.*repo\.worktrees\/integration: would be added/m);
  assert.match(out, /up to 3 at once/);
  assert.match(out, /^1\. foundation f, wave 0$/m);
  assert.match(out, /^ +create +branch specdag\/f from the tip of specdag\/integration, worktree .*repo\.worktrees\/f$/m);
  assert.match(out, /^ +then +commit what it leaves on specdag\/f; git merge --no-ff specdag\/f into specdag\/integration$/m);
  assert.match(out, /^2\. parallel a after the foundation, wave 1$/m);
  assert.match(out, /^ +create +branch specdag\/a from the tip of specdag\/integration, worktree .*repo\.worktrees\/a$/m);
  assert.match(out, /^ +run +agent stub: sh "\$AGENT_CTL\/agent\.sh"$/m);
  assert.match(out, /^ +then +commit what it leaves on specdag\/b; git merge --no-ff specdag\/b into specdag\/integration$/m);
  assert.match(out, /^4\. integration z after b, wave 3$/m);
  assert.match(out, /^ +create +branch specdag\/z from the tip of specdag\/integration, worktree .*repo\.worktrees\/z$/m);
  assert.match(out, /^not run: old \(status: done in its spec\)$/m);
});

test('--only runs the named tasks once their dependencies are merged, and refuses before', async () => {
  const repo = makeRepo([{ id: 'f', phase: 'foundation' }, { id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'c' }]);
  await refused(repo, ['run', 'specs', '--only', 'b'], /--only b needs 'f', 'a' merged into 'specdag\/integration' first, and they are not; add them to --only, or run them first/);
  await refused(repo, ['run', 'specs', '--only', 'nope'], /--only names 'nope', which no spec in 'specs' has/);

  const first = await repo.specdag(['run', 'specs', '--only', 'f,a']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.deepEqual(repo.state().tasks.map((t) => t.id), ['f', 'a']);
  const second = await repo.specdag(['run', 'specs', '--only', 'b']);
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual(Object.keys(byId(repo.state())), ['b']);
  assert.equal(repo.runs().length, 2);
  assert.deepEqual(repo.events().filter((e) => e.startsWith('start')), ['start f', 'start a', 'start b']);
  assert.match(repo.git('show', 'specdag/integration:out/b.txt'), /a\.txt/);
});

test('status: the last run by default, a named one, and a sentence when there is none', async () => {
  const repo = makeRepo(TWO);
  const none = await repo.specdag(['status']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no run in .*\.specdag\/runs yet; start one with 'specdag run'/);

  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'b'])).code, 0);
  const [first, second] = repo.runs();
  const last = JSON.parse((await repo.specdag(['status', '--format', 'json'])).stdout);
  assert.equal(last.runId, second);
  assert.deepEqual(last.tasks.map((t: { id: string }) => t.id), ['b']);
  const named = JSON.parse((await repo.specdag(['status', first!, '--format', 'json'])).stdout);
  assert.deepEqual(named.tasks.map((t: { id: string }) => t.id), ['a']);
  const unknown = await repo.specdag(['status', '20000101T000000000Z-000000']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no run '20000101T000000000Z-000000'.*the latest is/);
  const badResume = await repo.specdag(['run', 'specs', '--resume', 'nope']);
  assert.equal(badResume.code, 2);
  assert.match(badResume.stderr, /no run 'nope' in /);
  const swapped = await repo.specdag(['run', '--resume', 'specs']);
  assert.equal(swapped.code, 2);
  assert.match(swapped.stderr, /--resume took 'specs' as a run id, but it is a folder; put the folder first: specdag run specs --resume/);

  rmSync(join(repo.root, '.git'), { recursive: true, force: true });
  const outside = await repo.specdag(['status']);
  assert.equal(outside.code, 2);
});

test('--dry-run on a machine without the agent program warns instead of refusing, and still creates nothing', async () => {
  const repo = makeRepo(TWO, { project: { agents: { ghost: 'specdag-no-such-agent --print' } } });
  const before = snapshot(repo);
  const r = await repo.specdag(['run', 'specs', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: the agent command's program 'specdag-no-such-agent' .* is not on PATH.*\(a real run stops here\)/);
  assert.match(r.stdout, /nothing is created and nothing is run/);
  assert.equal(snapshot(repo), before);
  assert.equal(repo.events().length, 0);
});

test('refuses (and --dry-run warns about) a spec, PROJECT.md or a file a command names that is not committed', async () => {
  const repo = makeRepo(TWO, { project: { agents: { stub: 'sh scripts/agent.sh' } }, files: { 'scripts/agent.sh': 'exit 0\n', 'tools/check.sh': 'exit 0\n' } });
  const dryWarns = async (message: RegExp) => {
    const dry = await repo.specdag(['run', 'specs', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, message);
    assert.match(dry.stderr, /\(a real run stops here\)/);
  };

  writeFileSync(join(repo.root, 'specs', 'c.md'), specFile({ id: 'c' }));
  const untracked = /^specdag: specs\/c\.md is not committed \(untracked\), and each task's worktree holds only committed files; commit it \(git add specs\/c\.md && git commit\) and run again$/m;
  await refused(repo, ['run', 'specs'], untracked);
  await dryWarns(/specs\/c\.md is not committed \(untracked\)/);
  rmSync(join(repo.root, 'specs', 'c.md'));

  writeFileSync(join(repo.root, 'specs', 'PROJECT.md'), readFileSync(join(repo.root, 'specs', 'PROJECT.md'), 'utf8').replace('max_parallel: 4', 'max_parallel: 3'));
  await refused(repo, ['run', 'specs'], /^specdag: specs\/PROJECT\.md has uncommitted changes, and each task's worktree holds only committed files/m);
  repo.git('checkout', '--', 'specs/PROJECT.md');

  writeFileSync(join(repo.root, 'scripts', 'agent.sh'), 'echo changed\n');
  await refused(repo, ['run', 'specs'], /^specdag: scripts\/agent\.sh, which the command 'sh scripts\/agent\.sh' names, has uncommitted changes, and each task's worktree holds only committed files; commit it/m);
  await dryWarns(/scripts\/agent\.sh, which the command 'sh scripts\/agent\.sh' names, has uncommitted changes/);
  repo.git('checkout', '--', 'scripts/agent.sh');

  // setup and verify commands count too, quoted words and flag values included.
  const project = readFileSync(join(repo.root, 'specs', 'PROJECT.md'), 'utf8').replace('max_parallel: 4', "max_parallel: 4\nverify: sh -e './tools/new-check.sh' --strict");
  writeFileSync(join(repo.root, 'specs', 'PROJECT.md'), project);
  repo.git('commit', '--quiet', '-am', 'verify with a new check');
  writeFileSync(join(repo.root, 'tools', 'new-check.sh'), 'exit 0\n');
  await refused(repo, ['run', 'specs'], /^specdag: tools\/new-check\.sh, which the command 'sh -e '\.\/tools\/new-check\.sh' --strict' names, is not committed \(untracked\)/m);
  repo.git('add', 'tools/new-check.sh');
  repo.git('commit', '--quiet', '-m', 'the check');

  // A file nobody names may be untracked: the run goes on.
  writeFileSync(join(repo.root, 'notes.txt'), 'mine\n');
  const dry = await repo.specdag(['run', 'specs', '--dry-run']);
  assert.equal(dry.stderr, '');
});

test('refuses a target worktree with uncommitted changes; --dry-run warns', async () => {
  const repo = makeRepo(TWO);
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  const wt = join(repo.worktrees, 'integration');
  writeFileSync(join(wt, 'mine.txt'), 'a note of mine\n');
  const message = /^specdag: the target worktree .*repo\.worktrees\/integration has uncommitted changes \(mine\.txt\), which specdag's merges there would mix with its work; commit them on 'specdag\/integration' or move them away, and run again$/m;
  await refused(repo, ['run', 'specs', '--only', 'b'], message);
  const dry = await repo.specdag(['run', 'specs', '--only', 'b', '--dry-run']);
  assert.equal(dry.code, 0);
  assert.match(dry.stderr, /warning: the target worktree .* has uncommitted changes \(mine\.txt\).*\(a real run stops here\)/);
  rmSync(join(wt, 'mine.txt'));
  writeFileSync(join(wt, 'README.md'), '# edited in the target worktree\n');
  await refused(repo, ['run', 'specs', '--only', 'b'], /has uncommitted changes \(README\.md\)/);
  assert.equal(readFileSync(join(wt, 'README.md'), 'utf8'), '# edited in the target worktree\n', 'left as it was');
});

test('run --resume and status work from any folder of the repository, and from its worktrees', async () => {
  const repo = makeRepo(TWO, { files: { 'src/deep/x.txt': 'x\n' } });
  repo.control('b', 'exit', '1');
  assert.equal((await repo.specdag(['run', 'specs'])).code, 1);
  const runId = repo.state().runId;
  const from = async (cwd: string, args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd, env: repo.env });
    return { code, stdout, stderr };
  };
  for (const cwd of [join(repo.root, 'src', 'deep'), join(repo.worktrees, 'a'), join(repo.worktrees, 'integration')]) {
    const status = await from(cwd, ['status', '--format', 'json']);
    assert.equal(status.code, 0, `${cwd}: ${status.stderr}`);
    assert.equal(JSON.parse(status.stdout).runId, runId);
  }
  repo.control('b', 'exit', '0');
  const resumed = await from(join(repo.root, 'src', 'deep'), ['run', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.deepEqual(repo.runs(), [runId]);
  assert.equal(byId(repo.state()).b!.status, 'merged');
});
