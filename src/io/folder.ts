import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../util/errors.js';

/** Larger files are not specs: reading them would only slow every command down. */
export const MAX_SPEC_BYTES = 1024 * 1024;

export interface FileEntry {
  /** Shown to the user: relative to the current directory, `/` separators. */
  file: string;
  path: string;
  stem: string;
  text?: string;
  /** Why the file could not be read as text; `line` when the fault has one. */
  error?: { message: string; line?: number };
}

export interface SpecFolder {
  dir: string;
  specs: FileEntry[];
  project?: FileEntry;
}

/** A spec file found but not read yet. */
export interface FileRef {
  file: string;
  path: string;
  stem: string;
}

export interface SpecListing {
  dir: string;
  refs: FileRef[];
  /** PROJECT.md, when there is one. */
  projectPath?: string;
}

export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path) || '.';
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** Files that are not specs: README.md, and names starting with `_` or `.`. */
function skipped(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.') || name.toLowerCase() === 'readme.md';
}

/**
 * Reads every spec of a folder (recursively, sorted) and its PROJECT.md. A
 * file that cannot be read becomes an entry with an `error`, so the rest of
 * the folder is still linted; a missing folder is a UsageError.
 */
export function readSpecFolder(dir: string, cwd = process.cwd()): SpecFolder {
  const listing = listSpecFolder(dir, cwd);
  const folder: SpecFolder = { dir: listing.dir, specs: listing.refs.map((r) => readEntry(r.path, cwd)) };
  if (listing.projectPath) folder.project = readEntry(listing.projectPath, cwd);
  return folder;
}

/** Finds the spec files of a folder (recursively, sorted by path) without reading them. */
export function listSpecFolder(dir: string, cwd = process.cwd()): SpecListing {
  const root = resolve(cwd, dir);
  let stat;
  try {
    stat = statSync(root);
  } catch {
    throw new UsageError(`spec folder '${dir}' does not exist; create it with 'specdag init ${dir}' or pass the folder that holds your specs`);
  }
  if (!stat.isDirectory()) throw new UsageError(`'${dir}' is not a folder; pass the folder that holds your specs`);

  const refs: FileRef[] = [];
  const visited = new Set<string>();
  const walk = (folder: string) => {
    let real: string;
    try {
      real = realpathSync(folder);
    } catch {
      return;
    }
    // A symlinked folder that leads back up would be walked forever.
    if (visited.has(real)) return;
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (folder === root) throw new UsageError(`cannot read spec folder '${dir}' (${code ?? String(err)}); check its permissions`);
      // An unreadable subfolder is reported like an unreadable file, never skipped in silence.
      refs.push({ file: displayPath(folder, cwd), path: folder, stem: basename(folder) });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (skipped(entry.name)) continue;
      const path = join(folder, entry.name);
      if (folder === root && entry.name === 'PROJECT.md') continue;
      if (entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path))) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (entry.name.endsWith('.md')) {
        refs.push({ file: displayPath(path, cwd), path, stem: entry.name.slice(0, -3) });
      }
    }
  };
  walk(root);
  const projectPath = join(root, 'PROJECT.md');
  const listing: SpecListing = { dir: root, refs };
  if (existsSync(projectPath) || isSymlink(projectPath)) listing.projectPath = projectPath;
  return listing;
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export function readEntry(path: string, cwd = process.cwd(), file = displayPath(path, cwd)): FileEntry {
  const entry: FileEntry = { file, path, stem: basename(path).replace(/\.md$/, '') };
  const fail = (message: string, line?: number) => {
    entry.error = line === undefined ? { message } : { message, line };
    return entry;
  };
  let stat;
  try {
    stat = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return fail('cannot read the file: it is a symlink loop');
    if (code === 'ENOENT') return fail('cannot read the file: it is a symlink to nothing');
    return fail(`cannot read the file: ${code ?? String(err)}`);
  }
  if (stat.isDirectory()) return fail('cannot read this folder of specs (permission denied?); the specs in it are not linted');
  if (!stat.isFile()) return fail('cannot read the file: it is not a regular file');
  if (stat.size > MAX_SPEC_BYTES) {
    return fail(`the file is ${(stat.size / 1024 / 1024).toFixed(1)} MiB; specs are read up to 1 MiB: split it or move the bulk into a linked file`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'EACCES' ? 'cannot read the file: permission denied' : `cannot read the file: ${code ?? String(err)}`);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return fail('the file is binary (it holds a NUL byte), not Markdown text', lineAt(bytes, nul));
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    return fail(`the file is not valid UTF-8 (first bad byte at offset ${bad}); save it as UTF-8`, lineAt(bytes, bad));
  }
  entry.text = bytes.toString('utf8');
  return entry;
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

/** Offset of the first byte that breaks UTF-8 (only called once isUtf8 said no). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0 || i + n >= b.length || (n > 0 && !isUtf8(b.subarray(i, i + n + 1)))) return i;
    i += n + 1;
  }
  return b.length;
}

/**
 * An existence check for link targets, cached for one lint run only: a
 * long-lived process (the interview) must see files that appear later.
 */
export function existenceChecker(): (path: string) => boolean {
  const cache = new Map<string, boolean>();
  return (path) => {
    let hit = cache.get(path);
    if (hit === undefined) {
      hit = existsSync(path);
      cache.set(path, hit);
    }
    return hit;
  };
}
