import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers.js';
import { byId, makeRepo, type Repo, type TaskDef } from './helpers.js';

// f (foundation); good, extra, dirty, bad, p, q side by side; z (integration) after good and dirty; after-bad waits for bad.
const GRAPH: TaskDef[] = [
  { id: 'f', phase: 'foundation' },
  { id: 'good' },
  { id: 'extra' },
  { id: 'dirty' },
  { id: 'bad' },
  { id: 'after-bad', deps: ['bad'] },
  { id: 'p' },
  { id: 'q' },
  { id: 'z', phase: 'integration', deps: ['good', 'dirty'] },
];

/** Every commit reachable from any ref (worktree HEADs included): what clean must never lose. */
function reachable(repo: Repo): Set<string> {
  return new Set(repo.git('rev-list', '--all').split('\n').filter(Boolean));
}

/** Every ref and every worktree with what it has checked out: clean's whole footprint. */
function footprint(repo: Repo): string {
  return `${repo.git('for-each-ref', '--format=%(refname) %(objectname)')}\n${repo.git('worktree', 'list', '--porcelain')}`;
}

const branch = (repo: Repo, name: string) => repo.git('branch', '--list', name) !== '';
const wt = (repo: Repo, id: string) => join(repo.worktrees, id);

/**
 * A real run that leaves each kind of task behind: merged (good, f, z, and
 * extra until a commit is added on its branch afterwards), failed (bad), in
 * conflict (p or q, both writing shared.txt), dirty (an untracked file left
 * in dirty's worktree after its merge), never started (after-bad).
 */
async function ranRepo(): Promise<{ repo: Repo; conflicted: string }> {
  const repo = makeRepo(GRAPH);
  repo.control('bad', 'exit', '3');
  repo.control('p', 'shared');
  repo.control('q', 'shared');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const tasks = byId(repo.state());
  assert.equal(tasks.bad!.status, 'failed');
  assert.equal(tasks['after-bad']!.status, 'skipped');
  const conflicted = ['p', 'q'].find((id) => tasks[id]!.status === 'conflict');
  assert.ok(conflicted, 'one of p and q is in conflict');
  for (const id of ['f', 'good', 'extra', 'dirty', 'z']) assert.equal(tasks[id]!.status, 'merged', id);

  writeFileSync(join(wt(repo, 'dirty'), 'notes.txt'), 'my own notes, never committed\n');
  writeFileSync(join(wt(repo, 'extra'), 'more.txt'), 'work after the merge\n');
  repo.git('-C', wt(repo, 'extra'), 'add', 'more.txt');
  repo.git('-C', wt(repo, 'extra'), 'commit', '--quiet', '-m', 'more work, not merged');
  return { repo, conflicted };
}

