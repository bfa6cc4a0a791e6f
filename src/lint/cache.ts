import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/write.js';
import type { ProjectConfig } from '../spec/types.js';
import type { FileResult } from './engine.js';

/**
 * Set by the build (scripts/build.mjs) to a hash of the sources: a cache
 * written by other code is never trusted. Unset when running from sources,
 * and then there is no cache.
 */
declare const __SPECDAG_BUILD__: string | undefined;
export const BUILD_ID: string | undefined = typeof __SPECDAG_BUILD__ === 'string' ? __SPECDAG_BUILD__ : undefined;

interface Entry {
  hash: string;
  result: FileResult;
}

interface CacheFile {
  key: string;
  entries: Record<string, Entry>;
}

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/**
 * The per-file lint results of the last run, so that a file that cannot
 * change a result is not parsed again: same bytes, same specdag build, same
 * PROJECT.md settings the file rules read, and the same answers from the file
 * system to every question the rules asked (a link target that appeared or
 * vanished makes the file a miss). Rules across files always run.
 */
export class LintCache {
  private entries: Record<string, Entry> = {};
  private readonly seen = new Set<string>();
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly key: string,
  ) {}

  static open(path: string, project: ProjectConfig, build: string): LintCache {
    const key = `${build}:${JSON.stringify(project.requiredSections)}`;
    const cache = new LintCache(path, key);
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as CacheFile;
      if (data.key === key && data.entries && typeof data.entries === 'object') cache.entries = data.entries;
    } catch {
      // no cache yet, or one we cannot read: start empty
    }
    return cache;
  }

  get(file: string, hash: string, exists: (path: string) => boolean): FileResult | undefined {
    this.seen.add(file);
    const entry = this.entries[file];
    if (!entry || entry.hash !== hash) return undefined;
    for (const [path, answer] of entry.result.asked ?? []) if (exists(path) !== answer) return undefined;
    return entry.result;
  }

  set(file: string, hash: string, result: FileResult): void {
    this.seen.add(file);
    this.entries[file] = { hash, result };
    this.dirty = true;
  }

  /** Writes the cache when it changed, without the files that are gone; a cache that cannot be written is skipped. */
  save(): void {
    for (const file of Object.keys(this.entries)) {
      if (!this.seen.has(file)) {
        delete this.entries[file];
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    try {
      const dir = dirname(this.path);
      mkdirSync(dir, { recursive: true });
      // The .specdag folder holds runs, interviews and this cache: none of it belongs in git.
      const ignore = join(dirname(dir), '.gitignore');
      if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
      writeFileAtomic(this.path, JSON.stringify({ key: this.key, entries: this.entries } satisfies CacheFile));
    } catch {
      // read-only checkout, full disk: lint still answered, only the next run is slower
    }
  }
}
