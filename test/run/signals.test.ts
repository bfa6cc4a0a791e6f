import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { groupAlive, processTable } from '../../src/run/process.js';
import { alive } from '../../src/run/state.js';
import { BIN } from '../helpers.js';
import { byId, clear, doneOnOwnBranch, makeRepo, type Repo } from './helpers.js';

/** Starts the built binary on the repository; resolves with its exit code and output. */
function spawnRun(repo: Repo, args: string[], env: NodeJS.ProcessEnv = repo.env) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repo.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The process group of a task's running agent, once the state records it. */
function agentGroup(repo: Repo, id: string): number | undefined {
  if (repo.runs().length === 0) return undefined;
  try {
    return byId(repo.state())[id]?.agentPid;
  } catch {
    return undefined; // between the write and the rename
  }
}

test('SIGINT in the middle stops the agents, keeps every worktree, and leaves a run that resumes to completion', async () => {
  const repo = makeRepo([{ id: 'quick' }, { id: 'slow' }, { id: 'after', deps: ['slow'] }, { id: 'z', phase: 'integration', deps: ['quick', 'after'] }]);
  const base = repo.git('rev-parse', 'main');
  repo.control('slow', 'sleep', '30');
  const run = spawnRun(repo, ['run', 'specs']);
  await until('slow to start and quick to merge', () => repo.events().includes('start slow') && agentGroup(repo, 'slow') !== undefined && byId(repo.state()).quick?.status === 'merged');
  const group = agentGroup(repo, 'slow')!;
  assert.ok(alive(-group));
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 130, r.stdout + r.stderr);
  assert.match(r.stdout, /SIGINT: stopping 1 agent; every worktree stays as it is/);
  assert.match(r.stdout, /stopped by SIGINT/);
  assert.match(r.stdout, /resume with: specdag run specs --resume /);
  await until('the agent group to be gone', () => !alive(-group), 5000);
  assert.ok(!repo.events().includes('end slow'), 'the agent was stopped, not left to finish');

  const state = repo.state();
  assert.equal(state.status, 'interrupted');
  const shown = (await repo.specdag(['status'])).stdout;
  assert.match(shown, /: interrupted \(continue it with specdag run specs --resume .*; 1 merged, 1 interrupted, 2 pending$/m);
  assert.match(shown, /^slow +interrupted /m);
  assert.equal(JSON.parse((await repo.specdag(['status', '--format', 'json'])).stdout).tasks.find((t: { id: string }) => t.id === 'slow').status, 'interrupted');
  const tasks = byId(state);
  assert.equal(tasks.quick!.status, 'merged');
  assert.equal(tasks.slow!.status, 'failed');
  assert.equal(tasks.slow!.failure, 'interrupted');
  assert.equal(tasks.slow!.interrupted, true);
  assert.equal(tasks.after!.status, 'pending');
  assert.equal(tasks.z!.status, 'pending');
  assert.ok(existsSync(join(repo.worktrees, 'slow', 'out', 'slow.txt')), "the stopped task's worktree is left as it was");

  clear(repo, 'slow', 'sleep');
  const resumed = await repo.specdag(['run', 'specs', '--resume', state.runId]);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const after = byId(repo.state());
  for (const id of ['quick', 'slow', 'after', 'z']) assert.equal(after[id]!.status, 'merged', id);
  assert.equal(after.quick!.attempts, 1);
  assert.equal(after.slow!.attempts, 2);
  assert.equal(repo.events().filter((e) => e === 'start quick').length, 1);
  assert.equal(repo.git('rev-parse', 'main'), base);
});

test('agents started by node itself (SPECDAG_NO_LAUNCHER=1, as where there is no setsid) are recorded, stopped and resumed the same way', async () => {
  const repo = makeRepo([{ id: 'quick' }, { id: 'slow' }], { project: { extra: ["verify: 'true'"] } });
  const parentOf = (pid: number) => processTable()?.find((p) => p.pid === pid)?.ppid;
  for (const launcher of [false, true]) {
    repo.control('slow', 'sleep', '30');
    const env = launcher ? repo.env : { ...repo.env, SPECDAG_NO_LAUNCHER: '1' };
    const run = spawnRun(repo, ['run', 'specs', ...(launcher ? ['--resume'] : [])], env);
    await until('slow to start', () => agentGroup(repo, 'slow') !== undefined && byId(repo.state()).slow!.status === 'running' && repo.events().filter((e) => e === 'start slow').length === (launcher ? 2 : 1));
    const group = agentGroup(repo, 'slow')!;
    // node's own child, or the launcher's (a subshell of its kept shell): which way it was started.
    assert.equal(parentOf(group) === run.child.pid, !launcher, `the agent's parent ${parentOf(group)}, specdag ${run.child.pid}`);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stdout + r.stderr);
    await until('the agent group to be gone', () => !groupAlive(group), 5000);
    assert.equal(byId(repo.state()).slow!.failure, 'interrupted');
  }
  clear(repo, 'slow', 'sleep');
  const resumed = await repo.specdag(['run', 'specs', '--resume'], { env: { ...repo.env, SPECDAG_NO_LAUNCHER: '1' } });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const tasks = byId(repo.state());
  for (const id of ['quick', 'slow']) assert.equal(tasks[id]!.status, 'merged', id);
  assert.deepEqual(tasks.slow!.checks?.map((c) => [c.kind, c.exitCode]), [['verify', 0], ['merge', 0]]);
});

