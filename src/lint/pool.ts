import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileEntry } from '../io/folder.js';
import type { ProjectConfig } from '../spec/types.js';
import type { Profile } from '../util/profile.js';
import { lintEntries, type FileResult } from './engine.js';

/**
 * Below this many specs a worker thread costs more to start (it loads the
 * parser modules again) than it saves; measured with `npm run bench`.
 */
export const POOL_THRESHOLD = 400;
const CHUNK = 100;

/** How many worker threads to add to the main thread; SPECDAG_WORKERS overrides (0 = none). */
export function workerCount(files: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = env.SPECDAG_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Number(forced);
  if (files < POOL_THRESHOLD) return 0;
  return Math.max(0, Math.min(availableParallelism() - 1, Math.floor(files / POOL_THRESHOLD)));
}

/**
 * Lints files on the main thread and `workers` worker threads at once. Work
 * is handed out in chunks to whoever is free, so a worker that starts late
 * takes fewer; the results come back in the order of `entries`.
 */
export async function lintEntriesParallel(entries: FileEntry[], project: ProjectConfig, profile: Profile, workers: number): Promise<FileResult[]> {
  // Every built file sits one folder below dist/ (dist/cli, dist/chunks, dist/lint), so this finds dist/lint/worker.js.
  const script = fileURLToPath(new URL('../lint/worker.js', import.meta.url));
  // Run from sources (tests through tsx) there is no compiled worker: lint on this thread.
  if (workers <= 0 || !existsSync(script)) return lintEntries(entries, project, profile);
  const chunks: FileEntry[][] = [];
  for (let i = 0; i < entries.length; i += CHUNK) chunks.push(entries.slice(i, i + CHUNK));
  const results: FileResult[][] = new Array(chunks.length);
  let next = 0;
  const threads = Array.from({ length: workers }, () => new Worker(script, { workerData: { project, profile: profile.enabled } }));
  const workerPhases: Record<string, number>[] = [];
  const done = threads.map(
    (worker, w) =>
      new Promise<void>((resolve, reject) => {
        const feed = () => {
          if (next < chunks.length) {
            const chunk = next++;
            worker.postMessage({ chunk, entries: chunks[chunk] });
          } else {
            resolve();
          }
        };
        worker.on('message', (msg: { chunk: number; results: FileResult[]; phases: Record<string, number> }) => {
          results[msg.chunk] = msg.results;
          workerPhases[w] = msg.phases;
          feed();
        });
        worker.on('error', reject);
        worker.on('online', feed);
      }),
  );
  // The main thread takes chunks too, yielding between them so workers get fed.
  while (next < chunks.length) {
    const chunk = next++;
    results[chunk] = lintEntries(chunks[chunk]!, project, profile);
    await new Promise((resolve) => setImmediate(resolve));
  }
  try {
    await Promise.all(done);
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
  for (const phases of workerPhases) for (const [k, v] of Object.entries(phases ?? {})) profile.add(k, v);
  return results.flat();
}
