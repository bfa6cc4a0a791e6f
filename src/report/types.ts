import type { Diagnostic } from '../lint/types.js';

/** What the formatters get: already filtered (`--quiet`) and sorted. */
export interface LintReport {
  filesChecked: number;
  errorCount: number;
  warningCount: number;
  diagnostics: Diagnostic[];
  /** Fixes applied by `--fix`, one line each. */
  fixed?: string[];
}

export interface FormatOptions {
  color: boolean;
}
