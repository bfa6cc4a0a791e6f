import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { byId, makeRepo, type TaskDef } from './helpers.js';

// f1 → f2 (foundation); a, c after the foundation; b after a; z (integration) after b and c.
const GRAPH: TaskDef[] = [
  { id: 'f1', phase: 'foundation' },
  { id: 'f2', phase: 'foundation', deps: ['f1'] },
  { id: 'a' },
  { id: 'b', deps: ['a'] },
  { id: 'c' },
  { id: 'z', phase: 'integration', deps: ['b', 'c'] },
];

test('a full run: foundation in order, dependencies visible, merged into the target branch, base branch untouched', async () => {
  const repo = makeRepo(GRAPH);
  const base = repo.git('rev-parse', 'main');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(repo.git('rev-parse', 'main'), base, 'the base branch never moves');
  assert.equal(repo.git('status', '--porcelain'), '', 'the main checkout stays clean (.specdag ignores itself)');

  const events = repo.events();
  const at = (e: string) => events.indexOf(e);
  assert.ok(at('end f1') < at('start f2'), 'foundation tasks run one at a time, in dependency order');
  for (const id of ['a', 'b', 'c', 'z']) assert.ok(at('end f2') < at(`start ${id}`), `${id} starts after the foundation`);
  assert.ok(at('end a') < at('start b'), 'b waits for a');
  assert.ok(Math.max(at('end b'), at('end c')) < at('start z'), 'the integration task runs last');

  // b's worktree held a's work: out/ listed a.txt (and the foundation's files) when b started.
  const target = (path: string) => repo.git('show', `specdag/integration:${path}`);
  const seenByB = target('out/b.txt').split('\n');
  for (const f of ['a.txt', 'f1.txt', 'f2.txt']) assert.ok(seenByB.includes(f), `b saw ${f}`);
  assert.deepEqual(target('out/z.txt').split('\n'), ['z', 'a.txt', 'b.txt', 'c.txt', 'f1.txt', 'f2.txt']);
  assert.deepEqual(target('out/f2.txt').split('\n'), ['f2', 'f1.txt']);

  // Every task, whatever its phase, came in through a --no-ff merge of its own branch: the first-parent history reads like the plan.
  const firstParent = repo.git('log', '--first-parent', '--format=%s', 'main..specdag/integration').split('\n').reverse();
  const merged = firstParent.map((s) => /^Merge specdag\/([a-z0-9-]+): Task \1$/.exec(s)?.[1]);
  assert.deepEqual(merged.slice(0, 2), ['f1', 'f2'], 'the foundation first, in order');
  assert.deepEqual([...merged.slice(2, 5)].sort(), ['a', 'b', 'c']);
  assert.ok(merged.indexOf('a') < merged.indexOf('b'));
  assert.equal(merged[5], 'z', 'the integration task last');
  assert.equal(merged.length, 6, firstParent.join(' | '));
  assert.match(repo.git('log', '--format=%s', 'specdag/integration'), /^f1: Task f1$/m);
  const merges = repo.git('rev-list', '--merges', '--first-parent', 'main..specdag/integration').split('\n').filter(Boolean);
  assert.equal(merges.length, 6);
  assert.equal(repo.git('rev-list', '--no-merges', '--first-parent', 'main..specdag/integration'), '', 'the target branch moved only by merges');

  const state = repo.state();
  assert.equal(state.version, 1);
  assert.equal(state.status, 'finished');
  assert.equal(state.baseCommit, base);
  assert.equal(state.targetBranch, 'specdag/integration');
  assert.match(state.runId, /^\d{8}T\d{9}Z-[0-9a-f]{6}$/);
  const tasks = byId(state);
  assert.deepEqual(state.tasks.map((t) => t.id), ['f1', 'f2', 'a', 'c', 'b', 'z'], "the plan's order: by wave, then id");
  for (const t of state.tasks) {
    assert.equal(t.status, 'merged', t.id);
    assert.equal(t.exitCode, 0);
    assert.ok(t.startedAt && t.endedAt && t.commit);
    assert.deepEqual(t.outsideOwns, []);
    assert.ok(existsSync(t.log));
  }
  assert.equal(tasks.a!.branch, 'specdag/a');
  assert.equal(tasks.a!.worktree, join(repo.worktrees, 'a'));
  assert.equal(tasks.f1!.worktree, join(repo.worktrees, 'f1'));
  assert.equal(tasks.f1!.branch, 'specdag/f1');
  assert.equal(tasks.z!.branch, 'specdag/z');
  for (const t of state.tasks) assert.equal(repo.git('rev-parse', `${t.mergeCommit}^2`), t.commit, `${t.id}: its merge brought in its branch`);
  assert.ok(existsSync(join(repo.worktrees, 'a', 'out', 'a.txt')), 'task worktrees are left in place');
  assert.equal(repo.git('rev-parse', 'specdag/a'), tasks.a!.commit);

  // The agent got its prompt on stdin and the three variables.
  const prompt = readFileSync(join(repo.ctl, 'b.stdin'), 'utf8');
  assert.match(prompt, /Shared context: the demo project\./);
  assert.match(prompt, /# Task b/);
  assert.match(prompt, /`a`: Task a/);
  const env = readFileSync(join(repo.ctl, 'b.env'), 'utf8');
  assert.match(env, /^SPECDAG_TASK_ID=b$/m);
  assert.match(env, new RegExp(`^SPECDAG_SPEC_FILE=${join(repo.root, 'specs', 'b.md')}$`, 'm'));
  assert.match(env, new RegExp(`^SPECDAG_PROMPT_FILE=${tasks.b!.prompt}$`, 'm'));
  assert.equal(readFileSync(tasks.b!.prompt, 'utf8'), prompt);
  assert.equal(readFileSync(join(repo.ctl, 'b.cwd'), 'utf8').trim(), join(repo.worktrees, 'b'));

  assert.match(r.stdout, /^started a$/m);
  assert.match(r.stdout, /^merged z$/m);
  assert.match(r.stdout, /finished in .*6 merged/);

  const status = await repo.specdag(['status', '--format', 'json']);
  assert.equal(status.code, 0);
  const view = JSON.parse(status.stdout);
  assert.equal(view.runId, state.runId);
  assert.equal(view.status, 'finished');
  assert.equal(view.counts.merged, 6);
  assert.equal(view.tasks[0].exitCode, 0);
  assert.equal(typeof view.tasks[0].durationMs, 'number');
  const text = await repo.specdag(['status', state.runId]);
  assert.match(text.stdout, /^f1 +merged +\d+(\.\d)?s +0 +\.specdag\/runs\/.*\/f1\.log$/m);
  assert.match(text.stdout, /^  main → specdag\/integration \(\.\.\/repo\.worktrees\/integration\)\n  each task on its own branch specdag\/<task>, in \.\.\/repo\.worktrees\/<task>$/m);
  assert.equal(view.tasks.find((t: { id: string }) => t.id === 'f1').branch, 'specdag/f1');
  assert.equal(view.tasks.find((t: { id: string }) => t.id === 'f1').worktree, join(repo.worktrees, 'f1'));
});

test('a failure skips exactly its dependents; resume reruns only the failed and skipped tasks, on the kept branch', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b', deps: ['a'] }, { id: 'c', deps: ['b'] }, { id: 'd' }, { id: 'e', deps: ['d'] }]);
  const base = repo.git('rev-parse', 'main');
  repo.control('a', 'exit', '3');
  repo.control('a', 'leave');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1);
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.status, 'failed');
  assert.equal(tasks.a!.exitCode, 3);
  assert.equal(tasks.b!.status, 'skipped');
  assert.equal(tasks.c!.status, 'skipped');
  assert.equal(tasks.b!.reason, "depends on 'a', which failed");
  assert.equal(tasks.c!.reason, "depends on 'b', which was skipped");
  assert.equal(tasks.d!.status, 'merged');
  assert.equal(tasks.e!.status, 'merged');
  assert.match(r.stdout, /^failed a \(exit 3\), log: \.specdag\/runs\/.*\/a\.log$/m);
  assert.match(r.stdout, /resume with: specdag run specs --resume /);
  // The failed task's branch and worktree are kept as the agent left them, uncommitted work included.
  assert.equal(repo.git('rev-parse', 'specdag/a'), base, 'nothing was committed on specdag/a (it started from the target tip, still main)');
  assert.equal(readFileSync(join(repo.worktrees, 'a', 'out', 'a.partial'), 'utf8'), 'half done\n');
  assert.ok(!repo.git('ls-tree', '-r', '--name-only', 'specdag/integration').includes('out/a.txt'));

  repo.control('a', 'exit', '0');
  const runId = repo.state().runId;
  const before = repo.events().length;
  const again = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(repo.runs(), [runId], 'resume continues the same run');
  const rerun = repo.events().slice(before).filter((e) => e.startsWith('start'));
  assert.deepEqual(rerun, ['start a', 'start b', 'start c'], 'merged tasks are not run again');
  const after = byId(repo.state());
  for (const id of ['a', 'b', 'c', 'd', 'e']) assert.equal(after[id]!.status, 'merged', id);
  assert.equal(after.a!.attempts, 2);
  assert.equal(after.d!.attempts, 1);
  assert.equal(repo.state().resumes.length, 1);
  // The retry started from what the first attempt left: its partial file is committed with it.
  assert.equal(repo.git('show', 'specdag/integration:out/a.partial'), 'half done');
  assert.equal(repo.git('rev-parse', 'main'), base);
});

