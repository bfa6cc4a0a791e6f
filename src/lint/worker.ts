// A lint worker thread: lints the chunks of files it is sent, one message per chunk.
import { parentPort, workerData } from 'node:worker_threads';
import type { FileEntry } from '../io/folder.js';
import type { ProjectConfig } from '../spec/types.js';
import { Profile } from '../util/profile.js';
import { encodeResult } from './cache.js';
import { lintEntries } from './engine.js';

const { project, profile: profiling } = workerData as { project: ProjectConfig; profile: boolean };
const profile = new Profile(profiling);

parentPort!.on('message', (msg: { chunk: number; entries: FileEntry[] }) => {
  // Results travel as the lint cache's compact text: a string crosses threads for almost nothing, where the
  // object graph of a spec cost the main thread seconds of deserialising and garbage collection at 10,000 specs.
  const linted = lintEntries(msg.entries, project, profile);
  const results = profile.time('encode', () => linted.map((r, i) => encodeResult(r, msg.entries[i]!)));
  parentPort!.postMessage({ chunk: msg.chunk, results, phases: profile.phases });
});
