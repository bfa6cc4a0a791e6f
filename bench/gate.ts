/**
 * The merge-gate benchmark (build first: it runs dist/cli/bin.js, as a user would).
 *
 *   node --import tsx bench/gate.ts [--rounds 3] [--tasks 30] [--parallel 8] [--sleep 1]
 *
 * In fresh temporary git repositories, with `verify: true` in PROJECT.md (so
 * every task runs its check and every merge is made in the merge-check
 * worktree and checked there before the target moves):
 *   1. the schedule: one foundation task and N parallel tasks whose stand-in
 *      agent sleeps S seconds, at max_parallel P, against the ideal
 *      S × (1 + ceil(N / P)); goal ≤ 1.35×;
 *   2. the gate's overhead per merge: N no-op tasks at max_parallel 1 with
 *      `verify: true` against the same without verify, divided by N (it
 *      includes the task's own `true` in its worktree); goal ≤ 150 ms;
 *   3. the git processes a run starts per task, with and without verify:
 *      a `git` on PATH that counts its calls, then hands over to the real one
 *      ((calls for N tasks − calls for the foundation alone) / N), in the
 *      no-op runs of 2 only (the wrapper is a shell more per call: the timed
 *      schedules of 1 and 4 run the real git); the processes git starts
 *      itself (`worktree add` its `branch` and `symbolic-ref`, `merge` its
 *      `stash create`) do not go through PATH and are not counted;
 *   4. what one-at-a-time merges cost when the check is slow: 8 one-second
 *      tasks at max_parallel 8 whose check takes --slow-check seconds, once
 *      with that check as each spec's own verify (no merge gate) and once as
 *      PROJECT.md's (every merge checked, one at a time).
 * Prints the medians of the rounds; the exit code is 0 unless a run failed.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_ENV, BIN, makeRunRepo, median, REAL_GIT, removeRunRepo, sec, standInAlone, standInLine, timed } from './run-repo.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '30' },
    parallel: { type: 'string', default: '8' },
    sleep: { type: 'string', default: '1' },
    'slow-check': { type: 'string', default: '2' },
  },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.tasks);
const P = Number(values.parallel);
const SLEEP = Number(values.sleep);
const SLOW = Number(values['slow-check']);

/** No check; PROJECT.md's verify (each task's check and the merge gate); or the same check as each spec's own verify (no gate). */
type Checks = { kind: 'none' } | { kind: 'gate'; command: string } | { kind: 'task-only'; command: string };

interface Measured {
  ms: number;
  /** CPU time of specdag and everything it started (git, sh, the agents), from this process's reaped children. */
  cpuMs: number;
  /** git processes started by specdag (and by the agents, which start none here). */
  gitCalls: number;
}

/**
 * A repository with `tasks` parallel tasks and one foundation task; the agent writes its file, then sleeps `sleep` seconds
 * (see run-repo.ts). `count`: git's calls are counted (through a wrapper script, a shell more per call: not for timed schedules).
 */
function run(tasks: number, sleep: number, parallel: number, checks: Checks, count = true): Measured {
  const { top, root } = makeRunRepo({
    tasks,
    sleep,
    parallel,
    ...(checks.kind === 'gate' ? { project: `verify: '${checks.command}'\n` } : {}),
    ...(checks.kind === 'task-only' ? { specVerify: checks.command } : {}),
  });
  try {
    if (!count) return { ...timed(process.execPath, [BIN, 'run', 'specs'], root, BENCH_ENV), gitCalls: 0 };
    // A git that counts its calls: one line per process, then the real git.
    const bin = join(top, 'bin');
    mkdirSync(bin);
    const calls = join(top, 'git-calls');
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho x >> '${calls}'\nexec '${REAL_GIT}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const env = { ...BENCH_ENV, PATH: `${bin}${delimiter}${BENCH_ENV.PATH ?? ''}` };
    const { ms, cpuMs } = timed(process.execPath, [BIN, 'run', 'specs'], root, env);
    return { ms, cpuMs, gitCalls: readFileSync(calls, 'utf8').split('\n').filter(Boolean).length };
  } finally {
    removeRunRepo(top);
  }
}

/**
 * The CPU of the work alone, without specdag: each task's stand-in agent
 * (with no sleep) and its two checks (`sh -c true`: its own and its merge's),
 * started one after another from this small process.
 */
function workAlone(tasks: number): number {
  const { top, root } = makeRunRepo({ tasks, sleep: 0, parallel: 1 });
  try {
    let cpu = 0;
    for (let i = 0; i <= tasks; i++) {
      const env = { ...BENCH_ENV, SPECDAG_TASK_ID: `t${i}` };
      cpu += timed('sh', ['-c', `sh ${join(top, 'agent.sh')}`], root, env).cpuMs;
      for (let c = 0; c < 2; c++) cpu += timed('sh', ['-c', 'true'], root, env).cpuMs;
    }
    return cpu;
  } finally {
    removeRunRepo(top);
  }
}

