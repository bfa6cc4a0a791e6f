import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { RunPlan } from '../plan/types.js';
import type { ProjectConfig } from '../spec/types.js';
import type { Git } from './git.js';

/** One thing that must hold before a run starts; `run` refuses at the first one that fails, `doctor` lists them all. */
export interface Check {
  id: 'git-repository' | 'git-identity' | 'committed-inputs' | 'clean-tracked-files' | 'base-branch' | 'worktree-dir' | 'target-branch' | 'agent-known' | 'agent-command' | 'agent-executable';
  ok: boolean;
  /** One sentence: what was found and what to do (or what is fine). */
  message: string;
}

export interface PreflightInput {
  git: Git;
  /** The repository's top folder, or undefined when the spec folder is not in one. */
  repoRoot: string | undefined;
  project: ProjectConfig;
  plan: RunPlan;
  /** `--agent NAME`, overriding every task's agent. */
  agentOverride?: string;
  /** The task ids that will run (default: all of the plan's). */
  taskIds?: string[];
  env: NodeJS.ProcessEnv;
  /** Absolute paths of the spec files and PROJECT.md: agents read them from their worktrees, so they must be committed. */
  specFiles?: string[];
  /** The spec folder, absolute: asked about as a whole (a folder of 50,000 specs would not fit on a command line file by file). */
  specDir?: string;
  /** Every command the run will start besides the agents' (`setup`, `verify`, the specs' `verify`). */
  commands?: string[];
}

/** The agent a task runs with: `--agent`, else its own `agent`, else PROJECT.md's `default_agent`. */
export function agentFor(task: { agent?: string }, project: ProjectConfig, override?: string): { name: string; command: string | undefined } | undefined {
  const name = override ?? task.agent ?? project.defaultAgent;
  if (name === undefined) return undefined;
  return { name, command: Object.hasOwn(project.agents, name) ? project.agents[name] : undefined };
}

/** A path with symlinks resolved as far as it exists, so `inside` is not fooled by a link. */
export function realish(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const parent = dirname(head);
    if (parent === head) break;
    tail.unshift(basename(head));
    head = parent;
  }
  try {
    head = realpathSync(head);
  } catch {
    // keep it as written
  }
  return join(head, ...tail).replace(/(.)\/+$/, '$1');
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(realish(parent), realish(child));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

const SHELL_WORDS = new Set(['exec', 'env', 'command', 'cd', 'if', 'for', 'while', 'case', 'set', 'export', 'eval', 'time', 'nice', 'nohup', 'timeout', '.', 'source', '!', '{', '(']);

/**
 * The program an agent command starts, when it can be told without a shell:
 * the first word after plain `NAME=value` assignments. Undefined when the
 * command starts with quoting, expansion or shell syntax, or runs a relative
 * path (resolved in each task's worktree, so not checkable here).
 */
