// A lint worker thread: lints the chunks of files it is sent, one message per chunk.
import { parentPort, workerData } from 'node:worker_threads';
import type { FileEntry } from '../io/folder.js';
import type { ProjectConfig } from '../spec/types.js';
import { Profile } from '../util/profile.js';
import { lintEntries } from './engine.js';

const { project, profile: profiling } = workerData as { project: ProjectConfig; profile: boolean };
const profile = new Profile(profiling);

parentPort!.on('message', (msg: { chunk: number; entries: FileEntry[] }) => {
  const results = lintEntries(msg.entries, project, profile);
  parentPort!.postMessage({ chunk: msg.chunk, results, phases: profile.phases });
});
