import { readFileSync } from 'node:fs';
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
  const fixed: string[] = [];
  if (opts.fix) {
    fixed.push(...fixFolder(refs, result.diagnostics));
    if (fixed.length > 0) ({ result } = await lintDir(opts.dir, io, new Profile(false), useCache));
  }
  const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warningCount = result.diagnostics.length - errorCount;
  const shown = opts.quiet ? result.diagnostics.filter((d) => d.severity === 'error') : result.diagnostics;
  const report: LintReport = { filesChecked: result.filesChecked, errorCount, warningCount: opts.quiet ? 0 : warningCount, diagnostics: shown };
  if (opts.quiet && warningCount > 0) report.hiddenWarnings = warningCount;
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
