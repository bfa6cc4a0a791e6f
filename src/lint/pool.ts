import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readEntry, type FileEntry } from '../io/folder.js';
import type { ProjectConfig } from '../spec/types.js';
import type { Profile } from '../util/profile.js';
import { decodeResult } from './cache.js';
import { lintEntries, type FileResult } from './engine.js';

/**
 * Each worker thread loads the parsers again and sends its results back
 * across threads; below this many specs per worker that costs more than the
 * core it adds saves.
 */
export const FILES_PER_WORKER = 1000;
const CHUNK = 100;

/** The cores of this machine and how busy they were over the last minute (the load average). */
export interface Machine {
  cores: number;
  load: number;
}

const thisMachine = (): Machine => ({ cores: availableParallelism(), load: loadavg()[0] ?? 0 });

/**
 * How many worker threads lint the files (0: the main thread does); SPECDAG_WORKERS overrides.
 * Threads pay only with cores to spare: the default counts the cores the
 * load average leaves idle (this process runs on one of them) and uses
 * threads only when that is two or more, one per FILES_PER_WORKER specs.
 * On the shared 2-core machine of the benchmark, where other work keeps
 * both cores busy, two workers used 40-50 % more CPU than one thread and
 * finished 30-70 % later, at 1,000 and at 10,000 specs alike.
 * With workers the main thread only hands out work: parsing there would grow
 * its heap with garbage it keeps for the whole run (measured at 10,000 specs:
 * 630 MiB peak with the main thread parsing beside one worker, 350 MiB with
 * two workers and an idle main thread, in the same time).
 */
export function workerCount(files: number, env: NodeJS.ProcessEnv = process.env, machine: Machine = thisMachine()): number {
  const forced = env.SPECDAG_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Number(forced);
  const idle = Math.min(machine.cores, Math.round(machine.cores - machine.load));
  const workers = Math.min(idle, Math.floor(files / FILES_PER_WORKER));
  return workers >= 2 ? workers : 0;
}

/** SPECDAG_WORKER_HEAP_MB caps each worker's heap; a worker that runs out dies and its chunk is linted here. */
function heapLimit(env: NodeJS.ProcessEnv = process.env): { maxOldGenerationSizeMb: number } | undefined {
  const mb = env.SPECDAG_WORKER_HEAP_MB;
  return mb !== undefined && /^[1-9]\d*$/.test(mb) ? { maxOldGenerationSizeMb: Number(mb) } : undefined;
}

/** A file's result, and its cache text when a worker thread made it (see LintCache.set). */
export interface Linted {
  result: FileResult;
  encoded?: string;
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
): Promise<Linted[]> {
  // Every built file sits one folder below dist/ (dist/cli, dist/chunks, dist/lint), so this finds dist/lint/worker.js.
  const script = fileURLToPath(new URL('../lint/worker.js', import.meta.url));
  // Run from sources (tests through tsx) there is no compiled worker: lint on this thread.
  if (workers <= 0 || !existsSync(script)) return lintEntries(entries, project, profile).map((result) => ({ result }));
  // Loaded only here: a lint on one thread (most lints) never needs it.
  const { Worker } = await import('node:worker_threads');
  const chunks: FileEntry[][] = [];
  for (let i = 0; i < entries.length; i += CHUNK) chunks.push(entries.slice(i, i + CHUNK));
  // From here the chunks hold the only references, so a text is freed once its worker has a copy.
  entries.length = 0;
  const results: (string[] | undefined)[] = new Array(chunks.length);
  let next = 0;
  const workerPhases: Record<string, number>[] = [];
  const threads: InstanceType<typeof Worker>[] = [];
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
        worker.on('message', (msg: { chunk: number; results: string[]; phases: Record<string, number> }) => {
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
  const all: Linted[] = [];
  profile.time('decode', () => {
    chunks.forEach((chunk, i) => {
      const encoded = results[i];
      // Fields decoded on first read, like a cache hit's: few rules read them.
      if (encoded) encoded.forEach((text, k) => all.push({ result: decodeResult(text, chunk[k]!, true), encoded: text }));
      else for (const result of lintEntries(chunk.map((e) => (e.text !== undefined || e.error ? e : readEntry(e.path, undefined, e.file))), project, profile)) all.push({ result });
    });
  });
  return all;
}
