import { createRequire } from 'node:module';

// Node's own modules that a small command seldom needs, loaded on first use:
// loading node:crypto takes Node 6 to 9 ms here and node:v8 about 4 ms, out of
// the ~260 ms of a 30-spec first lint, which needs neither (no cache to hash
// for, nothing written; util/tiering.ts only asks V8 for a short job).

const load = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;
let v8: typeof import('node:v8') | undefined;

export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= load('node:crypto') as typeof import('node:crypto'));
}

export function nodeV8(): typeof import('node:v8') {
  return (v8 ??= load('node:v8') as typeof import('node:v8'));
}
