import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { UsageError } from '../util/errors.js';
import { displayPath } from './folder.js';

/** A file or folder another tool wrote, as `specdag import` reads it. */
export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** The path as messages and `x-source` name it. */
  file: string;
  name: string;
  text: string;
}

const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

function stat(path: string, shown: string) {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new UsageError(`${shown} does not exist; pass the path of the task list to import`);
    throw new UsageError(`cannot read ${shown} (${code ?? String(err)}); check its permissions`);
  }
}

/** A source path as specs record it: relative to the current folder when inside it, else absolute. */
export function sourcePath(path: string, cwd: string): string {
  const shown = displayPath(path, cwd);
  return shown === '..' || shown.startsWith('../') ? path.split(sep).join('/') : shown;
}

function read(path: string, cwd: string): SourceFile {
  const file = sourcePath(path, cwd);
  const info = stat(path, file);
  if (info.size > MAX_SOURCE_BYTES) throw new UsageError(`${file} is ${Math.round(info.size / 1024 / 1024)} MB, more than a task list should be; pass the task list itself`);
  try {
    return { path, file, name: basename(path), text: readFileSync(path, 'utf8') };
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check its permissions`);
  }
}

/**
 * The one file a format reads: the path itself, or when it is a folder the
 * first of `candidates` inside it (`tasks.md`, `.taskmaster/tasks/tasks.json`).
 */
export function readSourceFile(source: string, cwd: string, candidates: string[]): SourceFile {
  const path = resolve(cwd, source);
  const info = stat(path, displayPath(path, cwd));
  if (!info.isDirectory()) return read(path, cwd);
  for (const c of candidates) {
    const inside = join(path, c);
    try {
      if (statSync(inside).isFile()) return read(inside, cwd);
    } catch {
      // Not this one; try the next.
    }
  }
  throw new UsageError(`${displayPath(path, cwd)} is a folder without ${candidates.join(' or ')}; pass the task list file itself`);
}

/** The Markdown files of a folder, in natural order (`task-2` before `task-10`), and the folder as named. */
export function readMarkdownFolder(folder: string, cwd: string): { folder: string; files: SourceFile[] } {
  const path = resolve(cwd, folder);
  let names: string[];
  try {
    names = readdirSync(path);
  } catch (err) {
    throw new UsageError(`cannot list ${displayPath(path, cwd)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); check its permissions`);
  }
  const files = names
    .filter((n) => n.endsWith('.md') && !n.startsWith('.'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((n) => join(path, n))
    .filter((p) => statSync(p).isFile())
    .map((p) => read(p, cwd));
  return { folder: sourcePath(path, cwd), files };
}

/** Whether a path is a folder (false when it does not exist). */
export function folderExists(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
