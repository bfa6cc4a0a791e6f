import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../../src/io/io.js';
import { main } from '../../src/cli/main.js';
import type { RunState } from '../../src/run/state.js';
import { tempDir } from '../helpers.js';

/** Git that works the same on any machine: no global or system config, a fixed identity. */
export const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Spec Tester',
  GIT_AUTHOR_EMAIL: 'tester@example.com',
  GIT_COMMITTER_NAME: 'Spec Tester',
  GIT_COMMITTER_EMAIL: 'tester@example.com',
  NO_COLOR: '1',
};

/**
 * The stand-in agent: a POSIX sh script. It logs `start <id>` / `end <id>`
 * to events.log in the control folder, keeps the prompt it got on stdin and
 * its SPECDAG_* environment there, writes out/<id>.txt (its id, then the
 * out/ files it found: what its dependencies left; with a `deterministic`
 * control file, only those of the files named in <id>.sees that it found,
 * so the result does not depend on timing), and obeys control files
 * named after its task: <id>.sleep (seconds), <id>.exit (exit code),
 * <id>.stray (also writes stray-<id>.txt, outside its owns), <id>.shared
 * (writes shared.txt, which another task may write too), <id>.leave (leaves
 * an extra uncommitted file and exits with <id>.exit), <id>.run (a shell
 * snippet it sources last, in its worktree: git commands, traps, anything),
 * <id>.noop (changes nothing and exits 0).
 */
const AGENT = `#!/bin/sh
id="$SPECDAG_TASK_ID"
ctl="$AGENT_CTL"
echo "start $id" >> "$ctl/events.log"
cat > "$ctl/$id.stdin"
env | grep '^SPECDAG_' | sort > "$ctl/$id.env"
pwd > "$ctl/$id.cwd"
if [ -f "$ctl/$id.noop" ]; then echo "end $id" >> "$ctl/events.log"; exit 0; fi
mkdir -p out
if [ -f "$ctl/deterministic" ]; then
  { echo "$id"; for f in $(cat "$ctl/$id.sees" 2>/dev/null); do if [ -f "out/$f" ]; then echo "$f"; fi; done; } > "$ctl/$id.out"
else
  { echo "$id"; ls out | sort; } > "$ctl/$id.out"
fi
mv "$ctl/$id.out" "out/$id.txt"
if [ -f "$ctl/$id.sleep" ]; then sleep "$(cat "$ctl/$id.sleep")"; fi
if [ -f "$ctl/$id.stray" ]; then echo stray > "stray-$id.txt"; fi
if [ -f "$ctl/$id.shared" ]; then echo "$id" > shared.txt; fi
if [ -f "$ctl/$id.leave" ]; then echo "half done" > "out/$id.partial"; fi
if [ -f "$ctl/$id.run" ]; then . "$ctl/$id.run"; fi
echo "end $id" >> "$ctl/events.log"
if [ -f "$ctl/$id.exit" ]; then exit "$(cat "$ctl/$id.exit")"; fi
exit 0
`;

export interface TaskDef {
  id: string;
  phase?: 'foundation' | 'parallel' | 'integration';
  deps?: string[];
  owns?: string[];
  agent?: string;
  status?: 'draft' | 'ready' | 'done';
  estimate?: string;
  verify?: string;
  allowEmpty?: boolean;
}

