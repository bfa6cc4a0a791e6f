import { spawn } from 'node:child_process';
import { type Gate, GitSpawner } from './spawner.js';

/** A git command that exited non-zero: its arguments, exit code and stderr. */
export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly args: string[],
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed${code === null ? '' : ` (exit ${code})`}: ${firstLines(stderr || stdout)}`);
  }
}

function firstLines(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(0, 3).join(' / ') || 'no message';
}

/**
 * Variables that would point git somewhere other than `-C <dir>` (set, for
 * example, when specdag runs inside a git hook).
 */
const REDIRECTS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY'];

/** The environment without those variables: for git, and for agents, which run git in their own worktree. */
export function withoutGitRedirects(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const key of REDIRECTS) delete out[key];
  return out;
}

export interface WorktreeStatus {
  /** The commit HEAD points at; undefined on a branch without commits. */
  head: string | undefined;
  /** The branch checked out, or undefined when HEAD is detached. */
  branch: string | undefined;
  /** Paths with uncommitted changes, untracked files included, sorted. */
  changed: string[];
  /** Paths left unmerged by a conflicted merge, cherry-pick or rebase. */
  unmerged: string[];
}

/** Parses `git status --porcelain=v2 --branch -z`. */
export function parseStatus(out: string): WorktreeStatus {
  const fields = out.split('\0');
  const status: WorktreeStatus = { head: undefined, branch: undefined, changed: [], unmerged: [] };
  const changed = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.startsWith('# branch.oid ')) {
      const oid = f.slice('# branch.oid '.length);
      if (oid !== '(initial)') status.head = oid;
    } else if (f.startsWith('# branch.head ')) {
      const head = f.slice('# branch.head '.length);
      if (head !== '(detached)') status.branch = head;
    } else if (f.startsWith('1 ')) {
      changed.add(afterFields(f, 8));
    } else if (f.startsWith('2 ')) {
      changed.add(afterFields(f, 9));
      // -z puts the rename's original path in the next field.
      const orig = fields[++i];
      if (orig) changed.add(orig);
    } else if (f.startsWith('u ')) {
      const path = afterFields(f, 10);
      changed.add(path);
      status.unmerged.push(path);
    } else if (f.startsWith('? ')) {
      changed.add(f.slice(2));
    }
  }
  status.changed = [...changed].sort();
  status.unmerged.sort();
  return status;
}

/** The rest of a line after `n` space-separated fields (the path, which may hold spaces). */
function afterFields(line: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) at = line.indexOf(' ', at) + 1;
  return line.slice(at);
}

export interface GitResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Adds one setting to the configuration git reads from the environment
 * (GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n, GIT_CONFIG_VALUE_n), after any the
 * user set there: git's command line stays exactly what specdag asks for.
 */
export function withGitConfig(env: NodeJS.ProcessEnv, key: string, value: string): NodeJS.ProcessEnv {
  const count = Number(env.GIT_CONFIG_COUNT ?? 0);
  const n = Number.isInteger(count) && count >= 0 ? count : 0;
  return { ...env, GIT_CONFIG_COUNT: String(n + 1), [`GIT_CONFIG_KEY_${n}`]: key, [`GIT_CONFIG_VALUE_${n}`]: value };
}

/**
 * The `git` CLI, nothing reimplemented. Every call runs `git -C <cwd> …`
 * with its arguments exactly as given (an argument vector; through a run's
 * kept shells, each one single-quoted). Git runs outside specdag's process
 * group (in its own, or its shell's), so a Ctrl-C in the terminal reaches
 * specdag only: the step under way finishes, and specdag stops between
 * steps instead of leaving a half-done merge or an index lock behind.
 */
export class Git {
  readonly env: NodeJS.ProcessEnv;
  /** The kept shells, shared with the `later` view. */
  private readonly shells: { spawner?: GitSpawner };
  private readonly isLater: boolean;

  constructor(env: NodeJS.ProcessEnv, laterOf?: Git) {
    // Never wait for a password prompt nobody will see. No automatic maintenance after each commit and merge (a
    // `git maintenance run --auto` process each time, three a task): a run asks for it once, at its end (maintain).
    this.env = laterOf?.env ?? withGitConfig({ ...withoutGitRedirects(env), GIT_TERMINAL_PROMPT: '0' }, 'maintenance.auto', 'false');
    this.shells = laterOf?.shells ?? {};
    this.isLater = laterOf !== undefined;
  }

  /** Starts git through a few kept shells from now on (see GitSpawner): for a run, which starts git hundreds of times. */
  throughShells(gate?: Gate): this {
    this.shells.spawner = new GitSpawner(this.env, undefined, gate);
    return this;
  }

  /**
   * The same git, whose commands wait in the kept shells' queue behind all
   * others: for work that nobody waits on yet (worktrees made ahead,
   * merges), so that what frees a task's slot goes first.
   */
  later(): Git {
    return new Git(this.env, this);
  }

  /** Ends what throughShells started, once every git it started has ended. */
  async close(): Promise<void> {
    await this.shells.spawner?.close();
    this.shells.spawner = undefined;
  }

  /** Runs git and returns whatever happened. */
  exec(cwd: string, args: string[]): Promise<GitResult> {
    if (this.shells.spawner) return this.shells.spawner.exec(cwd, [args], this.isLater);
    return this.direct(cwd, args);
  }

  /**
   * Runs git commands one after another, stopping at the first that fails:
   * its result (or the last one's), with the output of all that ran. One
   * round trip through the shell instead of one a command.
   */
  async execAll(cwd: string, commands: string[][]): Promise<GitResult> {
    if (this.shells.spawner) return this.shells.spawner.exec(cwd, commands, this.isLater);
    const all: GitResult = { code: 0, stdout: '', stderr: '' };
    for (const args of commands) {
      const r = await this.direct(cwd, args);
      all.code = r.code;
      all.stdout += r.stdout;
      all.stderr += r.stderr;
      if (r.code !== 0) break;
    }
    return all;
  }

  private direct(cwd: string, args: string[]): Promise<GitResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['-C', cwd, ...args], { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    });
  }

  /** What git would have done after the run's commits and merges (pack loose objects, when there are enough): once. Its failure is not the run's. */
  async maintain(cwd: string): Promise<void> {
    await this.exec(cwd, ['maintenance', 'run', '--auto', '--quiet']).catch(() => undefined);
  }

  /** Runs git, returns stdout; a non-zero exit throws a GitError carrying stderr. */
  async run(cwd: string, args: string[]): Promise<string> {
    const r = await this.exec(cwd, args);
    if (r.code !== 0) throw new GitError(args, r.code, r.stdout, r.stderr);
    return r.stdout;
  }

  /** The trimmed first line of stdout. */
  async line(cwd: string, args: string[]): Promise<string> {
    return (await this.run(cwd, args)).trim();
  }

  /** True when git exits 0, false when it exits 1; anything else throws. */
  async test(cwd: string, args: string[]): Promise<boolean> {
    const r = await this.exec(cwd, args);
    if (r.code === 0) return true;
    if (r.code === 1) return false;
    throw new GitError(args, r.code, r.stdout, r.stderr);
  }

  /** The commit a ref names, or undefined when there is none. */
  async resolve(cwd: string, ref: string): Promise<string | undefined> {
    const r = await this.exec(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  branchExists(cwd: string, branch: string): Promise<boolean> {
    return this.resolve(cwd, `refs/heads/${branch}`).then((sha) => sha !== undefined);
  }

  isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
    return this.test(cwd, ['merge-base', '--is-ancestor', ancestor, descendant]);
  }

  /** Paths (repository-relative, `/` separators) that differ between two commits. */
  async changedFiles(cwd: string, from: string, to: string): Promise<string[]> {
    const out = await this.run(cwd, ['diff', '--name-only', '--no-renames', '-z', from, to, '--']);
    return out.split('\0').filter(Boolean).sort();
  }

  /** Uncommitted changes, tracked and untracked (`git status --porcelain`), as raw lines. */
  async dirty(cwd: string, trackedOnly = false): Promise<string[]> {
    const args = ['status', '--porcelain', '-z'];
    if (trackedOnly) args.push('--untracked-files=no');
    const out = await this.run(cwd, args);
    return out.split('\0').filter(Boolean);
  }

  /**
   * One look at a worktree (`git status --porcelain=v2 --branch`): its HEAD
   * commit and branch, the paths with uncommitted changes (tracked, untracked,
   * both sides of a rename) and the unmerged ones.
   */
  async status(cwd: string): Promise<WorktreeStatus> {
    const out = await this.run(cwd, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignore-submodules=none']);
    return parseStatus(out);
  }

  /** The branch checked out in a worktree, or undefined when its HEAD is detached. */
  async currentBranch(cwd: string): Promise<string | undefined> {
    const r = await this.exec(cwd, ['symbolic-ref', '--quiet', 'HEAD']);
    if (r.code !== 0) return undefined;
    return r.stdout.trim().replace(/^refs\/heads\//, '');
  }

  /** Every worktree of the repository: its path and the branch checked out there. */
  async worktrees(cwd: string): Promise<{ path: string; branch?: string }[]> {
    // Without -z (git 2.36+): a path holding a newline is not worth an old git refusing.
    const out = await this.run(cwd, ['worktree', 'list', '--porcelain']);
    const list: { path: string; branch?: string }[] = [];
    for (const field of out.split('\n')) {
      if (field.startsWith('worktree ')) list.push({ path: field.slice('worktree '.length) });
      else if (field.startsWith('branch ') && list.length > 0) list[list.length - 1]!.branch = field.slice('branch '.length).replace(/^refs\/heads\//, '');
    }
    return list;
  }
}