test('a file changed outside owns is reported on the output and in the state', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  repo.control('a', 'stray');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^warning a changed 1 file outside its owns: stray-a\.txt$/m);
  const tasks = byId(repo.state());
  assert.deepEqual(tasks.a!.outsideOwns, ['stray-a.txt']);
  assert.deepEqual(tasks.b!.outsideOwns, []);
  const status = await repo.specdag(['status']);
  assert.match(status.stdout, /outside its owns: stray-a\.txt/);
});

test('a merge conflict between two tasks stops only the second; the first and independent tasks merge', async () => {
  const repo = makeRepo([{ id: 'p' }, { id: 'q' }, { id: 'q2', deps: ['q'] }, { id: 'r' }]);
  repo.control('p', 'shared');
  repo.control('q', 'shared');
  repo.control('q', 'sleep', '0.6');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1);
  const tasks = byId(repo.state());
  // q sleeps, so p should merge first; whichever merged second is the one in conflict.
  const [first, second] = tasks.p!.status === 'merged' ? ['p', 'q'] : ['q', 'p'];
  assert.equal(tasks[first]!.status, 'merged');
  assert.equal(tasks[second]!.status, 'conflict');
  assert.equal(tasks.r!.status, 'merged');
  assert.match(tasks[second]!.reason!, /conflicts in shared\.txt/);
  assert.equal(tasks.q2!.status, second === 'q' ? 'skipped' : 'merged');
  assert.match(r.stdout, new RegExp(`^conflict ${second}: merging 'specdag/${second}' into 'specdag/integration' conflicts in shared\\.txt`, 'm'));
  assert.equal(repo.git('show', 'specdag/integration:shared.txt'), first);
  // The merge was aborted: the target worktree is clean; the second task's branch still holds its commit.
  assert.equal(repo.git('-C', join(repo.worktrees, 'integration'), 'status', '--porcelain'), '');
  assert.equal(repo.git('show', `specdag/${second}:shared.txt`), second);
  assert.equal(repo.git('rev-parse', `specdag/${second}`), tasks[second]!.commit);
});

