import { UsageError } from '../util/errors.js';
import type { Io } from './io.js';

export interface InterviewOptions {
  dir: string;
  model?: string;
  resume: boolean;
  refine?: string;
}

export async function runInterview(_opts: InterviewOptions, _io: Io): Promise<number> {
  throw new UsageError("'specdag interview' is not built yet; see specs/interview.md");
}