test('a run killed with SIGKILL resumes from its state file once its orphaned agent is gone', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b', deps: ['a'] }]);
  repo.control('a', 'sleep', '2');
  const run = spawnRun(repo, ['run', 'specs']);
  await until('a to start', () => agentGroup(repo, 'a') !== undefined);
  const group = agentGroup(repo, 'a')!;
  run.child.kill('SIGKILL');
  await run.done;
  const state = repo.state();
  assert.equal(state.status, 'running');
  assert.equal(byId(state).a!.status, 'running');

  const status = await repo.specdag(['status']);
  assert.match(status.stdout, /: died \(pid \d+ is gone; continue it with specdag run specs --resume /);

  // The agent runs in its own process group and outlives specdag: resuming now would put two agents in one worktree.
  const early = await repo.specdag(['run', 'specs', '--resume']);
  if (alive(-group)) {
    assert.equal(early.code, 2);
    assert.match(early.stderr, /the agent of task 'a' from run .* is still running \(process group \d+\)/);
    await until('the orphaned agent to finish', () => !alive(-group), 10_000);
    clear(repo, 'a', 'sleep');
    const resumed = await repo.specdag(['run', 'specs', '--resume']);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  } else {
    assert.equal(early.code, 0, 'the agent was already gone: the resume simply ran');
  }
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.status, 'merged');
  assert.equal(tasks.b!.status, 'merged');
  assert.equal(tasks.a!.attempts, 2, 'the interrupted task ran again');
  assert.equal(readFileSync(join(repo.worktrees, 'a', 'out', 'a.txt'), 'utf8').split('\n')[0], 'a');
});

test('resume after a crash in the middle of its own merge aborts that merge and merges again', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  const r = await repo.specdag(['run', 'specs', '--only', 'a']);
  assert.equal(r.code, 0);
  // Recreate what a SIGKILL during `git merge` of b would leave: b done, a half-finished merge, state.merging = b.
  const state = repo.state();
  const wt = join(repo.worktrees, 'integration');
  const bWt = doneOnOwnBranch(repo, 'b');
  repo.git('-C', wt, 'merge', '--no-ff', '--no-commit', 'specdag/b');
  assert.ok(existsSync(join(repo.root, '.git', 'worktrees', 'integration', 'MERGE_HEAD')));
  const edited = { ...state, status: 'running', merging: 'b', only: ['a', 'b'] };
  edited.tasks = [
    ...state.tasks,
    { ...state.tasks[0]!, id: 'b', title: 'Task b', status: 'done', branch: 'specdag/b', worktree: bWt, log: state.tasks[0]!.log.replace('a.log', 'b.log'), commit: repo.git('rev-parse', 'specdag/b') },
  ];
  writeFileSync(join(repo.root, '.specdag', 'runs', state.runId, 'state.json'), JSON.stringify(edited));
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const tasks = byId(repo.state());
  assert.equal(tasks.b!.status, 'merged');
  assert.ok(!repo.events().includes('start b'), 'a done task is only merged, not run again');
  assert.equal(repo.git('-C', wt, 'status', '--porcelain'), '');
});

/** An agent that traps TERM, INT and HUP: it notes which one it got, then exits (or, with `ignore`, holds out). */
function trappingAgent(repo: Repo, id: string, how: 'exit' | 'ignore'): void {
  const snippet =
    how === 'exit'
      ? `for sig in TERM INT HUP; do trap "echo \$sig >> '${repo.ctl}/${id}.trapped'; exit 0" \$sig; done\ntouch '${repo.ctl}/${id}.ready'\nsleep 60 &\nwait\n`
      : `trap '' TERM INT HUP\ntouch '${repo.ctl}/${id}.ready'\nsleep 60\n`;
  repo.control(id, 'run', snippet);
}