test('a failed foundation task stops everything after it and keeps its work on its own branch', async () => {
  const repo = makeRepo([{ id: 'f1', phase: 'foundation' }, { id: 'f2', phase: 'foundation' }, { id: 'a' }]);
  repo.control('f1', 'exit', '1');
  repo.control('f1', 'leave');
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1);
  const tasks = byId(repo.state());
  assert.equal(tasks.f1!.status, 'failed');
  assert.equal(tasks.f2!.reason, "comes after foundation task 'f1', which failed");
  assert.equal(tasks.a!.reason, "comes after every foundation task, including 'f1', which failed");
  assert.ok(existsSync(join(repo.worktrees, 'f1', 'out', 'f1.partial')));
  assert.equal(repo.git('rev-parse', 'specdag/integration'), repo.git('rev-parse', 'main'), 'nothing reached the target branch');
  assert.equal(repo.git('-C', join(repo.worktrees, 'integration'), 'status', '--porcelain'), '', "the target worktree holds none of the failed task's work");
  // f2's worktree was made ahead while f1 worked; f2 never started, so it is gone again, and it never had a branch.
  assert.ok(!existsSync(join(repo.worktrees, 'f2')), 'the worktree made ahead for f2 was removed');
  assert.equal(repo.git('branch', '--list', 'specdag/f2'), '');

  repo.control('f1', 'exit', '0');
  const again = await repo.specdag(['run', 'specs', '--resume']);
  assert.equal(again.code, 0, again.stdout);
  assert.equal(repo.git('show', 'specdag/integration:out/f1.partial'), 'half done');
  assert.deepEqual(repo.events().filter((e) => e.startsWith('start')), ['start f1', 'start f1', 'start f2', 'start a']);
  assert.match(repo.git('show', 'specdag/integration:out/f2.txt'), /^f2\nf1\.partial\nf1\.txt$/, "f2 started from the target's tip with f1 merged");
});

