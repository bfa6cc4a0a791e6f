import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import type { FileRef } from '../io/folder.js';
import type { Io } from '../io/io.js';
import { writeFileAtomic } from '../io/write.js';
import { cacheEnabled, lintDir } from '../lint/service.js';
import { applyFixes } from '../lint/fix.js';
import { rules, severityOf } from '../lint/registry.js';
import type { Diagnostic } from '../lint/types.js';
import { useColor } from '../report/color.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { formatStylish } from '../report/stylish.js';
import type { LintReport } from '../report/types.js';
import { Profile } from '../util/profile.js';
import { printable } from '../util/text.js';
import { version } from './io.js';

export interface LintOptions {
  dir: string;
  format: 'stylish' | 'json' | 'sarif';
  maxWarnings?: number | undefined;
  quiet: boolean;
  fix?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
}

export async function runLint(opts: LintOptions, io: Io): Promise<number> {
  const profile = new Profile(Boolean(io.env.SPECDAG_PROFILE));
  const useCache = opts.cache !== false && cacheEnabled(io.env);
  let { refs, result } = await lintDir(opts.dir, io, profile, useCache);
  let fixes: { fixed: string[]; skipped: string[] } = { fixed: [], skipped: [] };
  if (opts.fix) {
    fixes = fixFolder(refs, result.diagnostics);
    if (fixes.fixed.length > 0) ({ result } = await lintDir(opts.dir, io, new Profile(false), useCache));
  }
  const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warningCount = result.diagnostics.length - errorCount;
  const shown = opts.quiet ? result.diagnostics.filter((d) => d.severity === 'error') : result.diagnostics;
  const report: LintReport = { filesChecked: result.filesChecked, errorCount, warningCount: opts.quiet ? 0 : warningCount, diagnostics: shown };
  if (opts.quiet && warningCount > 0) report.hiddenWarnings = warningCount;
  if (opts.format === 'stylish') {
    report.fixed = fixes.fixed;
    report.notFixed = fixes.skipped;
  } else {
    for (const line of fixes.fixed) io.stderr.write(`fixed ${printable(line)}\n`);
    for (const line of fixes.skipped) io.stderr.write(`not fixed ${printable(line)}\n`);
  }
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

/**
 * Applies every safe fix, file by file; a file whose fixes cannot be
 * verified, that is read-only, or that has other hard links (a new copy
 * would split them) is left as it is, with the reason. A write the system
 * refuses stops with one sentence (exit 2); every file is whole either way.
 */
function fixFolder(refs: FileRef[], diagnostics: Diagnostic[]): { fixed: string[]; skipped: string[] } {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (!d.fix) continue;
    const list = byFile.get(d.file);
    if (list) list.push(d);
    else byFile.set(d.file, [d]);
  }
  const paths = new Map(refs.map((r) => [r.file, r.path]));
  const fixed: string[] = [];
  const skipped: string[] = [];
  for (const [file, list] of byFile) {
    const path = paths.get(file);
    if (!path) continue;
    const why = unfixable(path);
    if (why) {
      skipped.push(`${file}: ${why}`);
      continue;
    }
    // applyFixes checks that each item is still where lint saw it, so a file edited meanwhile is safe.
    const result = applyFixes(readFileSync(path, 'utf8'), list.map((d) => d.fix!));
    if (!result.ok) {
      skipped.push(`${file}: ${result.reason}`);
      continue;
    }
    writeFileAtomic(path, result.text, { shown: file });
    for (const d of list) fixed.push(`${file}:${d.line}:${d.column} removed '${d.fix!.value}' from ${d.fix!.key} (${d.ruleId})`);
  }
  return { fixed, skipped };
}

/** Why --fix must leave a file alone, or undefined. */
function unfixable(path: string): string | undefined {
  let stat;
  try {
    stat = statSync(path);
    accessSync(path, fsConstants.R_OK);
  } catch {
    return 'it can no longer be read';
  }
  // The mode bits, not access(): root may write anything, and a file marked read-only is meant to stay as it is.
  if ((stat.mode & 0o222) === 0) return 'the file is read-only; make it writable (chmod u+w) to let --fix change it';
  if (stat.nlink > 1) return `the file has ${stat.nlink} hard links, and a fixed copy would no longer be shared with the others; fix it by hand`;
  return undefined;
}
