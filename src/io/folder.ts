import { closeSync, constants as fsConstants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { basename, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../util/errors.js';

/** Larger files are not specs: reading them would only slow every command down. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Nor are longer ones (a 40,000-item depends_on still fits). */
export const MAX_SPEC_LINES = 100_000;

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
  const realRoot = realpathSync(root);
  const inside = (real: string) => real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  const walk = (folder: string) => {
    let real: string;
    try {
      real = realpathSync(folder);
    } catch {
      // Gone, or named in bytes that are not UTF-8: reported, never skipped in silence.
      refs.push({ file: displayPath(folder, cwd), path: folder, stem: basename(folder) });
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
        if (entry.name === 'node_modules') continue;
        // A link to a folder outside the spec folder (`-> /`, `-> /proc`) is reported once, never walked.
        if (entry.isSymbolicLink() && !inside(realpathOr(path))) refs.push({ file: displayPath(path, cwd), path, stem: basename(path) });
        else walk(path);
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

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
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
    return fail(cannotOpen(path, err));
  }
  if (stat.isDirectory()) {
    if (isSymlink(path)) {
      return fail(`cannot read this: it links to a folder outside the spec folder (${realpathOr(path)}), which specdag does not follow; move the specs into the folder, or link the files themselves`);
    }
    return fail('cannot read this folder of specs (permission denied?); the specs in it are not linted');
  }
  // A FIFO would block the read forever, a device never ends: only regular files are opened.
  if (!stat.isFile()) return fail(`cannot read the file: it is ${kindOf(stat)}, not a regular file`);
  if (stat.size > MAX_SPEC_BYTES) return fail(tooLarge(stat.size));
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path);
  } catch (err) {
    if (err instanceof NotRegular) return fail(`cannot read the file: it is ${err.kind}, not a regular file`);
    return fail(cannotOpen(path, err));
  }
  if (bytes.length > MAX_SPEC_BYTES) return fail(tooLarge(bytes.length));
  const lines = countLines(bytes, MAX_SPEC_LINES + 1);
  if (lines > MAX_SPEC_LINES) return fail(`the file has more than ${MAX_SPEC_LINES.toLocaleString('en-US')} lines; specs are read up to ${MAX_SPEC_LINES.toLocaleString('en-US')}: split it or move the bulk into a linked file`);
  const nul = bytes.indexOf(0);
  if (nul !== -1) return fail('the file is binary (it holds a NUL byte), not Markdown text', lineAt(bytes, nul));
  if (!isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    return fail(`the file is not valid UTF-8 (first bad byte at offset ${bad}); save it as UTF-8`, lineAt(bytes, bad));
  }
  entry.text = bytes.toString('utf8');
  return entry;
}

const tooLarge = (size: number) => `the file is ${(size / 1024 / 1024).toFixed(1)} MiB; specs are read up to 1 MiB: split it or move the bulk into a linked file`;

/** Why a path could not be opened, in words: a dangling link is not a name in another encoding. */
function cannotOpen(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'cannot read the file: it is a symlink loop';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read the file: permission denied';
  if (code === 'ENOENT') {
    if (isSymlink(path)) return 'cannot read the file: it is a symlink to nothing';
    // readdir names a file whose name is not UTF-8 with U+FFFD in place of the bad bytes, and no file has that name.
    if (basename(path).includes('\ufffd')) return 'cannot read the file: its name is not valid UTF-8, so it cannot be opened by name; rename it';
    return 'cannot read the file: it disappeared while specdag read the folder';
  }
  return `cannot read the file: ${code ?? String(err)}`;
}

class NotRegular extends Error {
  constructor(readonly kind: string) {
    super(kind);
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Reads a regular file without ever blocking: opened non-blocking (a FIFO
 * put in its place since the stat does not hang the open) and checked again
 * on the open descriptor, then read up to the size it had, so a file that
 * claims to be empty and is not (/proc) yields nothing, and one that grows
 * cannot make the read endless.
 */
function readRegularFile(path: string): Buffer {
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotRegular(kindOf(stat));
    const size = Math.min(stat.size, MAX_SPEC_BYTES + 1);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, null);
      if (n === 0) break;
      read += n;
    }
    return read === size ? buffer : buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Lines of a text (LF, CRLF or a lone CR end one), counting stops at `stop`. */
function countLines(bytes: Buffer, stop: number): number {
  let lines = 1;
  for (let i = 0; i < bytes.length && lines < stop; i++) {
    const b = bytes[i];
    if (b === 10 || (b === 13 && bytes[i + 1] !== 10)) lines++;
  }
  return lines;
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
