import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

export interface ExportOptions {
  dir: string;
  to: 'sh' | 'github-actions' | 'makefile';
  output?: string;
}

export async function runExport(_opts: ExportOptions, _io: Io): Promise<number> {
  throw new UsageError("'specdag export' is not built yet; see specs/plan-export.md");
}
