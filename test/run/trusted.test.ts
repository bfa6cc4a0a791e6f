import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { groupAlive } from '../../src/run/process.js';
import { BIN } from '../helpers.js';
import { byId, clear, makeRepo, type Repo, type TaskDef } from './helpers.js';

/** The check of the route example: no route name may be registered twice (each task registers one in its own file). */
const ROUTE_CHECK = `#!/bin/sh
# Two files registering the same route break the app, though each file is fine alone.
dups=$(cat routes/*.txt 2>/dev/null | sort | uniq -d)
if [ -n "$dups" ]; then echo "duplicate route: $dups"; exit 1; fi
echo "routes ok"
`;

/** An agent snippet: register a route; once told the check failed, pick a name of its own. */
const ROUTE_AGENT = `mkdir -p routes
if grep -q '^## The check failed' "$SPECDAG_PROMPT_FILE"; then echo "/$id" > "routes/$id.txt"; else echo "/shared" > "routes/$id.txt"; fi
`;

/** Holds an agent until task \`id\`'s branch is merged into the target: which merge comes second is decided, not raced. */
const after = (id: string) => `while ! git log --first-parent --format=%s specdag/integration | grep -q '^Merge specdag/${id}:'; do sleep 0.1; done\n`;

function routeRepo(tasks: TaskDef[], retries = 1): Repo {
  const repo = makeRepo(
    tasks.map((t) => ({ owns: [`out/${t.id}.txt`, `routes/${t.id}.txt`], ...t })),
    { project: { extra: ['verify: sh check.sh', `retries: ${retries}`] }, files: { 'check.sh': ROUTE_CHECK } },
  );
  for (const t of tasks) repo.control(t.id, 'run', ROUTE_AGENT);
  return repo;
}

