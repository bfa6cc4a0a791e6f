import { readSpecFolder } from '../io/folder.js';
import { lintFolder } from '../lint/engine.js';
import { rules, severityOf } from '../lint/registry.js';
import { useColor } from '../report/color.js';
import { formatJson } from '../report/json.js';
import { formatSarif } from '../report/sarif.js';
import { formatStylish } from '../report/stylish.js';
import type { LintReport } from '../report/types.js';
import { UsageError } from '../util/errors.js';
import { version, type Io } from './io.js';

export interface LintOptions {
  dir: string;
  format: 'stylish' | 'json' | 'sarif';
  maxWarnings?: number | undefined;
  quiet: boolean;
}

export async function runLint(opts: LintOptions, io: Io): Promise<number> {
  const folder = readSpecFolder(opts.dir, io.cwd);
  if (folder.specs.length === 0) {
    throw new UsageError(`no spec files (*.md) in '${opts.dir}'; point specdag at the folder that holds your specs, or create one with 'specdag new <id> ${opts.dir}'`);
  }
  const result = lintFolder(folder);
  const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warningCount = result.diagnostics.length - errorCount;
  const shown = opts.quiet ? result.diagnostics.filter((d) => d.severity === 'error') : result.diagnostics;
  const report: LintReport = { filesChecked: result.filesChecked, errorCount, warningCount: opts.quiet ? 0 : warningCount, diagnostics: shown };
  const text =
    opts.format === 'json'
      ? formatJson(report)
      : opts.format === 'sarif'
        ? formatSarif(report, { rules, severityOf, version })
        : formatStylish(report, { color: useColor(io.stdout, io.env) });
  io.stdout.write(text);
  if (errorCount > 0) return 1;
  if (opts.maxWarnings !== undefined && warningCount > opts.maxWarnings) {
    io.stderr.write(`specdag: ${warningCount} warnings, more than --max-warnings ${opts.maxWarnings} allows\n`);
    return 1;
  }
  return 0;
}
