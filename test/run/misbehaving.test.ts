import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { alive } from '../../src/run/state.js';
import { groupAlive } from '../../src/run/process.js';
import { BIN } from '../helpers.js';
import { byId, clear, doneOnOwnBranch, makeRepo } from './helpers.js';

test('an agent that moves the target branch stops the run (exit 1), naming what moved from where to where and which task ran', async () => {
  const repo = makeRepo([{ id: 'f1', phase: 'foundation' }, { id: 'f2', phase: 'foundation', deps: ['f1'] }, { id: 'a' }]);
  // f2's agent throws f1's merge away: the target goes back to where it was before.
  repo.control('f2', 'run', 'git update-ref refs/heads/specdag/integration specdag/integration~1\n');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const state = repo.state();
  const tasks = byId(state);
  const merged = tasks.f1!.mergeCommit!;
  const now = repo.git('rev-parse', 'specdag/integration');
  assert.match(
    r.stdout,
    new RegExp(`^specdag: the target branch 'specdag/integration' moved from ${merged.slice(0, 7)} to ${now.slice(0, 7)} while task 'f2' ran, not by specdag's hand; the run stops and builds nothing on it\\. See what moved it \\(git reflog show specdag/integration\\); put it back \\(git update-ref refs/heads/specdag/integration ${merged} ${now}\\) and resume$`, 'm'),
  );
  assert.match(r.stdout, /stopped \(a branch moved\)/);
  assert.equal(tasks.f2!.status, 'done', 'its work is kept on its branch, not merged');
  assert.equal(tasks.a!.status, 'pending');
  assert.ok(!repo.events().includes('start a'), 'nothing was built on the moved target');
  assert.equal(state.status, 'interrupted');
  assert.match(state.stopped!, /moved from/);

  // Put back as the message says, the resume merges f2 and goes on.
  repo.git('update-ref', 'refs/heads/specdag/integration', merged, now);
  clear(repo, 'f2', 'run');
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.deepEqual(
    repo.git('log', '--first-parent', '--format=%s', 'main..specdag/integration').split('\n'),
    ['Merge specdag/a: Task a', 'Merge specdag/f2: Task f2', 'Merge specdag/f1: Task f1'],
  );
});

test('an agent that moves the base branch stops the run', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b', deps: ['a'] }]);
  const base = repo.git('rev-parse', 'main');
  repo.control('a', 'run', 'git add -A && git commit --quiet -m mine && git update-ref refs/heads/main HEAD\n');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout);
  const moved = repo.git('rev-parse', 'main');
  assert.match(r.stdout, new RegExp(`^specdag: the base branch 'main' moved from ${base.slice(0, 7)} to ${moved.slice(0, 7)} while task 'a' ran; specdag never writes it, so something else did, and the run stops`, 'm'));
  assert.equal(byId(repo.state()).b!.status, 'pending');
  assert.ok(!repo.events().includes('start b'));
});

test('conflict markers or an unfinished merge left by an agent fail its task (agent), naming the paths; nothing of it is merged', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['a'] }]);
  repo.control('a', 'run', "printf '<<<<<<< HEAD\\nmine\\n=======\\ntheirs\\n>>>>>>> other\\n' > out/a.txt\n");
  // b starts a merge that conflicts and walks away from it.
  repo.git('branch', 'other', 'main');
  repo.git('checkout', '--quiet', 'other');
  writeFileSync(join(repo.root, 'README.md'), '# other\n');
  repo.git('commit', '--quiet', '-am', 'other readme');
  repo.git('checkout', '--quiet', 'main');
  repo.control('b', 'run', "echo '# mine' > README.md && git commit --quiet -am 'my readme' && git merge other >/dev/null 2>&1\n");
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout);
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.failure, 'agent');
  assert.match(tasks.a!.reason!, /^its agent left conflict markers \(<<<<<<<\) in out\/a\.txt; they are not merged: resolve them in .*repo\.worktrees\/a and resume$/);
  assert.equal(tasks.b!.failure, 'agent');
  assert.match(tasks.b!.reason!, /^its agent left an unfinished merge in .*repo\.worktrees\/b \(README\.md unmerged, MERGE_HEAD\); nothing of it was committed: finish or abort it there and resume$/);
  assert.equal(tasks.c!.status, 'skipped');
  assert.match(r.stdout, /^failed a \(agent\), log: .*\n  its agent left conflict markers/m);
  assert.equal(repo.git('rev-parse', 'specdag/integration'), repo.git('rev-parse', 'main'), 'nothing was merged');
  assert.equal(readFileSync(join(repo.worktrees, 'a', 'out', 'a.txt'), 'utf8').split('\n')[0], '<<<<<<< HEAD', 'the worktree is left as the agent left it');
  assert.equal(repo.git('-C', join(repo.worktrees, 'a'), 'status', '--porcelain'), '?? out/', 'its markers were not committed');
});

