import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);
let crypto: typeof import('node:crypto') | undefined;

/**
 * node:crypto, loaded on first use: loading it takes Node 6 to 9 ms here, a
 * twentieth of a small folder's first lint, which never needs it (no cache
 * to hash for, nothing written).
 */
export function nodeCrypto(): typeof import('node:crypto') {
  return (crypto ??= load('node:crypto') as typeof import('node:crypto'));
}