export function programOf(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=[^'"`$\\]*$/.test(words[i]!)) i++;
  const word = words[i];
  if (!word || !/^[A-Za-z0-9_./+@-]+$/.test(word) || SHELL_WORDS.has(word)) return undefined;
  if (word.includes('/') && !isAbsolute(word)) return undefined;
  return word;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where PATH finds a program, or undefined. */
export function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  if (isAbsolute(program)) return executable(program) ? program : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Everything that blocks a run, as data. Reads only: nothing is created.
 * Checks after a failed `git-repository` are not made.
 */
export async function preflight(input: PreflightInput): Promise<Check[]> {
  const { git, repoRoot, project, plan } = input;
  const checks: Check[] = [];
  const add = (id: Check['id'], ok: boolean, message: string) => checks.push({ id, ok, message });

  if (repoRoot === undefined) {
    add('git-repository', false, "the spec folder is not inside a git repository; run 'git init' and commit your project first, or run specdag from inside the repository");
    return checks;
  }
  add('git-repository', true, `git repository at ${repoRoot}`);

  const ids = new Set(input.taskIds ?? plan.tasks.map((t) => t.id));
  const tasks = plan.tasks.filter((t) => ids.has(t.id) && t.status !== 'done');
  const agentCommands = new Set(tasks.map((t) => agentFor(t, project, input.agentOverride)?.command).filter((c): c is string => c !== undefined));
  const inputs = committedInputs(repoRoot, input.specFiles ?? [], [...agentCommands, ...(input.commands ?? [])]);

  // Independent questions, asked at once; the answers are still reported in a fixed order.
  const [ident, dirty, baseOk, worktrees, uncommitted] = await Promise.all([
    git.exec(repoRoot, ['var', 'GIT_COMMITTER_IDENT']),
    git.dirty(repoRoot, true),
    git.branchExists(repoRoot, project.baseBranch),
    git.worktrees(repoRoot),
    inputs.size > 0 ? git.run(repoRoot, ['status', '--porcelain', '-z', '--untracked-files=all', '--', ...inputPathspecs(repoRoot, input.specDir, inputs)]) : Promise.resolve(''),
  ]);

  // specdag commits for the agents and merges their work: without an identity, every task would fail after its agent did the work.
  add(
    'git-identity',
    ident.code === 0,
    ident.code === 0
      ? `commits as ${ident.stdout.trim().replace(/ \d+ [+-]\d{4}$/, '')}`
      : "git has no identity to commit with; set one (git config user.name 'Your Name' and git config user.email you@example.com) and run again",
  );

  const dirtyInput = uncommitted
    .split('\0')
    .filter((l) => l.length > 3)
    .map((l) => ({ path: l.slice(3), untracked: l.startsWith('??') }))
    .find((e) => inputs.has(e.path));
  add(
    'committed-inputs',
    dirtyInput === undefined,
    dirtyInput === undefined
      ? 'the specs, PROJECT.md and the files the commands name are committed'
      : `${dirtyInput.path}${inputs.get(dirtyInput.path)} ${dirtyInput.untracked ? 'is not committed (untracked)' : 'has uncommitted changes'}, and each task's worktree holds only committed files; commit it (git add ${shellWord(dirtyInput.path)} && git commit) and run again`,
  );

  add(
    'clean-tracked-files',
    dirty.length === 0,
    dirty.length === 0
      ? 'no uncommitted changes to tracked files'
      : `${repoRoot} has uncommitted changes to ${dirty.length} tracked file${dirty.length === 1 ? '' : 's'} (${dirty.slice(0, 3).map((l) => l.slice(3)).join(', ')}${dirty.length > 3 ? ', …' : ''}); commit or stash them first, so every agent starts from what you see`,
  );

  add(
    'base-branch',
    baseOk,
    baseOk
      ? `base branch '${project.baseBranch}' exists`
      : `base_branch '${project.baseBranch}' (PROJECT.md${project.file ? '' : ' default'}) is not a branch of this repository; create it, or set base_branch in PROJECT.md to the branch to start from`,
  );

  const worktreeDir = resolve(repoRoot, plan.worktreeDir);
  const inside = isInside(worktreeDir, repoRoot);
  add(
    'worktree-dir',
    !inside,
    inside
      ? `worktree_dir '${plan.worktreeDir}' resolves to ${worktreeDir}, inside the repository; set worktree_dir in PROJECT.md to a folder outside it, such as '../${basename(repoRoot)}.worktrees'`
      : `worktrees go in ${worktreeDir}`,
  );

  const targetWorktree = resolve(repoRoot, plan.targetWorktree);
  const holder = worktrees.find((w) => w.branch === plan.targetBranch);
  const targetOk = plan.targetBranch !== plan.baseBranch && (holder === undefined || realish(holder.path) === realish(targetWorktree));
  add(
    'target-branch',
    targetOk,
    plan.targetBranch === plan.baseBranch
      ? `the target branch '${plan.targetBranch}' (branch_prefix + 'integration') is the base branch, which specdag never writes; change branch_prefix or base_branch in PROJECT.md`
      : targetOk
        ? `target branch '${plan.targetBranch}' ${holder ? `checked out in ${holder.path}` : 'free'}`
        : `the target branch '${plan.targetBranch}' is checked out in ${holder!.path}; switch that worktree to another branch, so specdag can check it out in ${targetWorktree}`,
  );

  const known = Object.keys(project.agents).sort();
  const knownList = known.length ? `PROJECT.md defines ${known.map((k) => `'${k}'`).join(', ')}` : 'PROJECT.md defines no agents';

  if (input.agentOverride !== undefined && !Object.hasOwn(project.agents, input.agentOverride)) {
    add('agent-known', false, `--agent '${input.agentOverride}' is not an agent of this project (${knownList}); add it under 'agents:' in PROJECT.md or pick one of those`);
  } else {
    const unknown = input.agentOverride === undefined ? tasks.filter((t) => t.agent !== undefined && !Object.hasOwn(project.agents, t.agent)) : [];
    add(
      'agent-known',
      unknown.length === 0,
      unknown.length === 0
        ? 'every task names a known agent'
        : `task '${unknown[0]!.id}' asks for agent '${unknown[0]!.agent}', which PROJECT.md does not define (${knownList}); add it under 'agents:' in PROJECT.md or change the task's agent`,
    );
  }

  const without = tasks.filter((t) => agentFor(t, project, input.agentOverride) === undefined);
  add(
    'agent-command',
    without.length === 0,
    without.length === 0
      ? 'every task has an agent command'
      : known.length === 0
        ? "there is no agent command to run: add an 'agents:' map (for example 'claude: claude -p') and 'default_agent:' to PROJECT.md's frontmatter"
        : `task${without.length === 1 ? '' : 's'} ${without.slice(0, 3).map((t) => `'${t.id}'`).join(', ')}${without.length > 3 ? ', …' : ''} name${without.length === 1 ? 's' : ''} no agent and PROJECT.md has no default_agent; set 'default_agent:' in PROJECT.md or pass --agent NAME`,
  );

  const missing: string[] = [];
  for (const command of [...agentCommands].sort()) {
    const program = programOf(command);
    if (program !== undefined && onPath(program, input.env) === undefined) missing.push(`'${program}' (from '${command}')`);
  }
  add(
    'agent-executable',
    missing.length === 0,
    missing.length === 0
      ? 'every agent command starts a program found on PATH'
      : `the agent command's program ${missing[0]} is not on PATH; install it, or fix the command under 'agents:' in PROJECT.md`,
  );
  return checks;
}

/**
 * What a task's worktree must hold as the main checkout has it: the spec
 * files and PROJECT.md, and every file of the repository that a command
 * names (`sh scripts/agent.sh`, `node ./tools/check.js`). Repository-relative
 * paths (`/` separators), each with a note for the message.
 */
export function committedInputs(repoRoot: string, specFiles: string[], commands: string[]): Map<string, string> {
  const inputs = new Map<string, string>();
  const inRepo = (abs: string) => {
    const rel = relative(repoRoot, abs);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
  };
  for (const file of specFiles) {
    const rel = inRepo(file);
    if (rel !== undefined) inputs.set(rel, '');
  }
  for (const command of commands) {
    for (const word of shellWords(command)) {
      // A flag's value (--config=tools/x.json) names a file as much as a bare word does.
      const candidate = word.replace(/^-[^=]*=/, '').replace(/^[A-Za-z_][A-Za-z0-9_]*=/, '');
      if (!candidate || candidate.startsWith('-') || candidate.includes('$')) continue;
      const abs = resolve(repoRoot, candidate);
      const rel = inRepo(abs);
      if (rel === undefined || inputs.has(rel) || rel.split('/')[0] === '.git') continue;
      try {
        if (!statSync(abs).isFile()) continue;
      } catch {
        continue;
      }
      inputs.set(rel, `, which the command '${command}' names,`);
    }
  }
  return inputs;
}

/** The pathspecs that cover the inputs: the spec folder, and each other file by name. */
function inputPathspecs(repoRoot: string, specDir: string | undefined, inputs: Map<string, string>): string[] {
  const dir = specDir === undefined ? undefined : relative(repoRoot, specDir).split(sep).join('/');
  const inDir = (p: string) => dir !== undefined && !dir.startsWith('..') && (dir === '' || p.startsWith(`${dir}/`));
  const rest = [...inputs.entries()].filter(([p, note]) => !(note === '' && inDir(p))).map(([p]) => `:(literal)${p}`);
  return rest.length < inputs.size ? [`:(literal)${dir || '.'}`, ...rest] : rest;
}

/** The words of a command line as sh would split them, near enough: quotes joined, operators and redirections apart. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  const flush = () => {
    if (word) words.push(word);
    word = '';
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < command.length) word += command[++i];
    else if (/[\s;&|()<>`]/.test(c)) flush();
    else word += c;
  }
  flush();
  return words;
}

/** A path as one shell word, for a message the user may paste. */
function shellWord(path: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
