import type { LintReport } from './types.js';

/** The contract's `lint --format json` shape (CLI.md), keys in its order. */
export function formatJson(report: LintReport): string {
  const out = {
    version: 1,
    filesChecked: report.filesChecked,
    errorCount: report.errorCount,
    warningCount: report.warningCount,
    diagnostics: report.diagnostics.map((d) => ({
      ruleId: d.ruleId,
      severity: d.severity,
      file: d.file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.endColumn,
      message: d.message,
      fixable: d.fixable,
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
