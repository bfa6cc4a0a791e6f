import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readEntry, type FileEntry } from '../io/folder.js';
import type { ProjectConfig } from '../spec/types.js';
import type { Profile } from '../util/profile.js';
import { lintEntries, type FileResult } from './engine.js';

/**
 * Below this many specs a worker thread costs more to start (it loads the
 * parser modules again) than it saves; measured with `npm run bench`.
 */
export const POOL_THRESHOLD = 400;
const CHUNK = 100;

/**
 * How many worker threads lint the files (0: the main thread does); SPECDAG_WORKERS overrides.
 * With workers the main thread only hands out work: parsing there would grow
 * its heap with garbage it keeps for the whole run (measured at 10,000 specs:
 * 630 MiB peak with the main thread parsing beside one worker, 350 MiB with
 * two workers and an idle main thread, in the same time).
 */
export function workerCount(files: number, env: NodeJS.ProcessEnv = process.env): number {
  const forced = env.SPECDAG_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Number(forced);
  const cores = availableParallelism();
  if (files < POOL_THRESHOLD || cores < 2) return 0;
  return Math.min(cores, Math.ceil(files / POOL_THRESHOLD));
}

/** SPECDAG_WORKER_HEAP_MB caps each worker's heap; a worker that runs out dies and its chunk is linted here. */
function heapLimit(env: NodeJS.ProcessEnv = process.env): { maxOldGenerationSizeMb: number } | undefined {
  const mb = env.SPECDAG_WORKER_HEAP_MB;
  return mb !== undefined && /^[1-9]\d*$/.test(mb) ? { maxOldGenerationSizeMb: Number(mb) } : undefined;
}

/**
 * Lints files on `workers` worker threads, handing out chunks to whoever is
 * free; the results come back in the order of `entries`. A worker that dies
 * (out of memory on a pathological file, say) costs nothing but time: its
 * chunk is read again and linted on the main thread at the end. It empties
 * `entries`: pass an array you no longer need.
 */
export async function lintEntriesParallel(
  entries: FileEntry[],
  project: ProjectConfig,
  profile: Profile,
  workers: number,
  /** Told when a worker dies, in one sentence. */
  warn: (message: string) => void = () => {},
): Promise<FileResult[]> {
  // Every built file sits one folder below dist/ (dist/cli, dist/chunks, dist/lint), so this finds dist/lint/worker.js.
  const script = fileURLToPath(new URL('../lint/worker.js', import.meta.url));
  // Run from sources (tests through tsx) there is no compiled worker: lint on this thread.
  if (workers <= 0 || !existsSync(script)) return lintEntries(entries, project, profile);
  const chunks: FileEntry[][] = [];
  for (let i = 0; i < entries.length; i += CHUNK) chunks.push(entries.slice(i, i + CHUNK));
  // From here the chunks hold the only references, so a text is freed once its worker has a copy.
  entries.length = 0;
  const results: (FileResult[] | undefined)[] = new Array(chunks.length);
  let next = 0;
  const workerPhases: Record<string, number>[] = [];
  const threads: Worker[] = [];
  await Promise.all(
    Array.from({ length: Math.min(workers, chunks.length) }, (_, w) => {
      const worker = new Worker(script, { workerData: { project, profile: profile.enabled }, resourceLimits: heapLimit() });
      threads.push(worker);
      return new Promise<void>((resolve) => {
        const feed = () => {
          if (next >= chunks.length) return resolve();
          const chunk = next++;
          worker.postMessage({ chunk, entries: chunks[chunk] });
          // The worker has its own copy of the texts now: let this thread's go (~150 MiB at 50,000 specs).
          chunks[chunk] = chunks[chunk]!.map(({ text: _text, ...rest }) => rest);
        };
        worker.on('message', (msg: { chunk: number; results: FileResult[]; phases: Record<string, number> }) => {
          results[msg.chunk] = msg.results;
          workerPhases[w] = msg.phases;
          feed();
        });
        worker.on('error', (err: Error & { code?: string }) => {
          warn(`a lint worker died (${err.code ?? err.message}); the files it had are linted on the main thread instead`);
          resolve();
        });
        worker.on('exit', () => resolve());
        worker.on('online', feed);
      });
    }),
  );
  await Promise.all(threads.map((t) => t.terminate()));
  for (const phases of workerPhases) for (const [k, v] of Object.entries(phases ?? {})) profile.add(k, v);
  // A chunk whose worker died is read again and linted here.
  // (A loop, not results.flatMap: flatMap skips the holes a chunk never handed out leaves.)
  const all: FileResult[] = [];
  chunks.forEach((chunk, i) => {
    const done = results[i] ?? lintEntries(chunk.map((e) => (e.text !== undefined || e.error ? e : readEntry(e.path, undefined, e.file))), project, profile);
    for (const r of done) all.push(r);
  });
  return all;
}