/** Runs the check on every commit the target branch has pointed to (its reflog). */
function checkEveryTip(repo: Repo): string[] {
  const tips = [...new Set(repo.git('reflog', 'show', '--format=%H', 'specdag/integration').split('\n').filter(Boolean))];
  for (const sha of tips) {
    const dir = join(repo.ctl, `tip-${sha.slice(0, 10)}`);
    repo.git('worktree', 'add', '--quiet', '--detach', dir, sha);
    const r = spawnSync('sh', ['check.sh'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, `the target pointed at ${sha}, which fails the check: ${r.stdout}`);
    repo.git('worktree', 'remove', dir);
  }
  return tips;
}

test('two tasks that pass alone and break each other: the second merge is refused, its agent gets the failure and fixes it; every tip passed', async () => {
  const repo = routeRepo([{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['a', 'b'] }]);
  repo.control('b', 'run', `if [ ! -f "$AGENT_CTL/b.waited" ]; then touch "$AGENT_CTL/b.waited"; ${after('a')}fi\n${ROUTE_AGENT}`);
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const tasks = byId(repo.state());
  for (const id of ['a', 'b', 'c']) assert.equal(tasks[id]!.status, 'merged', id);
  // b merged second: it passed its check alone, failed merged, and was started again.
  assert.equal(tasks.a!.attempts, 1);
  assert.equal(tasks.b!.attempts, 2);
  assert.match(r.stdout, /^checking the merge of b: sh check\.sh$/m);
  assert.match(r.stdout, /^check failed b: merged into the target, 'sh check\.sh' exited 1 \(log: .*b\.merge-check-\d+\.log\); its agent is started again with the output \(1 attempt left\)$/m);
  const prompt = readFileSync(join(repo.ctl, 'b.stdin'), 'utf8');
  assert.match(prompt, /## The check failed\n\nThe check `sh check\.sh` exited with code 1, run on your work merged into `specdag\/integration`/);
  assert.match(prompt, /duplicate route: \/shared/);
  assert.match(prompt, /## The check\n\nWhen you stop, `sh check\.sh` is run in your worktree and must exit 0/, 'the prompt names the check');
  assert.deepEqual(
    tasks.b!.checks!.map((c) => `${c.kind} ${c.exitCode}`),
    ['verify 0', 'merge 1', 'verify 0', 'merge 0'],
  );
  const failedMerge = tasks.b!.checks![1]!;
  assert.match(failedMerge.where, /repo\.worktrees\/\.merge-check$/);
  assert.match(readFileSync(failedMerge.log, 'utf8'), /duplicate route: \/shared/);
  // The failed merge never reached the target.
  const log = repo.git('log', '--first-parent', '--format=%s', 'main..specdag/integration').split('\n');
  assert.deepEqual(log, ['Merge specdag/c: Task c', 'Merge specdag/b: Task b', 'Merge specdag/a: Task a']);
  const tips = checkEveryTip(repo);
  assert.equal(tips.length, 4, 'created from main, then one fast-forward per task');
  assert.equal(repo.git('show', 'specdag/integration:routes/b.txt'), '/b');

  const status = JSON.parse((await repo.specdag(['status', '--format', 'json'])).stdout);
  const b = status.tasks.find((t: { id: string }) => t.id === 'b');
  assert.equal(b.checks.length, 4);
  assert.equal(b.checks[1].kind, 'merge');
  assert.equal(b.checks[1].exitCode, 1);
});

test('with no attempts left, a merge that fails its check fails the task (merge-verify); the target never moves to it', async () => {
  const repo = routeRepo([{ id: 'a' }, { id: 'b' }, { id: 'after', deps: ['b'] }], 0);
  repo.control('after', 'run', '# registers no route\n');
  repo.control('b', 'run', `if [ ! -f "$AGENT_CTL/b.waited" ]; then touch "$AGENT_CTL/b.waited"; ${after('a')}fi\n${ROUTE_AGENT}`);
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.status, 'merged');
  assert.equal(tasks.b!.status, 'failed');
  assert.equal(tasks.b!.failure, 'merge-verify');
  assert.match(tasks.b!.reason!, /^it passes its check alone, but merged into 'specdag\/integration' the check 'sh check\.sh' exited with code 1 \(log: .*\); the merge was dropped and 'specdag\/integration' did not move$/);
  assert.equal(tasks.after!.status, 'skipped');
  checkEveryTip(repo);
  const text = (await repo.specdag(['status'])).stdout;
  assert.match(text, /^b +failed /m);
  assert.match(text, /^  merge-verify: it passes its check alone/m);
  assert.match(text, /^  check merge 'sh check\.sh': exit 1, /m);

  // --resume: the merge is tried again first; it still fails, so b's branch gets the target merged in and its agent runs again.
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(byId(repo.state()).b!.status, 'merged');
  assert.equal(byId(repo.state()).after!.status, 'merged');
  checkEveryTip(repo);
});

test('a check that fails once then passes: the agent is started again with the output, and the task merges', async () => {
  const flaky = `n=$(cat "$AGENT_CTL/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$AGENT_CTL/count"; echo "run $n"; for i in $(seq 1 250); do echo "line $i"; done; [ $n -ge 2 ] || exit 4`;
  const repo = makeRepo([{ id: 'a', verify: flaky }], { project: { extra: ['retries: 1'] } });
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const a = byId(repo.state()).a!;
  assert.equal(a.status, 'merged');
  assert.equal(a.attempts, 2);
  assert.deepEqual(a.checks!.map((c) => `${c.kind} ${c.exitCode}`), ['verify 4', 'verify 0']);
  assert.match(r.stdout, /^check failed a: its check '.*' exited 4 \(log: .*\); its agent is started again with the output \(1 attempt left\)$/m);
  const prompt = readFileSync(join(repo.ctl, 'a.stdin'), 'utf8');
  const section = prompt.slice(prompt.indexOf('## The check failed'));
  assert.match(section, /exited with code 4, run in your worktree/);
  assert.match(section, /The last 200 lines of its output:/);
  // 252 lines of output ("run 1", 250 numbered, none else): the last 200 are lines 51 to 250.
  assert.ok(section.includes('line 51\n') && section.includes('line 250\n'));
  assert.ok(!section.includes('line 50\n') && !section.includes('run 1\n'));
  assert.match(readFileSync(a.log, 'utf8'), /line 250/, "the check's output is in the task's log too");
});

test('a check that always fails: the task fails (verify) after its attempts, its branch and worktree are kept, its dependents skipped; --resume after a fix needs no agent', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'c' }], {
    project: { extra: ['verify: sh check.sh', 'retries: 1'] },
    files: { 'check.sh': 'test -f FIXED || { echo "broken on purpose"; exit 3; }\n' },
  });
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout);
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.status, 'failed');
  assert.equal(tasks.a!.failure, 'verify');
  assert.equal(tasks.a!.attempts, 2);
  assert.match(tasks.a!.reason!, /^its check 'sh check\.sh' exited with code 3 in its worktree after 2 attempts \(log: .*a\.check-2\.log\)$/);
  assert.match(r.stdout, /^failed a \(verify\), log: .*a\.log\n  its check 'sh check\.sh' exited with code 3/m);
  assert.equal(tasks.b!.status, 'skipped');
  assert.equal(tasks.c!.status, 'failed', 'c fails its check the same way');
  assert.equal(repo.git('rev-parse', 'specdag/integration'), repo.git('rev-parse', 'main'), 'nothing reached the target');
  assert.ok(existsSync(join(repo.worktrees, 'a', 'out', 'a.txt')), 'the worktree is kept');
  assert.match(repo.git('log', '-1', '--format=%s', 'specdag/a'), /^a: Task a$/, 'its work is committed on its branch');

  // The user fixes the work on both failed branches; the resume judges what is there before starting any agent.
  for (const id of ['a', 'c']) {
    const wt = join(repo.worktrees, id);
    writeFileSync(join(wt, 'FIXED'), 'by hand\n');
    repo.git('-C', wt, 'add', 'FIXED');
    repo.git('-C', wt, 'commit', '--quiet', '-m', 'fixed by hand');
  }
  const before = repo.events().filter((e) => e.startsWith('start')).length;
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const after = byId(repo.state());
  for (const id of ['a', 'b', 'c']) assert.equal(after[id]!.status, 'merged', id);
  assert.deepEqual(repo.events().filter((e) => e.startsWith('start')).slice(before), ['start b'], 'a and c merged without their agents');
});

