import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, cli } from '../helpers.js';
import { byId, makeRepo, type Repo } from './helpers.js';

/** Polls until `check` holds; a generous bound, so a hang fails the test instead of stalling the suite. */
async function waitFor(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

test('logs prints a finished task log whole, from any folder of the repository; an unknown task is exit 2 and names the tasks', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['b'] }, { id: 'z', phase: 'integration', deps: ['a', 'c'] }], {
    project: { agents: { stub: 'echo "said by $SPECDAG_TASK_ID"; sh "$AGENT_CTL/agent.sh"' } },
  });
  repo.control('b', 'exit', '3');
  const run = await repo.specdag(['run', 'specs']);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const state = repo.state();
  const tasks = byId(state);

  const a = await repo.specdag(['logs', 'a']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, readFileSync(tasks.a!.log, 'utf8'));
  assert.match(a.stdout, /^said by a$/m);
  const b = await repo.specdag(['logs', 'b', state.runId]);
  assert.equal(b.code, 0, b.stderr);
  assert.match(b.stdout, /^said by b$/m);

  // From the spec folder and from a task's worktree, through the binary; -f on a finished task prints it and ends.
  for (const cwd of [join(repo.root, 'specs'), join(repo.worktrees, 'a')]) {
    const r = cli(['logs', 'a', '-f'], { cwd, env: repo.env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(tasks.a!.log, 'utf8'));
  }

  // A task that never started has no log: said on stderr, not an error.
  const c = await repo.specdag(['logs', 'c']);
  assert.equal(c.code, 0);
  assert.equal(c.stdout, '');
  assert.match(c.stderr, /task 'c' has no log in run \S+: it is skipped \(depends on 'b'/);

  const unknown = await repo.specdag(['logs', 'nosuch']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stdout, '');
  assert.equal(unknown.stderr, `specdag: run ${state.runId} has no task 'nosuch'; its tasks are a, b, c, z\n`);
  const noRun = await repo.specdag(['logs', 'a', '20000101T000000000Z-000000']);
  assert.equal(noRun.code, 2);
  assert.match(noRun.stderr, /no run '20000101T000000000Z-000000'/);

  // A log of several MiB reaches a pipe whole.
  const line = `${'x'.repeat(99)}\n`;
  appendFileSync(tasks.a!.log, line.repeat(30_000));
  const big = cli(['logs', 'a'], { cwd: repo.root, env: repo.env });
  assert.equal(big.code, 0, big.stderr);
  assert.equal(big.stdout.length, readFileSync(tasks.a!.log, 'utf8').length);
  assert.ok(big.stdout.endsWith(line));
});

/** `specdag logs <id> -f` as a process of its own; resolves when it exits, with the task's state at that moment. */
function follow(repo: Repo, id: string): { out: () => string; running: () => boolean; done: Promise<{ code: number | null; status: string }> } {
  const child = spawn(process.execPath, [BIN, 'logs', id, '-f'], { cwd: repo.root, env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let exited = false;
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
  const done = new Promise<{ code: number | null; status: string }>((resolve) => {
    child.on('close', (code) => {
      exited = true;
      if (err) process.stderr.write(err);
      resolve({ code, status: byId(repo.state())[id]!.status });
    });
  });
  return { out: () => out, running: () => !exited, done };
}

test('logs -f follows a log while the agent writes it and ends when state.json says the task is over', { timeout: 120_000 }, async () => {
  const repo = makeRepo([{ id: 'slow' }, { id: 'next', deps: ['slow'] }], { project: { agents: { stub: 'sh "$AGENT_CTL/slow.sh"' } } });
  // A real agent that writes its log bit by bit: slow waits for a go file after its first line.
  writeFileSync(
    join(repo.ctl, 'slow.sh'),
    [
      'id="$SPECDAG_TASK_ID"',
      'echo "$id line 1"',
      'if [ "$id" = slow ]; then while [ ! -f "$AGENT_CTL/go" ]; do sleep 0.05; done; fi',
      'for i in 2 3 4 5; do sleep 0.1; echo "$id line $i"; done',
      'mkdir -p out; echo "$id" > "out/$id.txt"',
      '',
    ].join('\n'),
  );
  const run = repo.specdag(['run', 'specs']);
  const slowLog = () => {
    if (repo.runs().length === 0) return '';
    try {
      return readFileSync(byId(repo.state()).slow!.log, 'utf8');
    } catch {
      return '';
    }
  };
  await waitFor('slow to write its first line', () => slowLog().includes('slow line 1'));

  const slow = follow(repo, 'slow');
  // next waits for slow: its follower starts while it is pending.
  const next = follow(repo, 'next');
  await waitFor('the follower to print the first line', () => slow.out().includes('slow line 1'));
  assert.equal(byId(repo.state()).next!.status, 'pending');
  assert.doesNotMatch(slow.out(), /slow line 2/, 'slow is held until the go file');
  assert.ok(slow.running() && next.running(), 'both followers wait while their tasks go on');

  writeFileSync(join(repo.ctl, 'go'), '');
  const [s, n, r] = await Promise.all([slow.done, next.done, run]);
  assert.equal(r.code, 0, r.stdout + r.stderr);

  assert.equal(s.code, 0);
  assert.notEqual(s.status, 'running', 'the follower stopped only once the task was over');
  assert.match(slow.out(), /slow line 1\n[^]*slow line 2\n[^]*slow line 3\n[^]*slow line 4\n[^]*slow line 5\n/);
  assert.ok(slowLog().startsWith(slow.out()), 'what it printed is the log as written');

  assert.equal(n.code, 0);
  assert.ok(!['running', 'pending'].includes(n.status));
  assert.match(next.out(), /next line 1\n[^]*next line 5\n/);
});
