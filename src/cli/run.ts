import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

export interface RunOptions {
  dir: string;
  maxParallel?: number;
  agent?: string;
  only?: string[];
  dryRun: boolean;
  /** true: the last run; a string: that run id. */
  resume?: boolean | string;
  /** Per-task time limit in minutes. */
  timeoutMinutes?: number;
}

export async function runRun(_opts: RunOptions, _io: Io): Promise<number> {
  throw new UsageError("'specdag run' is not built yet; see specs/run-status.md");
}