test('SIGHUP: every agent gets SIGTERM (one that traps it cleans up and exits); run exits 129 once nothing it started is alive', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['a'] }]);
  trappingAgent(repo, 'a', 'exit');
  trappingAgent(repo, 'b', 'exit');
  const run = spawnRun(repo, ['run', 'specs']);
  await until('both agents to set their traps', () => existsSync(join(repo.ctl, 'a.ready')) && existsSync(join(repo.ctl, 'b.ready')) && agentGroup(repo, 'b') !== undefined && agentGroup(repo, 'a') !== undefined);
  const groups = [agentGroup(repo, 'a')!, agentGroup(repo, 'b')!];
  run.child.kill('SIGHUP');
  const r = await run.done;
  assert.equal(r.code, 129, r.stdout + r.stderr);
  for (const g of groups) assert.ok(!groupAlive(g), `process group ${g} is gone when run exits`);
  for (const id of ['a', 'b']) assert.equal(readFileSync(join(repo.ctl, `${id}.trapped`), 'utf8'), 'TERM\n', `${id}'s agent was sent SIGTERM`);
  const tasks = byId(repo.state());
  for (const id of ['a', 'b']) {
    assert.equal(tasks[id]!.status, 'failed');
    assert.equal(tasks[id]!.failure, 'interrupted');
  }
  assert.equal(tasks.c!.status, 'pending', 'a dependent of a stopped task is not skipped: a resume runs it');
  assert.match(r.stdout, /stopped by SIGHUP.*2 interrupted, 1 pending/);
});

test('SIGTERM: an agent that ignores it is killed after the grace period, and run exits 143 only then', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  trappingAgent(repo, 'a', 'ignore');
  const run = spawnRun(repo, ['run', 'specs']);
  await until('the agent to ignore its signals', () => existsSync(join(repo.ctl, 'a.ready')) && agentGroup(repo, 'a') !== undefined);
  const group = agentGroup(repo, 'a')!;
  run.child.kill('SIGTERM');
  await sleep(1000);
  assert.ok(groupAlive(group), 'the agent holds out through SIGTERM');
  assert.equal(run.child.exitCode, null, 'and run waits for it');
  const r = await run.done;
  assert.equal(r.code, 143, r.stdout + r.stderr);
  assert.ok(!groupAlive(group), 'killed (SIGKILL) before run exited');
  assert.equal(byId(repo.state()).a!.failure, 'interrupted');
  assert.match(readFileSync(byId(repo.state()).a!.log, 'utf8'), /stopped, signal SIGTERM; what was left of its process group was killed \(SIGKILL\)/);
  assert.ok(!repo.events().includes('end a'));
});

test('a second Ctrl-C kills the agents at once', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  trappingAgent(repo, 'a', 'ignore');
  trappingAgent(repo, 'b', 'ignore');
  const run = spawnRun(repo, ['run', 'specs']);
  await until('the agents to ignore their signals', () => existsSync(join(repo.ctl, 'a.ready')) && existsSync(join(repo.ctl, 'b.ready')) && agentGroup(repo, 'b') !== undefined && agentGroup(repo, 'a') !== undefined);
  const groups = [agentGroup(repo, 'a')!, agentGroup(repo, 'b')!];
  run.child.kill('SIGINT');
  await sleep(300);
  assert.ok(groups.every((g) => groupAlive(g)), 'the first Ctrl-C leaves them their grace period');
  const t0 = Date.now();
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 130, r.stdout + r.stderr);
  // The grace period is 10 s: well before it, the second Ctrl-C has killed them.
  assert.ok(Date.now() - t0 < 8000, 'killed at once, not after the grace period');
  for (const g of groups) assert.ok(!groupAlive(g));
  assert.match(r.stdout, /SIGINT: stopping 2 agents; every worktree stays as it is \(press Ctrl-C again to kill them at once\)/);
});

test("an agent's group is sent SIGTERM once: the agent's shell dying first does not send it again to what it left running", async () => {
  const repo = makeRepo([{ id: 'a' }]);
  // The agent's shell has no trap and dies at SIGTERM; a helper it started counts every SIGTERM and takes half a second to go.
  const counter = `let n = 0; process.on('SIGTERM', () => { require('fs').appendFileSync(process.argv[1], 'TERM\\n'); if (++n === 1) setTimeout(() => process.exit(0), 500); }); require('fs').writeFileSync(process.argv[2], ''); setInterval(() => {}, 1000);`;
  repo.control('a', 'run', `'${process.execPath}' -e "${counter}" '${repo.ctl}/a.trapped' '${repo.ctl}/a.ready' &\nwait\n`);
  const run = spawnRun(repo, ['run', 'specs']);
  await until('the helper to listen', () => existsSync(join(repo.ctl, 'a.ready')) && agentGroup(repo, 'a') !== undefined);
  run.child.kill('SIGTERM');
  const r = await run.done;
  assert.equal(r.code, 143, r.stdout + r.stderr);
  assert.equal(readFileSync(join(repo.ctl, 'a.trapped'), 'utf8'), 'TERM\n', 'one SIGTERM, then the grace period');
});
