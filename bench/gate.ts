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
 *      ((calls for N tasks − calls for the foundation alone) / N);
 *   4. what one-at-a-time merges cost when the check is slow: 8 one-second
 *      tasks at max_parallel 8 whose check takes --slow-check seconds, once
 *      with that check as each spec's own verify (no merge gate) and once as
 *      PROJECT.md's (every merge checked, one at a time).
 * Prints the medians of the rounds; the exit code is 0 unless a run failed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

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

const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

const BASE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  NO_COLOR: '1',
};

const spec = (id: string, phase: string, verify?: string) =>
  `---\nid: ${id}\ntitle: Task ${id}\nphase: ${phase}\nowns: [out/${id}.txt]\nestimate: 1h\n${verify ? `verify: '${verify}'\n` : ''}---\n\n# ${id}\n\n## Goal\nWrite out/${id}.txt.\n\n## Acceptance criteria\n- [ ] out/${id}.txt exists\n`;

/** No check; PROJECT.md's verify (each task's check and the merge gate); or the same check as each spec's own verify (no gate). */
type Checks = { kind: 'none' } | { kind: 'gate'; command: string } | { kind: 'task-only'; command: string };

interface Measured {
  ms: number;
  /** CPU time of specdag and everything it started (git, sh, the agents), from this process's reaped children. */
  cpuMs: number;
  /** git processes started by specdag (and by the agents, which start none here). */
  gitCalls: number;
}

/** A repository with `tasks` parallel tasks and one foundation task; the agent sleeps `sleep` seconds, then writes its file. */
function run(tasks: number, sleep: number, parallel: number, checks: Checks): Measured {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'specdag-gate-')));
  try {
    const root = join(top, 'repo');
    mkdirSync(join(root, 'specs'), { recursive: true });
    const agent = join(top, 'agent.sh');
    writeFileSync(agent, `#!/bin/sh\ncat > /dev/null\n${sleep > 0 ? `sleep ${sleep}\n` : ''}mkdir -p out\necho "$SPECDAG_TASK_ID" > "out/$SPECDAG_TASK_ID.txt"\n`);
    chmodSync(agent, 0o755);
    // A git that counts its calls: one line per process, then the real git.
    const bin = join(top, 'bin');
    mkdirSync(bin);
    const calls = join(top, 'git-calls');
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho x >> '${calls}'\nexec '${REAL_GIT}' "$@"\n`);
    chmodSync(join(bin, 'git'), 0o755);
    writeFileSync(
      join(root, 'specs', 'PROJECT.md'),
      `---\nproject: bench\nbase_branch: main\nmax_parallel: ${parallel}\n${checks.kind === 'gate' ? `verify: '${checks.command}'\n` : ''}default_agent: stub\nagents:\n  stub: sh ${agent}\n---\n# Bench\n`,
    );
    const own = checks.kind === 'task-only' ? checks.command : undefined;
    writeFileSync(join(root, 'specs', 'base.md'), spec('base', 'foundation', own));
    for (let i = 1; i <= tasks; i++) writeFileSync(join(root, 'specs', `t${String(i).padStart(2, '0')}.md`), spec(`t${String(i).padStart(2, '0')}`, 'parallel', own));
    const git = (...args: string[]) => execFileSync(REAL_GIT, ['-C', root, ...args], { env: BASE_ENV, stdio: 'ignore' });
    git('init', '--quiet', '-b', 'main');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'initial');
    const env = { ...BASE_ENV, PATH: `${bin}${delimiter}${BASE_ENV.PATH ?? ''}` };
    const cpu0 = childrenCpuMs();
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, 'run', 'specs'], { cwd: root, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpuMs = childrenCpuMs() - cpu0;
    if (r.status !== 0) {
      process.stderr.write(r.stdout + r.stderr);
      throw new Error(`specdag run exited ${r.status} in ${top}`);
    }
    return { ms, cpuMs, gitCalls: readFileSync(calls, 'utf8').split('\n').filter(Boolean).length };
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

/**
 * CPU time (user + system) of this process's children that have ended,
 * descendants included (each parent adds what it reaped): on a machine
 * shared with other work this says what a run costs better than its wall
 * time. Linux only (/proc); 0 elsewhere.
 */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state is field 3; cutime and cstime are fields 16 and 17 (1-based), in clock ticks (100 a second on Linux).
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return 0;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const loadBefore = loadavg()[0]!;
const schedule: number[] = [];
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
  const sched = run(N, SLEEP, P, TRUE);
  schedule.push(sched.ms);
  scheduleCpu.push(sched.cpuMs);
  // Interleaved, so a change in the machine's load falls on both sides alike.
  gated.push(run(N, 0, 1, TRUE));
  plain.push(run(N, 0, 1, NONE));
  gatedAlone.push(run(0, 0, 1, TRUE));
  plainAlone.push(run(0, 0, 1, NONE));
  slowGate.push(run(8, 1, 8, { kind: 'gate', command: `sleep ${SLOW}` }).ms);
  slowOwn.push(run(8, 1, 8, { kind: 'task-only', command: `sleep ${SLOW}` }).ms);
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
console.log(`    cpu  ${sec(median(scheduleCpu))} for the whole run (specdag, git, sh, the agents: ${Math.round(median(scheduleCpu) / (N + 1))} ms a task)`);
console.log(`  gate overhead per merge (${N} no-op tasks at max_parallel 1, verify: true against none; includes the task's own check):`);
console.log(`    ${Math.round(perMerge)} ms  (${sec(median(gated.map((m) => m.ms)))} against ${sec(median(plain.map((m) => m.ms)))}) (goal ≤ 150 ms) ${perMerge <= 150 ? 'ok' : 'MISSED'}`);
console.log(`    cpu ${Math.round((median(gated.map((m) => m.cpuMs)) - median(plain.map((m) => m.cpuMs))) / N)} ms per merge; a whole no-op task costs ${Math.round((median(plain.map((m) => m.cpuMs)) - median(plainAlone.map((m) => m.cpuMs))) / N)} ms of cpu without verify`);
console.log(`  git processes per task: ${callsPerTask(plain, plainAlone).toFixed(1)} without verify, ${callsPerTask(gated, gatedAlone).toFixed(1)} with (whole run, ${N} tasks: ${median(plain.map((m) => m.gitCalls))} / ${median(gated.map((m) => m.gitCalls))})`);
console.log(`  one merge at a time with a ${SLOW} s check: 1 foundation + 8 one-second tasks, max_parallel 8:`);
console.log(`    ${sec(median(slowGate))} with every merge checked, ${sec(median(slowOwn))} with only each task's own check (${sec(median(slowGate) - median(slowOwn))} more: 9 merges × ${SLOW} s in a row)`);