test('while a foundation task works, the worktrees of the tasks waiting for it are made ahead, detached; each gets its branch from the tip with it merged', async () => {
  const repo = makeRepo([{ id: 'f', phase: 'foundation' }, { id: 'a' }, { id: 'b' }]);
  // f looks at its sibling worktrees while it works: made ahead and checked out, but on no branch yet.
  repo.control(
    'f',
    'run',
    'for i in $(seq 200); do if [ -f ../a/README.md ] && [ -f ../b/README.md ]; then break; fi; sleep 0.05; done\nfor w in a b; do git -C "../$w" rev-parse --abbrev-ref HEAD 2>&1 || echo missing; done > "$AGENT_CTL/seen-by-f"\n',
  );
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(readFileSync(join(repo.ctl, 'seen-by-f'), 'utf8'), 'HEAD\nHEAD\n', 'both were detached worktrees while f worked');
  const mergedF = byId(repo.state()).f!.mergeCommit!;
  for (const id of ['a', 'b']) {
    assert.equal(repo.git('-C', join(repo.worktrees, id), 'symbolic-ref', '--short', 'HEAD'), `specdag/${id}`);
    assert.equal(repo.git('merge-base', `specdag/${id}`, mergedF), mergedF, `specdag/${id} starts from the target with f merged`);
    assert.equal(repo.git('show', `specdag/integration:out/${id}.txt`), `${id}\nf.txt`, `${id}'s agent found f's work`);
  }
});

