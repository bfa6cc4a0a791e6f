import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Io } from '../io/io.js';
import { clean } from '../run/clean.js';
import { Git } from '../run/git.js';
import { runsRoot } from '../run/where.js';
import { parseSpecText } from '../spec/parse.js';
import { defaultProject, PROJECT_FILE, readProject } from '../spec/project.js';
import { UsageError } from '../util/errors.js';

export interface CleanOptions {
  dir: string;
  dryRun: boolean;
}

/**
 * `specdag clean [dir] [--dry-run]`: removes the worktrees and branches of
 * merged tasks of the runs on the folder's target branch, and keeps, with
 * the reason, everything else. Exit 0 whatever it kept.
 */
export async function runClean(opts: CleanOptions, io: Io): Promise<number> {
  const specDir = resolve(io.cwd, opts.dir);
  if (!existsSync(specDir) || !statSync(specDir).isDirectory()) {
    throw new UsageError(`spec folder '${opts.dir}' does not exist; pass the folder 'specdag run' ran, whose PROJECT.md names the branches`);
  }
  const git = new Git(io.env);
  const root = await runsRoot(git, specDir);
  if (root === undefined) throw new UsageError(`'${opts.dir}' is not inside a git repository, so no run made worktrees for it`);
  // Only the branch names matter here: a spec with lint errors must not keep the user from cleaning up.
  const projectFile = join(specDir, PROJECT_FILE);
  const project = existsSync(projectFile) ? readProject(parseSpecText(readFileSync(projectFile, 'utf8')), projectFile).config : defaultProject();
  const r = await clean({
    git,
    root,
    targetBranch: `${project.branchPrefix}integration`,
    baseBranch: project.baseBranch,
    dryRun: opts.dryRun,
    cwd: io.cwd,
    say: (line) => io.stdout.write(`${line}\n`),
  });
  const removed = `${count(r.worktrees, 'worktree')} and ${count(r.branches, 'branch', 'branches')}`;
  const kept = r.kept > 0 ? `; ${opts.dryRun ? 'would keep' : 'kept'} ${r.kept} (see above)` : '';
  io.stdout.write(opts.dryRun ? `specdag clean --dry-run: would remove ${removed}${kept}; nothing was changed\n` : `specdag clean: removed ${removed}${kept}\n`);
  return 0;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
