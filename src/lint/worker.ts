// A lint worker thread: lints the chunks of files it is sent, one message per chunk.
import { parentPort, workerData } from 'node:worker_threads';
import type { FileRef } from '../io/folder.js';
import type { ProjectConfig } from '../spec/types.js';
import { Profile } from '../util/profile.js';
import { lintFiles } from './engine.js';

const { project, profile: profiling } = workerData as { project: ProjectConfig; profile: boolean };
const profile = new Profile(profiling);

parentPort!.on('message', (msg: { chunk: number; refs: FileRef[] }) => {
  const results = lintFiles(msg.refs, project, profile);
  parentPort!.postMessage({ chunk: msg.chunk, results, phases: profile.phases });
});
