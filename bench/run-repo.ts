/**
 * What the run benchmarks (schedule.ts, gate.ts) share: a fresh git
 * repository with one foundation task and N parallel tasks whose stand-in
 * agent writes <id>.txt, then sleeps; `specdag run` on it, timed as a child
 * process; medians.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

/** The git on PATH (found once: a benchmark may put a counting git in front of it). */
export const REAL_GIT = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

/** Git that works the same on any machine: no global or system config, a fixed identity. */
export const BENCH_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  NO_COLOR: '1',
};

export interface RunRepoOptions {
  tasks: number;
  /** Seconds the agent sleeps before it writes its file. */
  sleep: number;
  parallel: number;
  /** More PROJECT.md lines (`verify: 'true'`). */
  project?: string;
  /** Each spec's own `verify`. */
  specVerify?: string;
  /** Extra source files in the repository, checked out in every worktree. */
  files?: number;
}

const spec = (id: string, phase: string, verify?: string) =>
  `---\nid: ${id}\ntitle: Task ${id}\nphase: ${phase}\nowns: [${id}.txt]\nestimate: 1h\n${verify ? `verify: '${verify}'\n` : ''}---\n\n# ${id}\n\n## Goal\nWrite ${id}.txt.\n\n## Acceptance criteria\n- [ ] ${id}.txt exists\n`;

/** A new temporary folder holding `repo/` (committed on main) and the agent; remove it with removeRunRepo. */
export function makeRunRepo(o: RunRepoOptions): { top: string; root: string } {
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'specdag-bench-')));
  const root = join(top, 'repo');
  mkdirSync(join(root, 'specs'), { recursive: true });
  const agent = join(top, 'agent.sh');
  // A task of `sleep` seconds, as near as a shell script gets: its work is one builtin, then it becomes `sleep`. It
  // leaves the prompt on its stdin unread (a file: nothing waits for it). Until 2026-12-07 it ran `cat` (reading
  // the prompt), `sleep` as a child and `mkdir`: three processes more a task, no part of specdag's cost, 10 ms
  // longer a task at rest (1.030 s against 1.020 s, timed from bash) and more under load, on every link of the
  // schedule's chain.
  writeFileSync(agent, `#!/bin/sh\necho "$SPECDAG_TASK_ID" > "$SPECDAG_TASK_ID.txt"\n${o.sleep > 0 ? `exec sleep ${o.sleep}\n` : ''}`);
  chmodSync(agent, 0o755);
  writeFileSync(
    join(root, 'specs', 'PROJECT.md'),
    `---\nproject: bench\nbase_branch: main\nmax_parallel: ${o.parallel}\n${o.project ?? ''}default_agent: stub\nagents:\n  stub: sh ${agent}\n---\n# Bench\n`,
  );
  writeFileSync(join(root, 'specs', 'base.md'), spec('base', 'foundation', o.specVerify));
  for (let i = 1; i <= o.tasks; i++) {
    const id = `t${String(i).padStart(2, '0')}`;
    writeFileSync(join(root, 'specs', `${id}.md`), spec(id, 'parallel', o.specVerify));
  }
  // Extra files make every checkout (one per worktree) and merge slower.
  for (let i = 0; i < (o.files ?? 0); i++) {
    mkdirSync(join(root, 'src', `m${i % 10}`), { recursive: true });
    writeFileSync(join(root, 'src', `m${i % 10}`, `f${i}.ts`), `export const v${i} = ${i};\n`.repeat(20));
  }
  const git = (...args: string[]) => execFileSync(REAL_GIT, ['-C', root, ...args], { env: BENCH_ENV, stdio: 'ignore' });
  git('init', '--quiet', '-b', 'main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'initial');
  return { top, root };
}

/**
 * How long the stand-in agent of a `sleep`-second task takes by itself,
 * started from this process in a fresh repository: what the ideal schedule
 * takes to be `sleep` seconds.
 */
export function standInAlone(sleep: number): number {
  const { top, root } = makeRunRepo({ tasks: 0, sleep, parallel: 1 });
  try {
    return timed('sh', [join(top, 'agent.sh')], root, { ...BENCH_ENV, SPECDAG_TASK_ID: 'base' }).ms;
  } finally {
    removeRunRepo(top);
  }
}

/** The line both run benchmarks print under their schedule: what the stand-in of one task took by itself (medians). */
export function standInLine(alone: number[], sleep: number): string {
  return `    the stand-in agent of one task by itself (\`sh agent.sh\`: writes its file, then \`exec sleep ${sleep}\`): ${sec(median(alone))}`;
}

export function removeRunRepo(top: string): void {
  rmSync(top, { recursive: true, force: true });
}

/**
 * Runs `file args` in `cwd` and times it; throws with its output when it
 * fails. `cpuMs`: the CPU time (user + system) of it and everything it
 * started, from this process's reaped children (Linux /proc; 0 elsewhere).
 */
export function timed(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { ms: number; cpuMs: number } {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = childrenCpuMs() - cpu0;
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`${[file, ...args].join(' ')} exited ${r.status} in ${cwd}`);
  }
  return { ms, cpuMs };
}

/** CPU time of this process's children that have ended, descendants included (each parent adds what it reaped). */
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

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
