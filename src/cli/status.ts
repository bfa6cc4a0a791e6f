import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

export interface StatusOptions {
  run?: string;
  format: 'text' | 'json';
}

export async function runStatus(_opts: StatusOptions, _io: Io): Promise<number> {
  throw new UsageError("'specdag status' is not built yet; see specs/run-status.md");
}
