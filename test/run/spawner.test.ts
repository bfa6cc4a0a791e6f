import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Git } from '../../src/run/git.js';
import { processTable } from '../../src/run/process.js';
import { GitSpawner } from '../../src/run/spawner.js';
import { makeRepo } from './helpers.js';

/** This process's children named `sh` (the kept shells) that are still running. */
const childShells = (): number[] => (processTable() ?? []).filter((p) => p.comm === 'sh' && p.ppid === process.pid && p.state !== 'Z').map((p) => p.pid);

test('git through the kept shells gives what git started directly gives: any argument, any output, every exit code', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  const direct = new Git(repo.env);
  const shells = new Git(repo.env).throughShells();
  try {
    // Arguments a shell would otherwise read: quotes, $, backquotes, a trailing backslash, line breaks, a leading dash.
    const message = `it's "$HOME" \`id\` $(id) \\\nline two\n-n\\`;
    writeFileSync(join(repo.root, 'odd.txt'), 'x\n');
    for (const git of [direct, shells]) await git.run(repo.root, ['add', 'odd.txt']);
    const a = await shells.exec(repo.root, ['commit', '--quiet', '-m', message]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(repo.git('log', '-1', '--format=%B').trimEnd(), message.trimEnd());
    // Output with NUL bytes and no final line break comes back byte for byte; stderr apart from stdout.
    for (const args of [
      ['ls-files', '-z'],
      ['log', '-1', '--format=%H'],
      ['rev-parse', '--verify', '--quiet', 'refs/heads/nope'],
      ['frobnicate'],
      ['status', '--porcelain=v2', '--branch', '-z'],
    ]) {
      const [d, s] = [await direct.exec(repo.root, args), await shells.exec(repo.root, args)];
      assert.deepEqual(s, d, args.join(' '));
    }
    // Many at once: each gets its own answer, though only a few run at a time.
    const many = await Promise.all(Array.from({ length: 40 }, (_, i) => shells.exec(repo.root, ['rev-parse', '--verify', '--quiet', i % 2 ? 'main' : `refs/heads/none-${i}`])));
    const tip = repo.git('rev-parse', 'main');
    many.forEach((r, i) => assert.deepEqual(r, i % 2 ? { code: 0, stdout: `${tip}\n`, stderr: '' } : { code: 1, stdout: '', stderr: '' }, `call ${i}`));
    // Several in one round trip stop at the first that fails, with the output of all that ran.
    const both = await shells.execAll(repo.root, [['rev-parse', 'main'], ['rev-parse', 'nope'], ['rev-parse', 'main']]);
    assert.equal(both.code, 128);
    assert.equal(both.stdout.split('\n')[0], tip);
    assert.match(both.stderr, /nope/);
    assert.equal(both.stdout.trim().split('\n').length, 2, 'the third did not run');
  } finally {
    await shells.close();
  }
});

