import type { Diagnostic } from '../lint/types.js';

/** What the formatters get: already filtered (`--quiet`) and sorted. */
export interface LintReport {
  filesChecked: number;
  errorCount: number;
  warningCount: number;
  diagnostics: Diagnostic[];
  /** Fixes applied by `--fix`, one line each. */
  fixed?: string[];
  /** Files `--fix` left alone, each with the reason. */
  notFixed?: string[];
  /** Warnings left out by `--quiet`: counted, so a quiet run does not claim there are none. */
  hiddenWarnings?: number;
}

export interface FormatOptions {
  color: boolean;
}
