/**
 * The run benchmark (build first: it runs dist/cli/bin.js, as a user would).
 *
 *   node --import tsx bench/schedule.ts [--rounds 3] [--tasks 30] [--parallel 8] [--sleep 1] [--files 0]
 *
 * In fresh temporary git repositories, `specdag run` on one foundation task
 * and N parallel tasks whose stand-in agent sleeps S seconds, at
 * max_parallel P: the wall time against the ideal schedule, S × (1 +
 * ceil(N / P)), goal ≤ 1.3×. Then the overhead per task (worktree, commit,
 * merge, state writes) with an agent that sleeps nothing and writes one file,
 * at max_parallel 1: (run with N parallel tasks − run with the foundation
 * alone) / N. The repository holds the specs and --files more
 * source files; each worktree checks all of them out, so on a slow disk the
 * overhead grows with --files. Prints the medians of the rounds; the exit
 * code is 0 unless a run failed.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { BENCH_ENV, BIN, makeRunRepo, median, removeRunRepo, sec, standInAlone, standInLine, timed } from './run-repo.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '30' },
    parallel: { type: 'string', default: '8' },
    sleep: { type: 'string', default: '1' },
    files: { type: 'string', default: '0' },
  },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.tasks);
const P = Number(values.parallel);
const SLEEP = Number(values.sleep);
const FILES = Number(values.files);

function measure(tasks: number, sleep: number, parallel: number): { ms: number; cpuMs: number } {
  const { top, root } = makeRunRepo({ tasks, sleep, parallel, files: FILES });
  try {
    return timed(process.execPath, [BIN, 'run', 'specs'], root, BENCH_ENV);
  } finally {
    removeRunRepo(top);
  }
}

const loadBefore = loadavg()[0]!;
const schedule: number[] = [];
const alone: number[] = [];
const withTasks: number[] = [];
const foundationOnly: number[] = [];
const cpuWith: number[] = [];
const cpuWithout: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  schedule.push(measure(N, SLEEP, P).ms);
  alone.push(standInAlone(SLEEP));
  const a = measure(N, 0, 1);
  const b = measure(0, 0, 1);
  withTasks.push(a.ms);
  foundationOnly.push(b.ms);
  cpuWith.push(a.cpuMs);
  cpuWithout.push(b.cpuMs);
  process.stderr.write(`round ${round + 1}/${ROUNDS}: schedule ${sec(schedule[round]!)}, ${N} no-op tasks ${sec(withTasks[round]!)}, foundation alone ${sec(foundationOnly[round]!)}\n`);
}

const idealMs = SLEEP * 1000 * (1 + Math.ceil(N / P));
const wall = median(schedule);
const perTask = (median(withTasks) - median(foundationOnly)) / N;
const ratio = wall / idealMs;
const gitVersion = execFileSync('git', ['--version'], { encoding: 'utf8' }).trim().replace('git version ', '');
console.log(`specdag run benchmark (${cpus().length} cores, git ${gitVersion}, load average ${loadBefore.toFixed(1)} before / ${loadavg()[0]!.toFixed(1)} after, medians of ${ROUNDS} rounds)`);
console.log(`  repository: ${N + 2 + FILES} files (the specs${FILES ? ` and ${FILES} source files` : ''}), checked out once per worktree`);
console.log(`  schedule: 1 foundation + ${N} parallel tasks, agent sleeps ${SLEEP} s, max_parallel ${P}`);
console.log(`    wall ${sec(wall)}, ideal ${sec(idealMs)} (${SLEEP} s × (1 + ceil(${N}/${P}))): ${ratio.toFixed(2)}× (goal ≤ 1.30×) ${ratio <= 1.3 ? 'ok' : 'MISSED'}`);
console.log(standInLine(alone, SLEEP));
console.log(`  overhead per task (worktree + agent start + commit + merge + state writes, max_parallel 1):`);
console.log(`    wall ${Math.round(perTask)} ms  ((${sec(median(withTasks))} for ${N} no-op tasks − ${sec(median(foundationOnly))} for the foundation alone) / ${N})`);
const cpuPerTask = (median(cpuWith) - median(cpuWithout)) / N;
console.log(`    cpu  ${Math.round(cpuPerTask)} ms  (user + sys of specdag, git, sh and the agent; less sensitive to a busy machine than wall time)`);
