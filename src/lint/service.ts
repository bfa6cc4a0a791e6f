import { dirname, join } from 'node:path';
import { existenceChecker, listSpecFolder, readEntry, type FileEntry, type FileRef } from '../io/folder.js';
import type { Io } from '../io/io.js';
import { findRepoRoot } from '../io/repo.js';
import { useColor } from '../report/color.js';
import { formatStylish } from '../report/stylish.js';
import { SpecError, UsageError } from '../util/errors.js';
import { Profile } from '../util/profile.js';
import { shortJob } from '../util/tiering.js';
import { BUILD_ID, contentHash, LintCache } from './cache.js';
import { lintAcross, loadProject, type FileResult, type LintResult } from './engine.js';
import { lintEntriesParallel, workerCount } from './pool.js';

/** Up to this many specs to parse, a lint is over before V8's optimising compiler pays (util/tiering.ts). */
const SHORT_FOLDER = 200;

/**
 * Reads and lints a folder, on both cores when it is large. A file whose
 * result is in the lint cache is not parsed again (see LintCache). A folder
 * without a single spec is a usage error: a CI job pointed at the wrong path
 * must not pass.
 */
export async function lintDir(
  dir: string,
  io: Io,
  profile = new Profile(false),
  useCache = cacheEnabled(io.env),
  /** Read the cache but write nothing (a dry run creates nothing). */
  readOnly = false,
): Promise<{ refs: FileRef[]; result: LintResult }> {
  const listing = profile.time('read', () => listSpecFolder(dir, io.cwd));
  if (listing.refs.length === 0) {
    throw new UsageError(`no spec files (*.md) in '${dir}'; point specdag at the folder that holds your specs, or create one with 'specdag new <id> ${dir}'`);
  }
  const projectEntry = listing.projectPath ? readEntry(listing.projectPath, io.cwd) : undefined;
  const cache = useCache && BUILD_ID ? LintCache.open(cachePath(listing.dir), BUILD_ID) : undefined;
  // PROJECT.md's settings come from the cache too: a warm lint then never runs the YAML parser (a third of a
  // 30-spec lint's own time went to parsing PROJECT.md with the parser's code not yet optimised).
  const projectHash = cache && projectEntry?.text !== undefined ? contentHash(projectEntry.text) : undefined;
  let project = projectHash ? cache!.getProject(projectEntry!.file, projectHash) : undefined;
  if (!project) {
    project = loadProject(projectEntry);
    if (projectHash) cache!.setProject(projectEntry!.file, projectHash, project);
  }
  const { config, problems } = project;
  // A file's result also depends on the settings the file rules read: they are part of its hash.
  const settings = JSON.stringify(config.requiredSections);
  const exists = existenceChecker();
  const results: FileResult[] = new Array(listing.refs.length);
  const misses: FileEntry[] = [];
  const missAt: number[] = [];
  const hashes: (string | undefined)[] = [];
  profile.time('read', () => {
    listing.refs.forEach((ref, i) => {
      const entry = readEntry(ref.path, io.cwd, ref.file);
      let hash: string | undefined;
      if (cache && entry.text !== undefined) {
        hash = contentHash(entry.text, settings);
        const hit = cache.get(ref, hash, exists);
        if (hit) {
          results[i] = hit;
          return;
        }
      }
      misses.push(entry);
      missAt.push(i);
      hashes.push(hash);
    });
  });
  const missed = misses.length;
  if (missed > 0 && listing.refs.length <= SHORT_FOLDER) shortJob();
  // The pool takes the entries (and lets their texts go once a worker has them).
  const workers = workerCount(missed, io.env);
  // For the benchmark, beside the profile line: what the default chose.
  if (profile.enabled) io.stderr.write(`specdag-workers ${workers}\n`);
  const fresh = await lintEntriesParallel(misses.splice(0), config, profile, workers, (message) => io.stderr.write(`specdag: ${message}\n`));
  fresh.forEach(({ result, encoded }, k) => {
    const i = missAt[k]!;
    results[i] = result;
    const hash = hashes[k];
    if (cache && hash) cache.set(listing.refs[i]!, hash, result, encoded);
  });
  if (!readOnly) profile.time('cache', () => cache?.save());
  const filesChecked = listing.refs.length + (projectEntry ? 1 : 0);
  return { refs: listing.refs, result: lintAcross(results, config, problems, filesChecked, profile) };
}

/** SPECDAG_CACHE=0 turns the lint cache off (as does `lint --no-cache`). */
export function cacheEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.SPECDAG_CACHE !== '0';
}

/** .specdag/cache/ at the repository root (else beside the spec folder), one file per spec folder (`specDir` absolute). */
export function cachePath(specDir: string): string {
  const root = findRepoRoot(specDir) ?? dirname(specDir);
  return join(root, '.specdag', 'cache', `lint-${contentHash(specDir).replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}.lines`);
}

/**
 * For commands that act on the specs (plan, export, run): lint first, and
 * refuse with the errors on stderr (exit 1) when there are any.
 */
export async function checkedSpecs(dir: string, io: Io, opts: { readOnly?: boolean } = {}): Promise<LintResult> {
  const { result } = await lintDir(dir, io, new Profile(false), cacheEnabled(io.env), opts.readOnly === true);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    io.stderr.write(formatStylish({ filesChecked: result.filesChecked, errorCount: errors.length, warningCount: 0, diagnostics: errors }, { color: useColor(io.stderr, io.env) }));
    throw new SpecError(`${errors.length} error${errors.length === 1 ? '' : 's'} in '${dir}'; fix ${errors.length === 1 ? 'it' : 'them'} first (specdag lint ${dir})`);
  }
  return result;
}
