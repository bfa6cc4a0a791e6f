import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { branchTips, detachedHead, readBranches } from '../../src/run/refs.js';
import { Git } from '../../src/run/git.js';
import { makeRepo } from './helpers.js';

test('branch tips read from the files agree with git: loose, packed, missing; reftable is left to git', () => {
  const repo = makeRepo([{ id: 'a' }]);
  const common = join(repo.root, '.git');
  repo.git('branch', 'specdag/integration', 'main');
  repo.git('pack-refs', '--all');
  writeFileSync(join(repo.root, 'x.txt'), 'x\n');
  repo.git('add', 'x.txt');
  repo.git('commit', '--quiet', '-m', 'x');
  const read = readBranches(common, ['main', 'specdag/integration', 'nope'])!;
  assert.equal(read.get('main'), repo.git('rev-parse', 'main'), 'loose (rewritten after the pack)');
  assert.equal(read.get('specdag/integration'), repo.git('rev-parse', 'specdag/integration'), 'packed');
  assert.equal(read.get('nope'), null);
  assert.notEqual(read.get('main'), read.get('specdag/integration'));

  const wt = join(repo.worktrees, 'detached');
  repo.git('worktree', 'add', '--quiet', '--detach', wt, 'main~1');
  assert.equal(detachedHead(join(common, 'worktrees', 'detached')), repo.git('rev-parse', 'main~1'));
  assert.equal(detachedHead(common), undefined, 'a HEAD on a branch is not read as a commit');

  mkdirSync(join(common, 'reftable'));
  assert.equal(readBranches(common, ['main']), undefined);
});

test('branchTips: from the files where they tell, from git where they do not (a symbolic branch), the same answers', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  const common = join(repo.root, '.git');
  const git = new Git(repo.env);
  repo.git('branch', 'specdag/integration', 'main');
  const main = repo.git('rev-parse', 'main');
  assert.deepEqual(await branchTips(git, repo.root, common, ['main', 'specdag/integration', 'nope']), [main, main, undefined]);
  // A symbolic branch: its file says "ref: ...", which the files reader leaves to git.
  repo.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/main');
  assert.equal(readBranches(common, ['alias']), undefined);
  assert.deepEqual(await branchTips(git, repo.root, common, ['nope', 'alias', 'main']), [undefined, main, main]);
});

test("specdag's git runs without automatic maintenance, set through the environment after the user's own settings", async () => {
  const repo = makeRepo([{ id: 'a' }]);
  const git = new Git({ ...repo.env, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'Env User' });
  assert.equal((await git.run(repo.root, ['config', 'maintenance.auto'])).trim(), 'false');
  assert.equal((await git.run(repo.root, ['config', 'user.name'])).trim(), 'Env User', "the user's setting is kept");
  const plain = new Git({ ...repo.env, GIT_CONFIG_COUNT: 'x' });
  assert.equal((await plain.run(repo.root, ['config', 'maintenance.auto'])).trim(), 'false', 'a count that is not a number is replaced');
});
