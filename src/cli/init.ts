import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { displayPath } from '../io/folder.js';
import type { Io } from '../io/io.js';
import { findRepoRoot } from '../io/repo.js';
import { createFile, writeFileAtomic } from '../io/write.js';
import { mergeMcpJson, serverEntry, skillText, type ServerCommand } from '../mcp/claude-setup.js';
import { onPath } from '../run/preflight.js';
import { renderSpec, slug } from '../spec/template.js';
import { UsageError } from '../util/errors.js';

export interface InitOptions {
  dir: string;
  /** Also set up Claude Code: .mcp.json at the repository root and the specdag skill. */
  claude?: boolean;
}

const EXAMPLE_ID = 'example-task';

/** A file init writes, and what to say about it. */
interface Planned {
  path: string;
  text: string;
  /** create: must not exist (createFile); replace: written atomically over what was checked. */
  mode: 'create' | 'replace';
  said: string;
}

export async function runInit(opts: InitOptions, io: Io): Promise<number> {
  const dir = resolve(io.cwd, opts.dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`'${opts.dir}' is a file, not a folder; pass a folder for the specs`);
  const show = (path: string) => displayPath(path, io.cwd);
  const notes: string[] = [];
  // Everything is checked before anything is written: a refusal leaves every file as it was.
  const writes = specFolderFiles(dir, opts, io, notes);
  if (opts.claude) writes.push(...claudeFiles(dir, opts.dir, io, notes));
  for (const w of writes) {
    if (w.mode === 'create' && !createFile(w.path, w.text)) throw new UsageError(`${show(w.path)} appeared while init was running; nothing was overwritten`);
    if (w.mode === 'replace') writeFileAtomic(w.path, w.text);
    io.stdout.write(`${w.said} ${show(w.path)}\n`);
  }
  for (const note of notes) io.stdout.write(`${note}\n`);
  io.stdout.write(
    opts.claude
      ? `next: in Claude Code, type /mcp__specdag__interview to prepare the work (or ask Claude to use specdag); then 'specdag plan ${opts.dir}' and 'specdag run ${opts.dir}'\n`
      : `next: write one spec per task (specdag new <id> ${opts.dir}), then check them with 'specdag lint ${opts.dir}'\n`,
  );
  return 0;
}

/** PROJECT.md and the example task; with --claude, a folder already set up is left as it is. */
function specFolderFiles(dir: string, opts: InitOptions, io: Io, notes: string[]): Planned[] {
  const files = [join(dir, 'PROJECT.md'), join(dir, `${EXAMPLE_ID}.md`)];
  const existing = files.filter((f) => existsSync(f)).map((f) => displayPath(f, io.cwd));
  if (existing.length > 0) {
    if (opts.claude) {
      notes.push(`kept ${existing.join(' and ')}: the spec folder is left as it is`);
      return [];
    }
    throw new UsageError(`${existing.join(' and ')} already ${existing.length === 1 ? 'exists' : 'exist'}; init writes nothing over your files: remove ${existing.length === 1 ? 'it' : 'them'} or run init in another folder`);
  }
  const branch = currentBranch(io.cwd, io.env);
  if (branch === undefined && findRepoRoot(io.cwd)) notes.push("note: HEAD is not on a branch, so PROJECT.md says base_branch: main; change it to the branch your work starts from");
  const name = slug(basename(io.cwd)) || 'my-project';
  return [
    { path: files[0]!, text: projectTemplate(name, branch ?? 'main'), mode: 'create', said: 'created' },
    { path: files[1]!, text: exampleSpec(), mode: 'create', said: 'created' },
  ];
}

function projectTemplate(name: string, baseBranch: string): string {
  return `---
project: ${stringify(name).trim()}
base_branch: ${stringify(baseBranch).trim()}
max_parallel: 4
branch_prefix: specdag/
required_sections: [Goal, Acceptance criteria]
default_agent: claude
agents:
  claude: claude -p --permission-mode acceptEdits
  codex: codex exec --full-auto
---
# ${name}

Shared context given to every task's agent: the stack, the conventions, the
commands that build and test the project. Keep it short and true.
`;
}

