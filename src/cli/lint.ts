import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { existenceChecker, listSpecFolder, readEntry, type FileEntry, type FileRef } from '../io/folder.js';
import { writeFileAtomic } from '../io/write.js';
import { lintAcross, loadProject, type FileResult, type LintResult } from '../lint/engine.js';
import { BUILD_ID, contentHash, LintCache } from '../lint/cache.js';
import { lintEntriesParallel, workerCount } from '../lint/pool.js';
import { findRepoRoot } from '../io/repo.js';
import { applyFixes } from '../lint/fix.js';
import { rules, severityOf } from '../lint/registry.js';
import type { Diagnostic } from '../lint/types.js';
import { useColor } from '../report/color.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { formatStylish } from '../report/stylish.js';
import type { LintReport } from '../report/types.js';
import { SpecError, UsageError } from '../util/errors.js';
import { Profile } from '../util/profile.js';
import { version, type Io } from './io.js';

export interface LintOptions {
  dir: string;
  format: 'stylish' | 'json' | 'sarif';
  maxWarnings?: number | undefined;
  quiet: boolean;
  fix?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
}

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
  const { config, problems } = loadProject(projectEntry);
  const cache = useCache && BUILD_ID ? LintCache.open(cachePath(listing.dir), config, BUILD_ID) : undefined;
  const exists = existenceChecker();
  const results: FileResult[] = new Array(listing.refs.length);
  const misses: FileEntry[] = [];
  const missAt: number[] = [];
  const hashes = new Map<string, string>();
  profile.time('read', () => {
    listing.refs.forEach((ref, i) => {
      const entry = readEntry(ref.path, io.cwd, ref.file);
      if (cache && entry.text !== undefined) {
        const hash = contentHash(entry.text);
        const hit = cache.get(ref.file, hash, exists);
        if (hit) {
          results[i] = hit;
          return;
        }
        hashes.set(ref.file, hash);
      }
      misses.push(entry);
      missAt.push(i);
    });
  });
  const missed = misses.map((e) => e.file);
  // The pool takes the entries (and lets their texts go once a worker has them).
  const fresh = await lintEntriesParallel(misses.splice(0), config, profile, workerCount(missed.length, io.env), (message) =>
    io.stderr.write(`specdag: ${message}\n`),
  );
  fresh.forEach((result, k) => {
    results[missAt[k]!] = result;
    const hash = hashes.get(missed[k]!);
    if (cache && hash) cache.set(missed[k]!, hash, result);
  });
  if (!readOnly) profile.time('cache', () => cache?.save());
  const filesChecked = listing.refs.length + (projectEntry ? 1 : 0);
  return { refs: listing.refs, result: lintAcross(results, config, problems, filesChecked, profile) };
}

/** SPECDAG_CACHE=0 turns the lint cache off (as does `lint --no-cache`). */
function cacheEnabled(env: NodeJS.ProcessEnv): boolean {
  return env.SPECDAG_CACHE !== '0';
}

/** .specdag/cache/ at the repository root (else beside the spec folder), one file per spec folder. */
function cachePath(specDir: string): string {
  const root = findRepoRoot(specDir) ?? dirname(specDir);
  return join(root, '.specdag', 'cache', `lint-${contentHash(specDir).replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}.json`);
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

export async function runLint(opts: LintOptions, io: Io): Promise<number> {
  const profile = new Profile(Boolean(io.env.SPECDAG_PROFILE));
  const useCache = opts.cache !== false && cacheEnabled(io.env);
  let { refs, result } = await lintDir(opts.dir, io, profile, useCache);
  const fixed: string[] = [];
  if (opts.fix) {
    fixed.push(...fixFolder(refs, result.diagnostics));
    if (fixed.length > 0) ({ result } = await lintDir(opts.dir, io, new Profile(false), useCache));
  }
  const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warningCount = result.diagnostics.length - errorCount;
  const shown = opts.quiet ? result.diagnostics.filter((d) => d.severity === 'error') : result.diagnostics;
  const report: LintReport = { filesChecked: result.filesChecked, errorCount, warningCount: opts.quiet ? 0 : warningCount, diagnostics: shown };
  if (opts.format === 'stylish') report.fixed = fixed;
  else for (const line of fixed) io.stderr.write(`fixed ${line}\n`);
  const text = profile.time('format', () =>
    opts.format === 'json'
      ? formatJson(report)
      : opts.format === 'sarif'
        ? formatSarif(report, { rules, severityOf, version })
        : formatStylish(report, { color: useColor(io.stdout, io.env) }),
  );
  io.stdout.write(text);
  if (profile.enabled) io.stderr.write(profile.line());
  if (errorCount > 0) return 1;
  if (opts.maxWarnings !== undefined && warningCount > opts.maxWarnings) {
    io.stderr.write(`specdag: ${warningCount} warning${warningCount === 1 ? '' : 's'}, more than --max-warnings ${opts.maxWarnings} allows\n`);
    return 1;
  }
  return 0;
}

/** Applies every safe fix, file by file; a file whose fixes cannot be verified is left as it is. */
function fixFolder(refs: FileRef[], diagnostics: Diagnostic[]): string[] {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (!d.fix) continue;
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  const lines: string[] = [];
  for (const [file, list] of byFile) {
    const entry = refs.find((s) => s.file === file);
    if (!entry) continue;
    // applyFixes checks that each item is still where lint saw it, so a file edited meanwhile is safe.
    const raw = readFileSync(entry.path, 'utf8');
    const result = applyFixes(raw, list.map((d) => d.fix!));
    if (!result.ok) {
      lines.push(`${file}: not fixed, ${result.reason}`);
      continue;
    }
    writeFileAtomic(entry.path, result.text);
    for (const d of list) lines.push(`${file}:${d.line}:${d.column} removed '${d.fix!.value}' from ${d.fix!.key} (${d.ruleId})`);
  }
  return lines;
}
