import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

export interface PlanOptions {
  dir: string;
  format: 'text' | 'json' | 'markdown' | 'mermaid' | 'dot';
}

export async function runPlan(_opts: PlanOptions, _io: Io): Promise<number> {
  throw new UsageError("'specdag plan' is not built yet; see specs/plan-export.md");
}