test('clean removes only merged tasks: failed, conflicting, dirty and unmerged ones are kept and said why; no commit is lost', async () => {
  const { repo, conflicted } = await ranRepo();
  const before = reachable(repo);
  const other = conflicted === 'p' ? 'q' : 'p';

  const dry = await repo.specdag(['clean', 'specs', '--dry-run']);
  const shape = footprint(repo);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^would remove worktree \.\.\/repo\.worktrees\/good and branch specdag\/good \(merged into specdag\/integration\)$/m);
  assert.match(dry.stdout, /nothing was changed/);
  assert.equal(footprint(repo), shape);

  const r = await repo.specdag(['clean', 'specs']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.equal(footprint(repo) === shape, false, 'clean changed something');

  // Merged tasks: worktree and branch gone, whichever runner made them.
  for (const id of ['good', other, 'f', 'z']) {
    assert.equal(branch(repo, `specdag/${id}`), false, `branch of ${id} removed`);
    assert.equal(existsSync(wt(repo, id)), false, `worktree of ${id} removed`);
  }
  assert.match(r.stdout, /^removed worktree \.\.\/repo\.worktrees\/good and branch specdag\/good \(merged into specdag\/integration\)$/m);

  // Kept, with the reason.
  for (const id of ['bad', conflicted, 'dirty', 'extra']) {
    assert.ok(branch(repo, `specdag/${id}`), `branch of ${id} kept`);
    assert.ok(existsSync(wt(repo, id)), `worktree of ${id} kept`);
  }
  assert.match(r.stdout, /^kept worktree \.\.\/repo\.worktrees\/bad and branch specdag\/bad: the task failed \(its agent exited with code 3\)/m);
  assert.match(r.stdout, new RegExp(`^kept worktree \\.\\./repo\\.worktrees/${conflicted} and branch specdag/${conflicted}: its merge conflicted`, 'm'));
  assert.match(r.stdout, /^kept worktree \.\.\/repo\.worktrees\/dirty and branch specdag\/dirty: the worktree has 1 uncommitted or untracked file/m);
  assert.match(r.stdout, /^kept worktree \.\.\/repo\.worktrees\/extra and branch specdag\/extra: it has commits that are not on 'specdag\/integration'/m);
  assert.doesNotMatch(r.stdout, /after-bad/, 'a task that never started has nothing to clean');
  assert.ok(existsSync(join(wt(repo, 'dirty'), 'notes.txt')), "the user's untracked file is still there");

  // The target stays until it is merged into the base branch.
  assert.ok(branch(repo, 'specdag/integration'));
  assert.ok(existsSync(wt(repo, 'integration')));
  assert.match(r.stdout, /^kept worktree \.\.\/repo\.worktrees\/integration and branch specdag\/integration: 'specdag\/integration' is not merged into 'main' yet/m);

  const after = reachable(repo);
  for (const sha of before) assert.ok(after.has(sha), `commit ${sha} is still reachable`);

  // Once the user merges the target into main and tidies the dirty worktree, the rest of the merged work goes too.
  repo.git('merge', '--quiet', '--no-ff', '-m', 'take the run', 'specdag/integration');
  rmSync(join(wt(repo, 'dirty'), 'notes.txt'));
  const again = await repo.specdag(['clean', 'specs']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(branch(repo, 'specdag/dirty'), false);
  assert.equal(existsSync(wt(repo, 'dirty')), false);
  assert.equal(branch(repo, 'specdag/integration'), false);
  assert.equal(existsSync(wt(repo, 'integration')), false);
  assert.match(again.stdout, /^removed worktree \.\.\/repo\.worktrees\/integration and branch specdag\/integration \(merged into main\)$/m);
  for (const id of ['bad', conflicted, 'extra']) assert.ok(branch(repo, `specdag/${id}`), `branch of ${id} still kept`);
  assert.equal(repo.git('status', '--porcelain'), '', 'the main checkout is untouched');
  const last = reachable(repo);
  for (const sha of before) assert.ok(last.has(sha), `commit ${sha} is still reachable`);
});

test('clean copes with a worktree deleted by hand, a branch checked out elsewhere, and runs from a subfolder through the binary', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'z', phase: 'integration', deps: ['a', 'b', 'c'] }]);
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const before = reachable(repo);

  // While a run on the target is going (this process stands in for it), clean removes nothing.
  const statePath = join(repo.root, '.specdag', 'runs', repo.runs()[0]!, 'state.json');
  const finished = readFileSync(statePath, 'utf8');
  writeFileSync(statePath, JSON.stringify({ ...repo.state(), status: 'running', pid: process.pid }));
  const shape = footprint(repo);
  const busy = await repo.specdag(['clean', 'specs']);
  assert.equal(busy.code, 0);
  assert.match(busy.stdout, /is still going \(pid \d+\) on 'specdag\/integration'; nothing removed/);
  assert.equal(footprint(repo), shape);
  writeFileSync(statePath, finished);

  rmSync(wt(repo, 'a'), { recursive: true, force: true });
  // b's worktree goes, and its branch is checked out in a worktree of the user's own.
  repo.git('worktree', 'remove', wt(repo, 'b'));
  const mine = join(repo.worktrees, '..', 'mine');
  repo.git('worktree', 'add', '--quiet', mine, 'specdag/b');
  // A folder where c's worktree was, that is not a worktree: clean must leave it.
  repo.git('worktree', 'remove', wt(repo, 'c'));
  mkdirSync(wt(repo, 'c'));
  writeFileSync(join(wt(repo, 'c'), 'keep.txt'), 'mine\n');

  const out = cli(['clean', '.'], { cwd: join(repo.root, 'specs'), env: repo.env });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stderr, '');
  assert.equal(branch(repo, 'specdag/a'), false, "a's branch goes though its folder was deleted by hand");
  assert.doesNotMatch(repo.git('worktree', 'list', '--porcelain'), /repo\.worktrees\/a$/m, "a's stale worktree record is gone");
  assert.ok(branch(repo, 'specdag/b'), "b's branch stays: it is checked out elsewhere");
  assert.match(out.stdout, /^kept branch specdag\/b: 'specdag\/b' is checked out in .*mine; switch that checkout to another branch/m);
  assert.equal(branch(repo, 'specdag/c'), false);
  assert.ok(existsSync(join(wt(repo, 'c'), 'keep.txt')), 'a folder that is not a worktree is left alone');
  assert.match(out.stdout, /^left .*repo\.worktrees\/c as it is: it is not a worktree of this repository$/m);
  const after = reachable(repo);
  for (const sha of before) assert.ok(after.has(sha), `commit ${sha} is still reachable`);
});

test('clean with no run says so and exits 0; a missing spec folder is exit 2', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  const r = await repo.specdag(['clean', 'specs']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^no run on 'specdag\/integration' in \.specdag\/runs; nothing to clean$/m);
  const missing = await repo.specdag(['clean', 'nope']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /spec folder 'nope' does not exist/);
});