test('an agent that changes nothing fails (no-changes) unless its spec allows it; --resume runs it again', async () => {
  const repo = makeRepo([{ id: 'idle' }, { id: 'fine', allowEmpty: true }, { id: 'next', deps: ['idle'] }]);
  repo.control('idle', 'noop');
  repo.control('fine', 'noop');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout);
  const tasks = byId(repo.state());
  assert.equal(tasks.idle!.status, 'failed');
  assert.equal(tasks.idle!.failure, 'no-changes');
  assert.equal(tasks.idle!.exitCode, 0);
  assert.match(tasks.idle!.reason!, /its agent exited 0 but changed nothing .*set 'allow_empty: true' in its spec/);
  assert.match(r.stdout, /^failed idle \(no-changes\), log: /m);
  assert.doesNotMatch(r.stdout, /failed idle \(exit 0\)/);
  assert.equal(tasks.next!.status, 'skipped');
  assert.equal(tasks.fine!.status, 'merged', 'allow_empty: true');

  clear(repo, 'idle', 'noop');
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout);
  assert.equal(byId(repo.state()).idle!.attempts, 2);
  assert.equal(byId(repo.state()).next!.status, 'merged');
});

test('outside_owns: fail fails a task that changed a file outside its owns; warn reports it; --resume tells the agent to undo it', async () => {
  const fail = makeRepo([{ id: 'a' }, { id: 'b', deps: ['a'] }], { project: { extra: ['outside_owns: fail'] } });
  fail.control('a', 'stray');
  const r = await fail.specdag(['run', 'specs']);
  assert.equal(r.code, 1);
  const a = byId(fail.state()).a!;
  assert.equal(a.status, 'failed');
  assert.equal(a.failure, 'outside-owns');
  assert.equal(a.reason, 'it changed 1 file outside its owns: stray-a.txt (outside_owns: fail)');
  assert.deepEqual(a.outsideOwns, ['stray-a.txt']);
  assert.equal(byId(fail.state()).b!.status, 'skipped');
  assert.doesNotMatch(r.stdout, /^warning a changed/m);

  clear(fail, 'a', 'stray');
  fail.control('a', 'run', 'if grep -q "^## Files outside your owns" "$SPECDAG_PROMPT_FILE"; then git rm --quiet stray-a.txt; fi\n');
  const resumed = await fail.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(readFileSync(join(fail.ctl, 'a.stdin'), 'utf8'), /## Files outside your owns\n\nYour last attempt changed files that your task does not own: `stray-a\.txt`/);
  assert.ok(!fail.git('ls-tree', '-r', '--name-only', 'specdag/integration').includes('stray-a.txt'));

  const warn = makeRepo([{ id: 'a' }], { project: { extra: ['outside_owns: warn'] } });
  warn.control('a', 'stray');
  const w = await warn.specdag(['run', 'specs']);
  assert.equal(w.code, 0);
  assert.match(w.stdout, /^warning a changed 1 file outside its owns: stray-a\.txt$/m);
  assert.equal(byId(warn.state()).a!.status, 'merged');
});

test('setup runs once in each new worktree (and where merges are checked) before anything else; a failing setup fails the task with its output in the log', async () => {
  const files = { '.gitignore': 'deps/\n', 'check.sh': 'test -f deps/ready || { echo "no deps"; exit 1; }\n' };
  const setup = 'mkdir -p deps && echo "installing for $SPECDAG_TASK_ID" && echo "$SPECDAG_TASK_ID" >> "$AGENT_CTL/setups" && touch deps/ready';
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }], { project: { extra: [`setup: ${setup}`, 'verify: sh check.sh'] }, files });
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // Once per task worktree, once for the merge-check worktree (as its own pseudo-task), never again.
  assert.deepEqual(readFileSync(join(repo.ctl, 'setups'), 'utf8').trim().split('\n').sort(), ['a', 'b', 'merge-check']);
  assert.ok(existsSync(join(repo.worktrees, '.merge-check', 'deps', 'ready')));
  assert.match(readFileSync(byId(repo.state()).a!.log, 'utf8'), /installing for a\n[\s\S]*running in .*: sh "\$AGENT_CTL\/agent\.sh"/, 'setup before the agent, in the task log');
  assert.ok(!repo.git('ls-tree', '-r', '--name-only', 'specdag/integration').includes('deps/ready'));

  const broken = makeRepo([{ id: 'a' }, { id: 'b', deps: ['a'] }], { project: { extra: ['setup: echo "cannot install"; exit 7'] } });
  const f = await broken.specdag(['run', 'specs']);
  assert.equal(f.code, 1);
  const a = byId(broken.state()).a!;
  assert.equal(a.failure, 'setup');
  assert.equal(a.reason, `its setup command 'echo "cannot install"; exit 7' exited with code 7 in its worktree; its output is in the log`);
  assert.match(readFileSync(a.log, 'utf8'), /cannot install/);
  assert.ok(!broken.events().includes('start a'), 'no agent ran');
  assert.equal(byId(broken.state()).b!.status, 'skipped');

  writeFileSync(join(broken.root, 'specs', 'PROJECT.md'), readFileSync(join(broken.root, 'specs', 'PROJECT.md'), 'utf8').replace('setup: echo "cannot install"; exit 7', 'setup: echo installed'));
  broken.git('commit', '--quiet', '-am', 'fix setup');
  const resumed = await broken.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(byId(broken.state()).a!.setupDone, true);
});

