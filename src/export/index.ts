import type { LintResult } from '../lint/engine.js';
import type { ReadText } from '../plan/prompt.js';
import type { RunPlan } from '../plan/types.js';
import { exportGithubActions } from './github-actions.js';
import { exportMakefile } from './makefile.js';
import { exportSh } from './sh.js';

export const EXPORT_TARGETS = ['sh', 'github-actions', 'makefile'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export interface ExportOptions {
  /** The spec folder, as the generated file should name it (relative to where it runs). */
  specDir: string;
  /** The name of the file written (`-o`), when there is one: the Makefile refuses a task of that name. */
  fileName?: string;
  readText?: ReadText;
}

/** RunPlan → the text of a script, workflow or Makefile. Pure apart from reading the spec files into the prompts. */
export function exportPlan(plan: RunPlan, result: LintResult, to: ExportTarget, opts: ExportOptions): string {
  switch (to) {
    case 'sh':
      return exportSh(plan, result, opts);
    case 'github-actions':
      return exportGithubActions(plan, result, opts);
    case 'makefile':
      return exportMakefile(plan, opts);
  }
}
