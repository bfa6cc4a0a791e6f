/** Bad invocation, configuration or I/O: exit code 2, one sentence, no stack. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The specs themselves are wrong (lint errors): exit code 1. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}