test('Ctrl-C during a check stops it; the task is interrupted and a resume finishes it', async () => {
  // The check's shell leads its process group (specdag starts each command in a group of its own): it notes its pid.
  const repo = makeRepo([{ id: 'a', verify: 'if [ -f "$AGENT_CTL/slow" ]; then echo $$ > "$AGENT_CTL/checking.tmp"; mv "$AGENT_CTL/checking.tmp" "$AGENT_CTL/checking"; sleep 30; fi' }]);
  writeFileSync(join(repo.ctl, 'slow'), '');
  const child = spawn(process.execPath, [BIN, 'run', 'specs'], { cwd: repo.root, env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  for (let i = 0; !existsSync(join(repo.ctl, 'checking')); i++) {
    if (i > 600) throw new Error(`the check never started: ${out}`);
    await sleep(25);
  }
  const group = Number(readFileSync(join(repo.ctl, 'checking'), 'utf8'));
  assert.ok(groupAlive(group), 'the check runs in a process group of its own');
  child.kill('SIGINT');
  assert.equal(await done, 130, out);
  assert.ok(!groupAlive(group), 'the check process group is gone');
  const a = byId(repo.state()).a!;
  assert.equal(a.status, 'failed');
  assert.equal(a.failure, 'interrupted');
  assert.match(out, /^checking a: /m);

  rmSync(join(repo.ctl, 'slow'));
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(byId(repo.state()).a!.status, 'merged');
});

test('a base-branch merge that fails the check is dropped with one line, and the target does not move to it', async () => {
  const repo = routeRepo([{ id: 'a' }, { id: 'b' }]);
  repo.control('b', 'run', '# registers no route\n');
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  writeFileSync(join(repo.root, 'routes-main.txt'), 'x\n');
  repo.git('add', 'routes-main.txt');
  repo.git('commit', '--quiet', '-m', 'unrelated');
  // main registers the route a took: fine on main, broken merged.
  spawnSync('mkdir', ['-p', join(repo.root, 'routes')]);
  writeFileSync(join(repo.root, 'routes', 'main.txt'), '/shared\n');
  repo.git('add', 'routes/main.txt');
  repo.git('commit', '--quiet', '-m', 'main takes /shared');
  const before = repo.git('rev-parse', 'specdag/integration');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^specdag: merging 'main' \(2 commits ahead\) into 'specdag\/integration' fails the check 'sh check\.sh' \(log: .*base-merge\.merge-check-1\.log\); dropped, the run goes on from 'specdag\/integration' as it is$/m);
  assert.equal(repo.git('rev-parse', 'specdag/integration^1'), before, "b's merge went onto the target as it was");
  const base = repo.state().baseMerge!;
  assert.equal(base.status, 'failed');
  assert.equal(base.checks![0]!.exitCode, 1);
  checkEveryTip(repo);
});

test('Ctrl-C during the check of a merge drops the merge; the task stays done and a resume merges it', async () => {
  const check = 'if [ -f "$AGENT_CTL/slow" ] && [ "$(git rev-parse --abbrev-ref HEAD)" = HEAD ]; then touch "$AGENT_CTL/checking"; sleep 30; fi';
  const repo = makeRepo([{ id: 'a' }], { project: { extra: [`verify: ${check}`] } });
  writeFileSync(join(repo.ctl, 'slow'), '');
  const child = spawn(process.execPath, [BIN, 'run', 'specs'], { cwd: repo.root, env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  for (let i = 0; !existsSync(join(repo.ctl, 'checking')); i++) {
    if (i > 600) throw new Error(`the merge check never started: ${out}`);
    await sleep(25);
  }
  const tip = repo.git('rev-parse', 'specdag/integration');
  child.kill('SIGINT');
  assert.equal(await done, 130, out);
  assert.match(out, /^checking the merge of a: /m);
  assert.equal(repo.git('rev-parse', 'specdag/integration'), tip, 'the target did not move');
  assert.equal(byId(repo.state()).a!.status, 'done');
  rmSync(join(repo.ctl, 'slow'));
  const before = repo.events().length;
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(byId(repo.state()).a!.status, 'merged');
  assert.equal(repo.events().length, before, 'merged without its agent');
});

test('merges that pass while others wait build on each other; the target moves once, to the last, and every commit it pointed to passed', async () => {
  // Every check takes a second: while the first merge is checked, the other three tasks finish and wait.
  const check = 'sleep 1; test -z "$(cat routes/*.txt 2>/dev/null | sort | uniq -d)"';
  const tasks = ['a', 'b', 'c', 'd'].map((id) => ({ id, owns: [`out/${id}.txt`, `routes/${id}.txt`] }));
  const repo = makeRepo(tasks, { project: { extra: [`verify: ${check}`] } });
  for (const t of tasks) repo.control(t.id, 'run', `mkdir -p routes; echo "/${t.id}" > "routes/${t.id}.txt"\n`);
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const state = byId(repo.state());
  for (const t of tasks) assert.equal(state[t.id]!.status, 'merged', t.id);
  // One merge per task on the first-parent line, in the order they were merged, each the task's recorded merge commit.
  const firstParent = repo.git('log', '--first-parent', '--format=%H %s', 'main..specdag/integration').split('\n').reverse();
  assert.equal(firstParent.length, 4, firstParent.join('\n'));
  for (const line of firstParent) {
    const [sha, , branch] = line.split(' ');
    const id = branch!.replace(/^specdag\//, '').replace(/:$/, '');
    assert.equal(state[id]!.mergeCommit, sha, line);
  }
  // The target moved fewer times than there were merges: some landed together. Each position it took passes the check.
  const positions = [...new Set(repo.git('reflog', 'show', '--format=%H', 'specdag/integration').split('\n').filter(Boolean))];
  assert.ok(positions.length < 1 + 4, `the target took ${positions.length} positions for 4 merges: ${repo.git('reflog', 'show', 'specdag/integration')}`);
  const passed = new Set(Object.values(state).flatMap((t) => (t.checks ?? []).filter((c) => c.kind === 'merge' && c.exitCode === 0).map((c) => c.commit)));
  const created = repo.git('rev-parse', 'main');
  for (const sha of positions) assert.ok(sha === created || passed.has(sha), `the target pointed at ${sha}, which no passing merge check ran on`);
  assert.equal(repo.git('-C', join(repo.worktrees, 'integration'), 'rev-parse', 'HEAD'), repo.git('rev-parse', 'specdag/integration'));
  assert.equal(repo.git('-C', join(repo.worktrees, 'integration'), 'status', '--porcelain'), '');
});
