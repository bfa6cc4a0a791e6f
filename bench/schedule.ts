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
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
    files: { type: 'string', default: '0' },
  },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.tasks);
const P = Number(values.parallel);
const SLEEP = Number(values.sleep);
const FILES = Number(values.files);

const ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  NO_COLOR: '1',
};

const spec = (id: string, phase: string) =>
  `---\nid: ${id}\ntitle: Task ${id}\nphase: ${phase}\nowns: [out/${id}.txt]\nestimate: 1h\n---\n\n# ${id}\n\n## Goal\nWrite out/${id}.txt.\n\n## Acceptance criteria\n- [ ] out/${id}.txt exists\n`;

/** A repository with `tasks` parallel tasks, one foundation task, and an agent that sleeps `sleep` seconds then writes its file. */
function makeRepo(tasks: number, sleep: number, parallel: number): string {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'specdag-bench-')));
  const root = join(top, 'repo');
  mkdirSync(join(root, 'specs'), { recursive: true });
  const agent = join(top, 'agent.sh');
  writeFileSync(agent, `#!/bin/sh\ncat > /dev/null\n${sleep > 0 ? `sleep ${sleep}\n` : ''}mkdir -p out\necho "$SPECDAG_TASK_ID" > "out/$SPECDAG_TASK_ID.txt"\n`);
  chmodSync(agent, 0o755);
  writeFileSync(
    join(root, 'specs', 'PROJECT.md'),
    `---\nproject: bench\nbase_branch: main\nmax_parallel: ${parallel}\ndefault_agent: stub\nagents:\n  stub: sh ${agent}\n---\n# Bench\n`,
  );
  writeFileSync(join(root, 'specs', 'base.md'), spec('base', 'foundation'));
  for (let i = 1; i <= tasks; i++) writeFileSync(join(root, 'specs', `t${String(i).padStart(2, '0')}.md`), spec(`t${String(i).padStart(2, '0')}`, 'parallel'));
  // Extra files make every checkout (one per worktree) and merge slower: --files shows how much.
  for (let i = 0; i < FILES; i++) {
    mkdirSync(join(root, 'src', `m${i % 10}`), { recursive: true });
    writeFileSync(join(root, 'src', `m${i % 10}`, `f${i}.ts`), `export const v${i} = ${i};\n`.repeat(20));
  }
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { env: ENV, stdio: 'ignore' });
  git('init', '--quiet', '-b', 'main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'initial');
  return top;
}

/** GNU time, when installed, adds the CPU time of specdag and everything it started (git, sh, the agents). */
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeRun(top: string): { ms: number; cpuMs?: number } {
  const cpuFile = join(top, 'cpu.txt');
  const command = [process.execPath, BIN, 'run', 'specs'];
  const [file, args] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S', '-o', cpuFile, ...command]] : [command[0]!, command.slice(1)];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: join(top, 'repo'), env: ENV, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`specdag run exited ${r.status} in ${top}`);
  }
  if (!GNU_TIME) return { ms };
  const [user, sys] = readFileSync(cpuFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { ms, cpuMs: (user! + sys!) * 1000 };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function measure(tasks: number, sleep: number, parallel: number): { ms: number; cpuMs?: number } {
  const top = makeRepo(tasks, sleep, parallel);
  try {
    return timeRun(top);
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

const loadBefore = loadavg()[0]!;
const schedule: number[] = [];
const withTasks: number[] = [];
const foundationOnly: number[] = [];
const cpuWith: number[] = [];
const cpuWithout: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  schedule.push(measure(N, SLEEP, P).ms);
  const a = measure(N, 0, 1);
  const b = measure(0, 0, 1);
  withTasks.push(a.ms);
  foundationOnly.push(b.ms);
  if (a.cpuMs !== undefined && b.cpuMs !== undefined) {
    cpuWith.push(a.cpuMs);
    cpuWithout.push(b.cpuMs);
  }
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
console.log(`  overhead per task (worktree + agent start + commit + merge + state writes, max_parallel 1):`);
console.log(`    wall ${Math.round(perTask)} ms  ((${sec(median(withTasks))} for ${N} no-op tasks − ${sec(median(foundationOnly))} for the foundation alone) / ${N})`);
if (cpuWith.length > 0) {
  const cpuPerTask = (median(cpuWith) - median(cpuWithout)) / N;
  console.log(`    cpu  ${Math.round(cpuPerTask)} ms  (user + sys of specdag, git, sh and the agent; less sensitive to a busy machine than wall time)`);
}