/**
 * A small task written for real, so the folder lints clean with no warning:
 * it owns its paths and holds no placeholder text, and it shows what a good
 * spec says (a goal an agent can finish alone, criteria that can be checked).
 */
function exampleSpec(): string {
  return renderSpec({
    id: EXAMPLE_ID,
    title: 'Example task: a greeting module',
    owns: ['src/example/**'],
    estimate: '1h',
    goal: [
      'A small module that shows the shape of a task: `src/example/greet` exports `greet(name)`, which returns',
      '`Hello, <name>!`. One agent can finish it alone on its own branch, touching only the paths it owns.',
    ].join('\n'),
    criteria: ["`greet('Ada')` returns `Hello, Ada!`", 'A test beside the module checks that and passes'],
  });
}

/** .mcp.json at the repository root and the skill, each only when it is not there already. */
function claudeFiles(dir: string, shownDir: string, io: Io, notes: string[]): Planned[] {
  const root = findRepoRoot(io.cwd) ?? io.cwd;
  const show = (path: string) => displayPath(path, io.cwd);
  const out: Planned[] = [];
  const specDir = toPosix(relative(root, dir)) || '.';
  const folderArg = specDir.startsWith('../') ? dir : specDir;
  const command = serverCommand(io.env, folderArg);
  const mcpPath = join(root, '.mcp.json');
  const merged = mergeMcpJson(readIfExists(mcpPath), serverEntry(command));
  switch (merged.kind) {
    case 'invalid':
      throw new UsageError(`${show(mcpPath)} cannot be read: ${merged.reason}; fix it (or move it away) and run 'specdag init ${shownDir} --claude' again; nothing was written`);
    case 'created':
    case 'added':
      out.push({ path: mcpPath, text: merged.text, mode: merged.kind === 'created' ? 'create' : 'replace', said: merged.kind === 'created' ? 'created' : 'added the specdag MCP server to' });
      if (command.command !== 'specdag') notes.push(`note: specdag is not on your PATH, so ${show(mcpPath)} starts it as '${command.command} ${command.args[0]}'; after 'npm link' you may write "specdag" there instead`);
      break;
    case 'unchanged':
      notes.push(`${show(mcpPath)} already has the specdag MCP server`);
      break;
    case 'kept':
      notes.push(`kept the 'specdag' server already in ${show(mcpPath)} as it is (remove it and run again to get specdag's own)`);
      break;
  }
  const skillPath = join(root, '.claude', 'skills', 'specdag', 'SKILL.md');
  const skill = skillText(shownDir);
  const current = readIfExists(skillPath);
  if (current === undefined) out.push({ path: skillPath, text: skill, mode: 'create', said: 'created' });
  else notes.push(current === skill ? `${show(skillPath)} is up to date` : `kept ${show(skillPath)} as it is (it differs from specdag's; remove it and run again to get the current one)`);
  return out;
}

/** `specdag` when it is on PATH; else this very build through node, so the server starts either way. */
function serverCommand(env: NodeJS.ProcessEnv, folder: string): ServerCommand {
  if (onPath('specdag', env) !== undefined) return { command: 'specdag', args: ['mcp', folder] };
  // Two levels up from src/cli/ (tests) and from dist/chunks/ (the build) is the package root.
  const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
  return { command: 'node', args: [bin, 'mcp', folder] };
}

/** The branch HEAD is on, for base_branch; undefined outside a repository or on a detached HEAD. */
function currentBranch(cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  if (!findRepoRoot(cwd)) return undefined;
  const clean: NodeJS.ProcessEnv = { ...env };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR']) delete clean[key];
  const r = spawnSync('git', ['symbolic-ref', '--quiet', '--short', 'HEAD'], { cwd, env: clean, encoding: 'utf8' });
  const branch = r.status === 0 ? r.stdout.trim() : '';
  return branch === '' ? undefined : branch;
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check its permissions`);
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