const loadBefore = loadavg()[0]!;
const workCpu: number[] = [];
const schedule: number[] = [];
const alone: number[] = [];
const scheduleCpu: number[] = [];
const gated: Measured[] = [];
const plain: Measured[] = [];
const gatedAlone: Measured[] = [];
const plainAlone: Measured[] = [];
const slowGate: number[] = [];
const slowOwn: number[] = [];
const TRUE: Checks = { kind: 'gate', command: 'true' };
const NONE: Checks = { kind: 'none' };
for (let round = 0; round < ROUNDS; round++) {
  const sched = run(N, SLEEP, P, TRUE, false);
  workCpu.push(workAlone(N));
  schedule.push(sched.ms);
  alone.push(standInAlone(SLEEP));
  scheduleCpu.push(sched.cpuMs);
  // Interleaved, so a change in the machine's load falls on both sides alike.
  gated.push(run(N, 0, 1, TRUE));
  plain.push(run(N, 0, 1, NONE));
  gatedAlone.push(run(0, 0, 1, TRUE));
  plainAlone.push(run(0, 0, 1, NONE));
  slowGate.push(run(8, 1, 8, { kind: 'gate', command: `sleep ${SLOW}` }, false).ms);
  slowOwn.push(run(8, 1, 8, { kind: 'task-only', command: `sleep ${SLOW}` }, false).ms);
  process.stderr.write(`round ${round + 1}/${ROUNDS}: schedule ${sec(schedule[round]!)}, ${N} no-op tasks gated ${sec(gated[round]!.ms)} / plain ${sec(plain[round]!.ms)}\n`);
}

const idealMs = SLEEP * 1000 * (1 + Math.ceil(N / P));
const wall = median(schedule);
const ratio = wall / idealMs;
const perMerge = (median(gated.map((m) => m.ms)) - median(plain.map((m) => m.ms))) / N;
const callsPerTask = (with_: Measured[], alone: Measured[]) => (median(with_.map((m) => m.gitCalls)) - median(alone.map((m) => m.gitCalls))) / N;
const gitVersion = execFileSync(REAL_GIT, ['--version'], { encoding: 'utf8' }).trim().replace('git version ', '');
console.log(`specdag merge-gate benchmark (${cpus().length} cores, git ${gitVersion}, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after, medians of ${ROUNDS} rounds)`);
console.log(`  schedule with verify: true: 1 foundation + ${N} parallel tasks, agent sleeps ${SLEEP} s, max_parallel ${P}`);
console.log(`    wall ${sec(wall)}, ideal ${sec(idealMs)} (${SLEEP} s × (1 + ceil(${N}/${P}))): ${ratio.toFixed(2)}× (goal ≤ 1.35×) ${ratio <= 1.35 ? 'ok' : 'MISSED'}`);
console.log(standInLine(alone, SLEEP));
console.log(`    cpu  ${sec(median(scheduleCpu))} for the whole run (specdag, git, sh, the agents: ${Math.round(median(scheduleCpu) / (N + 1))} ms a task)`);
console.log(`    of which the agents and checks themselves, started without specdag: ${sec(median(workCpu))}`);
console.log(`    that cpu spread over ${cpus().length} cores takes ${sec(median(scheduleCpu) / cpus().length)} at the least: ${(median(scheduleCpu) / cpus().length / idealMs).toFixed(2)}× the ideal before any task waits for another`);
console.log(`  gate overhead per merge (${N} no-op tasks at max_parallel 1, verify: true against none; includes the task's own check):`);
console.log(`    ${Math.round(perMerge)} ms  (${sec(median(gated.map((m) => m.ms)))} against ${sec(median(plain.map((m) => m.ms)))}) (goal ≤ 150 ms) ${perMerge <= 150 ? 'ok' : 'MISSED'}`);
console.log(`    cpu ${Math.round((median(gated.map((m) => m.cpuMs)) - median(plain.map((m) => m.cpuMs))) / N)} ms per merge; a whole no-op task costs ${Math.round((median(plain.map((m) => m.cpuMs)) - median(plainAlone.map((m) => m.cpuMs))) / N)} ms of cpu without verify`);
console.log(`  git processes per task: ${callsPerTask(plain, plainAlone).toFixed(1)} without verify, ${callsPerTask(gated, gatedAlone).toFixed(1)} with (whole run, ${N} tasks: ${median(plain.map((m) => m.gitCalls))} / ${median(gated.map((m) => m.gitCalls))})`);
console.log(`  one merge at a time with a ${SLOW} s check: 1 foundation + 8 one-second tasks, max_parallel 8:`);
console.log(`    ${sec(median(slowGate))} with every merge checked, ${sec(median(slowOwn))} with only each task's own check (${sec(median(slowGate) - median(slowOwn))} more: 9 merges × ${SLOW} s in a row)`);