export interface Repo {
  root: string;
  /** Outside the repository: the agent's control files and events.log. */
  ctl: string;
  worktrees: string;
  env: NodeJS.ProcessEnv;
  git(...args: string[]): string;
  /** Calls the CLI in-process; returns the exit code and what it wrote. */
  specdag(args: string[], opts?: { tty?: boolean; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }>;
  events(): string[];
  /** Sets a control file for the stand-in agent. */
  control(id: string, kind: 'sleep' | 'exit' | 'stray' | 'shared' | 'leave' | 'sees' | 'run' | 'noop', value?: string): void;
  state(runId?: string): RunState;
  runs(): string[];
}

export function specFile(t: TaskDef): string {
  const lines = ['---', `id: ${t.id}`, `title: Task ${t.id}`, `phase: ${t.phase ?? 'parallel'}`, `depends_on: [${(t.deps ?? []).join(', ')}]`, `owns: [${(t.owns ?? [`out/${t.id}.txt`]).join(', ')}]`];
  if (t.agent) lines.push(`agent: ${t.agent}`);
  if (t.status) lines.push(`status: ${t.status}`);
  if (t.verify) lines.push(`verify: ${t.verify}`);
  if (t.allowEmpty) lines.push('allow_empty: true');
  if (t.estimate) lines.push(`estimate: ${t.estimate}`);
  lines.push('---', '', `# Task ${t.id}`, '', '## Goal', `Build ${t.id}.`, '', '## Acceptance criteria', `- [ ] out/${t.id}.txt exists`, '');
  return lines.join('\n');
}

export interface ProjectOptions {
  /** Default: `stub: sh "$AGENT_CTL/agent.sh"`, the stand-in agent. */
  agents?: Record<string, string>;
  /** Default: the first agent; null: none. */
  defaultAgent?: string | null;
  /** More frontmatter lines. */
  extra?: string[];
  /** Default: main. */
  base?: string;
}

export function projectFile(o: ProjectOptions = {}): string {
  // Through $AGENT_CTL, so PROJECT.md is the same text in every test repository.
  const agents = o.agents ?? { stub: 'sh "$AGENT_CTL/agent.sh"' };
  const lines = ['---', 'project: demo', `base_branch: ${o.base ?? 'main'}`, 'max_parallel: 4'];
  const def = o.defaultAgent === undefined ? Object.keys(agents)[0] : o.defaultAgent;
  if (def) lines.push(`default_agent: ${def}`);
  if (Object.keys(agents).length > 0) lines.push('agents:', ...Object.entries(agents).map(([k, v]) => `  ${k}: ${v}`));
  lines.push(...(o.extra ?? []), '---', '# Demo', '', 'Shared context: the demo project.', '');
  return lines.join('\n');
}

/** A fresh repository on `main` with specs/ committed, a README, and the stand-in agent in a control folder beside it. */
export function makeRepo(tasks: TaskDef[], opts: { project?: ProjectOptions; files?: Record<string, string> } = {}): Repo {
  const top = tempDir('specdag-run-');
  const root = join(top, 'repo');
  const ctl = join(top, 'ctl');
  mkdirSync(join(root, 'specs'), { recursive: true });
  mkdirSync(ctl);
  const agentPath = join(ctl, 'agent.sh');
  writeFileSync(agentPath, AGENT);
  chmodSync(agentPath, 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_ENV, AGENT_CTL: ctl };
  const git = (...args: string[]) => execFileSync('git', ['-C', root, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  writeFileSync(join(root, 'specs', 'PROJECT.md'), projectFile(opts.project));
  for (const t of tasks) writeFileSync(join(root, 'specs', `${t.id}.md`), specFile(t));
  writeFileSync(join(root, 'README.md'), '# demo\n');
  for (const [rel, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  git('init', '--quiet', '-b', 'main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'initial');
  const repo: Repo = {
    root,
    ctl,
    worktrees: join(top, 'repo.worktrees'),
    env,
    git,
    async specdag(args, o = {}) {
      let stdout = '';
      let stderr = '';
      const io: Io = {
        stdout: { write: (s: string) => (stdout += s), isTTY: o.tty === true },
        stderr: { write: (s: string) => (stderr += s), isTTY: false },
        cwd: root,
        env: o.env ?? env,
      };
      const code = await main(args, io);
      return { code, stdout, stderr };
    },
    events() {
      const path = join(ctl, 'events.log');
      return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').filter(Boolean) : [];
    },
    control(id, kind, value = '1') {
      writeFileSync(join(ctl, `${id}.${kind}`), value);
    },
    state(runId) {
      const runs = repo.runs();
      const id = runId ?? runs[runs.length - 1]!;
      return JSON.parse(readFileSync(join(root, '.specdag', 'runs', id, 'state.json'), 'utf8')) as RunState;
    },
    runs() {
      const dir = join(root, '.specdag', 'runs');
      return existsSync(dir) ? readdirSync(dir).sort() : [];
    },
  };
  return repo;
}

export function byId(state: RunState): Record<string, RunState['tasks'][number]> {
  return Object.fromEntries(state.tasks.map((t) => [t.id, t]));
}

/** Removes a control file. */
export function clear(repo: Repo, id: string, kind: string): void {
  rmSync(join(repo.ctl, `${id}.${kind}`), { force: true });
}

/**
 * Task `id` done by hand on its own branch and worktree, made from the target
 * branch: out/<id>.txt committed as its agent would. Returns the worktree.
 */
export function doneOnOwnBranch(repo: Repo, id: string): string {
  const wt = join(repo.worktrees, id);
  repo.git('worktree', 'add', '--quiet', '-b', `specdag/${id}`, wt, 'specdag/integration');
  mkdirSync(join(wt, 'out'), { recursive: true });
  writeFileSync(join(wt, 'out', `${id}.txt`), `${id}\n`);
  repo.git('-C', wt, 'add', '-A');
  repo.git('-C', wt, 'commit', '--quiet', '-m', `${id}: Task ${id}`);
  return wt;
}