test('resume after specdag and its git were killed during a merge: its stale lock and half-made merge are undone, then the merge is made', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  // What a kill -9 of specdag and of its `git merge` of b can leave: b done on its branch, b's files staged in the
  // target worktree with no MERGE_HEAD yet, git's index.lock, and a state that says specdag was merging b.
  const state = repo.state();
  const target = join(repo.worktrees, 'integration');
  const bWt = doneOnOwnBranch(repo, 'b');
  repo.git('-C', target, 'checkout', 'specdag/b', '--', 'out/b.txt');
  const lock = join(repo.root, '.git', 'worktrees', 'integration', 'index.lock');
  writeFileSync(lock, '');
  const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  const edited = {
    ...state,
    status: 'running',
    pid: dead,
    merging: 'b',
    only: ['a', 'b'],
    tasks: [...state.tasks, { ...state.tasks[0]!, id: 'b', title: 'Task b', status: 'done', branch: 'specdag/b', worktree: bWt, log: state.tasks[0]!.log.replace('a.log', 'b.log') }],
  };
  writeFileSync(join(repo.root, '.specdag', 'runs', state.runId, 'state.json'), JSON.stringify(edited));

  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stderr, /^specdag: removed .*\.git\/worktrees\/integration\/index\.lock, left by run .* \(it died while git worked there; no git holds it now\)$/m);
  assert.ok(!existsSync(lock));
  assert.equal(byId(repo.state()).b!.status, 'merged');
  assert.ok(!repo.events().includes('start b'), 'merged, not run again');
  assert.equal(repo.git('-C', target, 'status', '--porcelain'), '');
  assert.equal(repo.git('log', '-1', '--format=%s', 'specdag/integration'), 'Merge specdag/b: Task b');
});

test('a real kill -9 of specdag and of its git during a merge into the target: --resume removes the lock git left and makes the merge', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  // A git in front of the real one: a merge in the target worktree takes git's index lock, as git does first, and hangs
  // there while the control file says so. The test kills specdag and that git together, with SIGKILL.
  const bin = join(repo.ctl, 'bin');
  mkdirSync(bin);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const target = join(repo.worktrees, 'integration');
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\nif [ "$1" = -C ] && [ "$2" = '${target}' ] && [ "$3" = merge ] && [ -f '${repo.ctl}/hold-merge' ]; then\n` +
      `  : > "$('${realGit}' -C "$2" rev-parse --absolute-git-dir)/index.lock"\n  echo $$ > '${repo.ctl}/git.pid.tmp'; mv '${repo.ctl}/git.pid.tmp' '${repo.ctl}/git.pid'\n  exec sleep 60\nfi\nexec '${realGit}' "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  const env = { ...repo.env, PATH: `${bin}${delimiter}${repo.env.PATH ?? ''}` };
  writeFileSync(join(repo.ctl, 'hold-merge'), '');
  const child = spawn(process.execPath, [BIN, 'run', 'specs', '--max-parallel', '1'], { cwd: repo.root, env, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const pidFile = join(repo.ctl, 'git.pid');
  for (let i = 0; !existsSync(pidFile); i++) {
    if (i > 1200) throw new Error('the merge never started');
    await sleep(25);
  }
  const gitPid = Number(readFileSync(pidFile, 'utf8'));
  child.kill('SIGKILL');
  process.kill(gitPid, 'SIGKILL');
  await exited;
  for (let i = 0; alive(gitPid); i++) {
    if (i > 400) throw new Error('the git child outlived SIGKILL');
    await sleep(25);
  }
  const lock = join(repo.root, '.git', 'worktrees', 'integration', 'index.lock');
  assert.ok(existsSync(lock), 'the killed git left its lock');
  const dead = repo.state();
  assert.equal(dead.status, 'running', 'specdag had no chance to record anything');
  assert.ok(dead.merging === 'a' || dead.merging === 'b', `the state names the merge under way (${dead.merging})`);
  const merging = dead.merging!;
  // The other task's agent may have been started just before the kill: as the resume would tell a user, let it finish.
  for (const t of dead.tasks) {
    for (let i = 0; t.status === 'running' && t.agentPid !== undefined && groupAlive(t.agentPid); i++) {
      if (i > 400) throw new Error(`the agent of ${t.id} is still running`);
      await sleep(25);
    }
  }

  rmSync(join(repo.ctl, 'hold-merge'));
  const resumed = await repo.specdag(['run', 'specs', '--resume'], { env });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stderr, /^specdag: removed .*\.git\/worktrees\/integration\/index\.lock, left by run .* \(it died while git worked there; no git holds it now\)$/m);
  assert.ok(!existsSync(lock));
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.status, 'merged');
  assert.equal(tasks.b!.status, 'merged');
  assert.equal(repo.events().filter((e) => e === `start ${merging}`).length, 1, `${merging} was done before the kill: merged, not run again`);
  assert.equal(repo.git('-C', target, 'status', '--porcelain'), '');
  assert.deepEqual(repo.git('log', '--first-parent', '--format=%s', 'specdag/integration').split('\n').slice(0, 2).sort(), ['Merge specdag/a: Task a', 'Merge specdag/b: Task b']);
});

test('a half-made merge in the target worktree that specdag did not start is named, and the run refuses', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  const target = join(repo.worktrees, 'integration');
  writeFileSync(join(target, 'README.md'), '# staged by someone\n');
  repo.git('-C', target, 'add', 'README.md');
  const r = await repo.specdag(['run', 'specs', '--only', 'b']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /the target worktree .*integration has uncommitted changes \(README\.md\)/);
  assert.equal(repo.git('-C', target, 'diff', '--cached', '--name-only'), 'README.md', 'left as it was');
});