test('the kept shells: git missing from PATH is the error a direct start gives; a shell killed mid-call fails that call only; close waits and leaves nothing', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  const emptyPath = mkdtempSync(join(tmpdir(), 'specdag-nogit-'));
  const noGit = new Git({ ...repo.env, PATH: emptyPath }).throughShells();
  try {
    await assert.rejects(noGit.exec(repo.root, ['status']), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  } finally {
    await noGit.close();
  }

  const git = new Git(repo.env).throughShells();
  // A git that takes its time (an alias that sleeps), and its shell killed meanwhile.
  const hang = git.exec(repo.root, ['-c', 'alias.hang=!sleep 3', 'hang']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const shellPids = childShells();
  assert.equal(shellPids.length, 1, 'one call, one kept shell, a child of this process');
  for (const pid of shellPids) process.kill(pid, 'SIGKILL');
  await assert.rejects(hang, /the shell that starts git ended/);
  // The next call starts a new shell and works.
  assert.equal((await git.line(repo.root, ['rev-parse', 'main'])), repo.git('rev-parse', 'main'));
  await git.close();
  // Once closed, its shells are gone.
  assert.deepEqual(childShells(), [], 'no kept shell outlives close');
  // The folder git's output went to goes when the process exits: a process of its own, with a temporary folder of its
  // own. The folder is in memory (/dev/shm) where there is one with room, else in the temporary folder.
  const tmp = mkdtempSync(join(tmpdir(), 'specdag-tmp-'));
  const places = [tmp, ...(existsSync('/dev/shm') ? ['/dev/shm'] : [])];
  const ours = (pid: string) => places.flatMap((p) => readdirSync(p).filter((n) => n.startsWith(`specdag-git-${pid}-`)).map((n) => join(p, n)));
  const script = `import { Git } from ${JSON.stringify(new URL('../../src/run/git.ts', import.meta.url).href)};
const { readdirSync } = await import('node:fs');
const git = new Git(process.env).throughShells();
await git.run(${JSON.stringify(repo.root)}, ['status']);
console.log(process.pid + ' ' + ${JSON.stringify(places)}.flatMap((p) => readdirSync(p).filter((n) => n.startsWith('specdag-git-' + process.pid + '-')).map((n) => p + '/' + n)).join(','));
await git.close();`;
  // The folder of a specdag that was killed outright (its pid is dead) is removed by the next one.
  const dead = String(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).trim());
  const stale = places.map((p) => mkdtempSync(join(p, `specdag-git-${dead}-`)));
  for (const dir of stale) writeFileSync(join(dir, '1.out'), 'left\n');
  const [pid, during] = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...repo.env, TMPDIR: tmp }, encoding: 'utf8' }).trim().split(' ');
  assert.equal(during?.split(',').length, 1, `one output folder while git runs: ${during}`);
  assert.deepEqual(ours(pid!), [], 'and gone once the process exited');
  const swept = stale.filter((dir) => dirname(dir) === dirname(during!));
  assert.equal(swept.length, 1);
  assert.equal(existsSync(swept[0]!), false, 'the folder of the dead one is gone from where it put its own');
  for (const dir of stale) rmSync(dir, { recursive: true, force: true });
});

test('the kept shells run no more commands at once than asked, those asked later after all others, and one that runs long no longer counts', async () => {
  const repo = makeRepo([{ id: 'a' }]);
  const marks = join(repo.ctl, 'marks');
  writeFileSync(marks, '');
  // A git alias that writes "<label> start", sleeps, then "<label> end": what ran when, and beside what.
  const step = (label: string, seconds: number): string[] => ['-c', `alias.step=!echo ${label} start >> '${marks}'; sleep ${seconds}; echo ${label} end >> '${marks}'`, 'step'];
  const log = () => readFileSync(marks, 'utf8').trim().split('\n');
  // One at a time: a command that takes its time, then two asked later and one asked as usual; the usual one runs
  // first, the later ones in the order asked.
  const single = new GitSpawner(repo.env, 1);
  try {
    const slow = single.exec(repo.root, [step('slow', 0.3)]);
    const queued = [single.exec(repo.root, [step('later1', 0)], true), single.exec(repo.root, [step('later2', 0)], true), single.exec(repo.root, [step('now', 0)])];
    for (const r of await Promise.all([slow, ...queued])) assert.equal(r.code, 0, r.stderr);
    const starts = log().filter((l) => l.endsWith(' start')).map((l) => l.split(' ')[0]);
    assert.deepEqual(starts, ['slow', 'now', 'later1', 'later2'], log().join('\n'));
  } finally {
    await single.close();
  }

  writeFileSync(marks, '');
  const spawner = new GitSpawner(repo.env, 2);
  try {
    // Five at once, two places: never more than two run at the same time.
    const five = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((label, i) => spawner.exec(repo.root, [step(label, 0.2)], i % 2 === 1)));
    for (const r of five) assert.equal(r.code, 0, r.stderr);
    let running = 0;
    let most = 0;
    for (const line of log()) {
      running += line.endsWith(' start') ? 1 : -1;
      most = Math.max(most, running);
    }
    assert.equal(most, 2, log().join('\n'));

    // Two commands that run for seconds (a slow commit hook, say): after a second, another starts beside them.
    writeFileSync(marks, '');
    const long = [spawner.exec(repo.root, [step('long1', 3)]), spawner.exec(repo.root, [step('long2', 3)])];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = Date.now();
    const quick = await spawner.exec(repo.root, [step('quick', 0)]);
    const waited = Date.now() - t0;
    assert.equal(quick.code, 0, quick.stderr);
    assert.ok(waited >= 800, `the third waited for its turn (${waited} ms)`);
    assert.deepEqual(log().slice(0, 4).map((l) => l.split(' ')[0]).sort(), ['long1', 'long2', 'quick', 'quick'], `and ran while the two still ran:\n${log().join('\n')}`);
    await Promise.all(long);
  } finally {
    await spawner.close();
  }
});