test('--max-parallel 1 and 8 give the same final tree', async () => {
  const tasks: TaskDef[] = [
    { id: 'f', phase: 'foundation' },
    ...['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })),
    { id: 'g', deps: ['a', 'b'] },
    { id: 'z', phase: 'integration', deps: ['c', 'd', 'e', 'g'] },
  ];
  const one = makeRepo(tasks);
  const eight = makeRepo(tasks);
  for (const repo of [one, eight]) {
    writeFileSync(join(repo.ctl, 'deterministic'), '');
    repo.control('g', 'sees', 'a.txt b.txt f.txt');
    repo.control('z', 'sees', 'a.txt b.txt c.txt d.txt e.txt f.txt g.txt');
  }
  const r1 = await one.specdag(['run', 'specs', '--max-parallel', '1']);
  const r8 = await eight.specdag(['run', 'specs', '--max-parallel', '8']);
  assert.equal(r1.code, 0);
  assert.equal(r8.code, 0);
  assert.equal(one.state().maxParallel, 1);
  assert.equal(eight.state().maxParallel, 8);
  // With one slot, no two agents overlap.
  const ev = one.events();
  for (let i = 0; i < ev.length; i += 2) assert.equal(ev[i]!.replace('start', 'end'), ev[i + 1]);
  assert.equal(one.git('ls-tree', '-r', 'specdag/integration'), eight.git('ls-tree', '-r', 'specdag/integration'));
  assert.equal(one.git('rev-parse', 'specdag/integration^{tree}'), eight.git('rev-parse', 'specdag/integration^{tree}'));
  assert.equal(eight.git('show', 'specdag/integration:out/g.txt'), 'g\na.txt\nb.txt\nf.txt');
  assert.equal(eight.git('show', 'specdag/integration:out/z.txt').split('\n').length, 8);
});

test('a fast task\'s dependent starts while a slow, unrelated task still runs', async () => {
  const repo = makeRepo([{ id: 'slow' }, { id: 'fast' }, { id: 'next', deps: ['fast'] }]);
  // slow ends only once next has started (or after 2 minutes, which fails the test): no race with a busy machine.
  repo.control('slow', 'run', 'for i in $(seq 1200); do grep -qx "start next" "$ctl/events.log" && break; sleep 0.1; done\n');
  const r = await repo.specdag(['run', 'specs', '--max-parallel', '2']);
  assert.equal(r.code, 0);
  const ev = repo.events();
  assert.ok(ev.indexOf('start next') < ev.indexOf('end slow'), ev.join(', '));
});

test('--timeout fails a task that runs too long and kills its process group', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  repo.control('a', 'sleep', '30');
  const t0 = Date.now();
  // The command line takes whole minutes; the function under it takes any fraction.
  const { runRun } = await import('../../src/cli/run.js');
  let stdout = '';
  const code = await runRun({ dir: 'specs', dryRun: false, timeoutMinutes: 0.01 }, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, cwd: repo.root, env: repo.env });
  assert.equal(code, 1);
  assert.ok(Date.now() - t0 < 10_000, 'the sleeping agent was killed');
  const tasks = byId(repo.state());
  assert.equal(tasks.a!.status, 'failed');
  assert.equal(tasks.a!.timedOut, true);
  assert.equal(tasks.b!.status, 'merged');
  assert.match(stdout, /^failed a \(timed out\), log: /m);
});

test('status: done tasks are not run and count as finished; a draft is not run and its dependents are skipped', async () => {
  const repo = makeRepo([{ id: 'old', status: 'done' }, { id: 'uses-old', deps: ['old'] }, { id: 'idea', status: 'draft' }, { id: 'after-idea', deps: ['idea'] }]);
  const r = await repo.specdag(['run', 'specs']);
  assert.equal(r.code, 1, 'a task was skipped because of the draft');
  const tasks = byId(repo.state());
  assert.equal(tasks.old!.status, 'skipped');
  assert.equal(tasks.old!.alreadyDone, true);
  assert.equal(tasks['uses-old']!.status, 'merged');
  assert.equal(tasks.idea!.status, 'skipped');
  assert.equal(tasks['after-idea']!.status, 'skipped');
  assert.equal(tasks['after-idea']!.reason, "depends on 'idea', which is a draft");
  assert.ok(!repo.events().includes('start old'));
  assert.ok(!repo.events().includes('start idea'));
});

test('progress on a TTY is one status line rewritten in place', async () => {
  const repo = makeRepo([{ id: 'a' }, { id: 'b' }]);
  repo.control('a', 'exit', '2');
  const r = await repo.specdag(['run', 'specs'], { tty: true });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\r\u001b\[K/);
  assert.match(r.stdout, /specdag: \d running.* · \d done · \d failed · \d pending · \d+(\.\d)?s/);
  assert.match(r.stdout, /failed a \(exit 2\), log: /, 'failures are printed as lines');
  assert.doesNotMatch(r.stdout, /^started a$/m, 'no plain event lines on a TTY');
});

test('a free slot goes to the task with the longest chain of work behind it', async () => {
  const repo = makeRepo([{ id: 'a-short', estimate: '15m' }, { id: 'x', estimate: '2h' }, { id: 'y', deps: ['x'], estimate: '2h' }]);
  const r = await repo.specdag(['run', 'specs', '--max-parallel', '1']);
  assert.equal(r.code, 0);
  // By id, a-short would go first; x heads a 4-hour chain. (While x is merged, the free slot goes to a-short: y is not ready yet.)
  assert.equal(repo.events()[0], 'start x');
});
