import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { BIN } from '../helpers.js';
import { byId, clear, makeRepo, type Repo } from './helpers.js';

const starts = (repo: Repo) => repo.events().filter((e) => e.startsWith('start'));

test('a plain run after a finished run starts no agent: every task is already on the target branch', async () => {
  const repo = makeRepo([{ id: 'f', phase: 'foundation' }, { id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'z', phase: 'integration', deps: ['b'] }]);
  assert.equal((await repo.specdag(['run', 'specs'])).code, 0);
  const tip = repo.git('rev-parse', 'specdag/integration');
  const before = starts(repo).length;

  const again = await repo.specdag(['run', 'specs']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.equal(starts(repo).length, before, 'no agent started');
  assert.equal(repo.git('rev-parse', 'specdag/integration'), tip, 'the target did not move');
  assert.match(again.stdout, /^specdag: already on 'specdag\/integration', not run again: f, a, b, z$/m);
  assert.match(again.stdout, /finished in .*: 4 merged/);
  assert.equal(repo.runs().length, 2, 'a new run, recorded');
  const tasks = byId(repo.state());
  for (const id of ['f', 'a', 'b', 'z']) {
    assert.equal(tasks[id]!.status, 'merged', id);
    assert.equal(tasks[id]!.attempts, 0, id);
    assert.match(tasks[id]!.onTarget!, /its branch 'specdag\/[a-z]' is merged into 'specdag\/integration'/);
  }
  const dry = await repo.specdag(['run', 'specs', '--dry-run']);
  assert.match(dry.stdout, /^nothing to run$/m);
  assert.match(dry.stdout, /not run: f \(already on specdag\/integration: its branch 'specdag\/f' is merged into 'specdag\/integration'\)/);

  // A task whose branch exists but never got a commit is not "merged" just because the target contains its start.
  const fresh = makeRepo([{ id: 'a' }, { id: 'b' }]);
  fresh.control('a', 'exit', '1');
  assert.equal((await fresh.specdag(['run', 'specs'])).code, 1);
  assert.equal(fresh.git('rev-parse', 'specdag/a'), fresh.git('rev-parse', 'main'));
  fresh.control('a', 'exit', '0');
  const rerun = await fresh.specdag(['run', 'specs']);
  assert.equal(rerun.code, 0, rerun.stdout);
  // a and b start side by side in the first run: either may write its start first.
  const order = starts(fresh);
  assert.deepEqual(order.slice(0, 2).sort(), ['start a', 'start b']);
  assert.deepEqual(order.slice(2), ['start a'], 'only a runs again');
});

test('a new run first merges what the base branch gained; a conflicting base merge is dropped with one line', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  assert.equal((await repo.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  writeFileSync(join(repo.root, 'NEWS.md'), 'news\n');
  repo.git('add', 'NEWS.md');
  repo.git('commit', '--quiet', '-m', 'news on main');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^specdag: merged 'main' into 'specdag\/integration' first: it gained 1 commit since the target was made$/m);
  assert.equal(repo.git('show', 'specdag/integration:NEWS.md'), 'news');
  assert.deepEqual(starts(repo), ['start a', 'start b'], 'a was not run again');
  // b started from the target with main's news merged in.
  assert.equal(readFileSync(join(repo.worktrees, 'b', 'NEWS.md'), 'utf8'), 'news\n');
  const firstParent = repo.git('log', '--first-parent', '--format=%s', 'main..specdag/integration').split('\n');
  assert.deepEqual(firstParent, ['Merge specdag/b: Task b', 'Merge main into specdag/integration', 'Merge specdag/a: Task a']);

  // main changes a file the target changed too: the base merge conflicts, is dropped, and the run goes on.
  const conflicting = makeRepo([{ id: 'a' }, { id: 'b' }]);
  conflicting.control('a', 'shared');
  assert.equal((await conflicting.specdag(['run', 'specs', '--only', 'a'])).code, 0);
  writeFileSync(join(conflicting.root, 'shared.txt'), 'main\n');
  conflicting.git('add', 'shared.txt');
  conflicting.git('commit', '--quiet', '-m', 'shared on main');
  const before = conflicting.git('rev-parse', 'specdag/integration');
  const c = await conflicting.specdag(['run', 'specs']);
  assert.equal(c.code, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /^specdag: merging 'main' \(1 commit ahead\) into 'specdag\/integration' conflicts in shared\.txt; dropped, the run goes on from 'specdag\/integration' as it is$/m);
  assert.equal(conflicting.git('rev-parse', 'specdag/integration^1'), before, 'b was merged onto the target as it was');
  assert.equal(conflicting.git('show', 'specdag/integration:shared.txt'), 'a');
  assert.equal(conflicting.git('-C', join(conflicting.worktrees, 'integration'), 'status', '--porcelain'), '');
  assert.equal(conflicting.state().baseMerge!.status, 'conflict');
});

test('--resume of a task in conflict: resolved by hand on its branch, it merges without its agent', async () => {
  const repo = makeRepo([{ id: 'p' }, { id: 'q' }]);
  repo.control('p', 'shared');
  repo.control('q', 'shared');
  repo.control('q', 'sleep', '0.5');
  assert.equal((await repo.specdag(['run', 'specs'])).code, 1);
  const [first, second] = byId(repo.state()).p!.status === 'merged' ? ['p', 'q'] : ['q', 'p'];
  assert.equal(byId(repo.state())[second]!.status, 'conflict');
  const before = starts(repo).length;

  // The user resolves it the way the message says: merge the target into the task's branch, fix, commit.
  const wt = join(repo.worktrees, second);
  const merge = spawn('git', ['-C', wt, 'merge', 'specdag/integration'], { env: repo.env, stdio: 'ignore' });
  await new Promise((resolve) => merge.on('close', resolve));
  writeFileSync(join(wt, 'shared.txt'), `${first}+${second}\n`);
  repo.git('-C', wt, 'add', 'shared.txt');
  repo.git('-C', wt, 'commit', '--quiet', '--no-edit');

  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(starts(repo).length, before, 'no agent started');
  assert.equal(byId(repo.state())[second]!.status, 'merged');
  assert.equal(repo.git('show', 'specdag/integration:shared.txt'), `${first}+${second}`);
});

test('--resume of a task in conflict: merged into the target by hand, it is merged; left unresolved, its agent resolves it', async () => {
  const byHand = makeRepo([{ id: 'p' }, { id: 'q' }]);
  byHand.control('p', 'shared');
  byHand.control('q', 'shared');
  byHand.control('q', 'sleep', '0.5');
  assert.equal((await byHand.specdag(['run', 'specs'])).code, 1);
  const second = byId(byHand.state()).p!.status === 'merged' ? 'q' : 'p';
  const target = join(byHand.worktrees, 'integration');
  const merge = spawn('git', ['-C', target, 'merge', '--no-ff', `specdag/${second}`], { env: byHand.env, stdio: 'ignore' });
  await new Promise((resolve) => merge.on('close', resolve));
  writeFileSync(join(target, 'shared.txt'), 'by hand\n');
  byHand.git('-C', target, 'add', 'shared.txt');
  byHand.git('-C', target, 'commit', '--quiet', '--no-edit');
  const before = starts(byHand).length;
  const resumed = await byHand.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(starts(byHand).length, before);
  const t = byId(byHand.state())[second]!;
  assert.equal(t.status, 'merged');
  assert.equal(t.onTarget, `its branch 'specdag/${second}' is merged into 'specdag/integration'`);

  const left = makeRepo([{ id: 'p' }, { id: 'q' }]);
  left.control('p', 'shared');
  left.control('q', 'shared');
  left.control('q', 'sleep', '0.5');
  assert.equal((await left.specdag(['run', 'specs'])).code, 1);
  const other = byId(left.state()).p!.status === 'merged' ? 'q' : 'p';
  clear(left, other, 'shared');
  // The agent, started again, does what its prompt asks: merges the target in and resolves.
  left.control(other, 'run', 'git merge specdag/integration >/dev/null 2>&1 || { echo resolved > shared.txt; git add shared.txt; git commit --quiet --no-edit; }\n');
  const again = await left.specdag(['run', 'specs', '--resume']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, new RegExp(`^conflict ${other}: its merge still conflicts in shared\\.txt; its agent is started again`, 'm'));
  assert.match(readFileSync(join(left.ctl, `${other}.stdin`), 'utf8'), /## The merge conflicted\n\nYour branch `specdag\/[pq]` could not be merged into `specdag\/integration`: both changed `shared\.txt`\./);
  assert.equal(byId(left.state())[other]!.status, 'merged');
  assert.equal(left.git('show', 'specdag/integration:shared.txt'), 'resolved');
});

test('make -j4 on the Makefile export: concurrent run --only processes merge everything once, and a second make runs nothing', async () => {
  const repo = makeRepo([{ id: 'f', phase: 'foundation' }, { id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd', deps: ['a', 'b'] }, { id: 'z', phase: 'integration', deps: ['c', 'd'] }]);
  for (const id of ['a', 'b', 'c']) repo.control(id, 'sleep', '0.3');
  const makefile = join(repo.ctl, 'Makefile');
  const exported = await repo.specdag(['export', 'specs', '--to', 'makefile', '-o', makefile]);
  assert.equal(exported.code, 0, exported.stderr);
  const make = () =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('make', ['-j4', '-f', makefile, '-C', repo.root, `SPECDAG=${process.execPath} ${BIN}`], { env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
  const first = await make();
  assert.equal(first.code, 0, first.out);
  assert.deepEqual(starts(repo).sort(), ['start a', 'start b', 'start c', 'start d', 'start f', 'start z']);
  const merged = repo.git('log', '--first-parent', '--format=%s', 'main..specdag/integration').split('\n');
  assert.equal(merged.length, 6, merged.join(' | '));
  assert.equal(repo.git('rev-list', '--no-merges', '--first-parent', 'main..specdag/integration'), '');
  const seenByD = repo.git('show', 'specdag/integration:out/d.txt').split('\n');
  for (const f of ['a.txt', 'b.txt', 'f.txt']) assert.ok(seenByD.includes(f), `d started with ${f} merged`);

  const tip = repo.git('rev-parse', 'specdag/integration');
  const second = await make();
  assert.equal(second.code, 0, second.out);
  assert.equal(starts(repo).length, 6, 'no agent ran twice');
  assert.equal(repo.git('rev-parse', 'specdag/integration'), tip);
});

test('a task worktree left half made (detached, no files checked out, by a run killed while making it) is finished, not refused', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  repo.git('worktree', 'add', '--quiet', '--no-checkout', '--detach', join(repo.worktrees, 'a'), 'main');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(byId(repo.state()).a!.status, 'merged');
  assert.equal(repo.git('-C', join(repo.worktrees, 'a'), 'symbolic-ref', '--short', 'HEAD'), 'specdag/a');
  assert.equal(repo.git('show', 'specdag/integration:out/a.txt').split('\n')[0], 'a');
});

test('Ctrl-C while the foundation works leaves the worktrees made ahead for its dependents as they are; the resume takes them over', async () => {
  const repo = makeRepo([{ id: 'f', phase: 'foundation' }, { id: 'a' }]);
  repo.control('f', 'run', 'touch "$AGENT_CTL/f.working"; if [ ! -f "$AGENT_CTL/f.quick" ]; then sleep 30; fi\n');
  const child = spawn(process.execPath, [BIN, 'run', 'specs'], { cwd: repo.root, env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const wt = join(repo.worktrees, 'a');
  for (let i = 0; !(existsSync(join(repo.ctl, 'f.working')) && existsSync(join(wt, 'README.md'))); i++) {
    if (i > 800) throw new Error(`f never started, or a's worktree was never made: ${out}`);
    await sleep(25);
  }
  child.kill('SIGINT');
  assert.equal(await done, 130, out);
  assert.equal(repo.git('-C', wt, 'rev-parse', '--abbrev-ref', 'HEAD'), 'HEAD', "a's worktree made ahead is still there, detached");
  assert.equal(repo.git('branch', '--list', 'specdag/a'), '', 'and a has no branch yet');
  writeFileSync(join(repo.ctl, 'f.quick'), '');
  const resumed = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.equal(byId(repo.state()).a!.status, 'merged');
  assert.equal(repo.git('-C', wt, 'symbolic-ref', '--short', 'HEAD'), 'specdag/a');
  assert.equal(repo.git('show', 'specdag/integration:out/a.txt'), 'a\nf.txt', "a started from the target with f merged");
});
