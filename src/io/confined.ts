// Reading, writing and removing files that must stay inside one folder (the
// spec folder the interview and the MCP server work on), even while someone
// else swaps symlinks, folders or hard links in and out of it.
//
// A check followed by a plain open or write by path leaves a window: a file
// checked as `specs/race.md` can be a symlink to `/etc/passwd` by the time it
// is written. So nothing here is done through a path that was only checked:
// - reads open the resolved file with O_NOFOLLOW and then ask the open file
//   descriptor where it really is (Linux names it in /proc/self/fd; elsewhere
//   its identity is compared with the checked path);
// - writes go to a new temporary file created with O_EXCL | O_NOFOLLOW in the
//   destination's folder (checked the same way through its descriptor), then
//   renamed over the destination: rename replaces a symlink, never follows it;
// - removals in a subfolder first move the file into the folder's root (which
//   cannot be swapped from inside) and check it is the file that was checked;
// - a file with more than one hard link is refused: another of its names may
//   lie outside the folder, and nothing in the file says which.
// The folder itself (its real path, taken once per call) is trusted.
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { nodeCrypto } from '../util/builtins.js';

/** A file the folder's rules refuse; the message is one sentence for the caller to pass on. */
export class ConfinementError extends Error {
  override readonly name = 'ConfinementError';
}

export interface Confinement {
  /** The folder everything must stay in (it may not exist before the first write). */
  root: string;
  /** How a path is shown in messages. */
  show(path: string): string;
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** The text of a regular file inside the folder, at most `maxBytes` long. */
export function readInside(c: Confinement, path: string, maxBytes: number): string {
  const root = realRoot(c);
  let target: string;
  try {
    target = realpathSync(path);
  } catch (err) {
    throw new ConfinementError(`cannot read ${c.show(path)}: ${reason(err)}`);
  }
  if (!within(root, target)) throw outside(c, path);
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO swapped in must not hang the server on open.
    fd = openSync(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (err) {
    throw code(err) === 'ELOOP' ? changed(c, path) : new ConfinementError(`cannot read ${c.show(path)}: ${reason(err)}`);
  }
  try {
    const st = fstatSync(fd);
    checkOpened(c, path, fd, st, root, target);
    if (!st.isFile()) throw new ConfinementError(`${c.show(path)} is not a regular file; nothing was read`);
    if (st.nlink > 1) throw hardLinked(c, path, st.nlink);
    if (st.size > maxBytes) throw new ConfinementError(`${c.show(path)} is larger than ${sizeText(maxBytes)}; it is not read`);
    return readAll(fd, maxBytes, () => new ConfinementError(`${c.show(path)} is larger than ${sizeText(maxBytes)}; it is not read`));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `text` to `path` through a temporary file and a rename, so a reader
 * never sees half a file. A symlink at `path` that stays inside the folder
 * has its target written (it stays a symlink); an existing file keeps its mode.
 */
export function writeInside(c: Confinement, path: string, text: string): void {
  mkdirSync(c.root, { recursive: true });
  const root = realRoot(c);
  const dest = destination(c, path, root);
  let mode: number | undefined;
  let before: Stats | undefined;
  try {
    before = lstatSync(dest);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw new ConfinementError(`cannot write ${c.show(path)}: ${reason(err)}`);
  }
  if (before) {
    // dest is a resolved path: a symlink there now was swapped in since.
    if (before.isSymbolicLink()) throw changed(c, path);
    if (!before.isFile()) throw new ConfinementError(`${c.show(path)} is not a regular file; nothing was written`);
    if (before.nlink > 1) throw hardLinked(c, path, before.nlink);
    mode = before.mode & 0o7777;
  }
  const tmp = join(dirname(dest), `.${basename(dest)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode ?? 0o666);
  } catch (err) {
    throw code(err) === 'ELOOP' || code(err) === 'ENOENT' || code(err) === 'ENOTDIR' ? changed(c, path) : new ConfinementError(`cannot write ${c.show(path)}: ${reason(err)}`);
  }
  try {
    const st = fstatSync(fd);
    checkOpened(c, path, fd, st, root, tmp);
    writeAll(fd, text);
    fsyncSync(fd);
    // The mode given to open is cut by the umask; an existing file's mode is kept exactly.
    if (mode !== undefined) fchmodSync(fd, mode);
  } catch (err) {
    closeSync(fd);
    // The temporary file was just made by this call (O_EXCL), wherever it landed.
    rmSync(tmp, { force: true });
    throw err instanceof ConfinementError ? err : new ConfinementError(`cannot write ${c.show(path)}: ${reason(err)}`);
  }
  closeSync(fd);
  try {
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw code(err) === 'ENOENT' || code(err) === 'ENOTDIR' ? changed(c, path) : new ConfinementError(`cannot write ${c.show(path)}: ${reason(err)}`);
  }
}

/** Removes the file (or symlink) at `path`; a symlink is removed itself, never what it points to. */
export function removeInside(c: Confinement, path: string): void {
  const root = realRoot(c);
  let parent: string;
  try {
    parent = realpathSync(dirname(path));
  } catch (err) {
    throw new ConfinementError(`cannot remove ${c.show(path)}: ${reason(err)}`);
  }
  if (!within(root, parent)) throw outside(c, path);
  const target = join(parent, basename(path));
  let st: Stats;
  try {
    st = lstatSync(target);
  } catch (err) {
    throw new ConfinementError(`cannot remove ${c.show(path)}: ${reason(err)}`);
  }
  if (st.isDirectory()) throw new ConfinementError(`${c.show(path)} is a folder, not a spec file; nothing was removed`);
  // Removing a link never touches its target, but a spec that points out of the folder is not the folder's to manage.
  if (st.isSymbolicLink() && !within(root, linkTarget(target))) throw outside(c, path);
  // The root's own entries cannot be redirected: unlink does not follow the last component.
  if (parent === root) return unlink(c, path, target);
  // A subfolder could become a symlink out of the folder before the unlink: move the
  // file into the root first, then make sure it is the file that was checked.
  const parked = join(root, `.${basename(target)}.${nodeCrypto().randomBytes(6).toString('hex')}.removed`);
  try {
    renameSync(target, parked);
  } catch (err) {
    throw code(err) === 'EXDEV' || code(err) === 'ENOENT' || code(err) === 'ENOTDIR' ? changed(c, path) : new ConfinementError(`cannot remove ${c.show(path)}: ${reason(err)}`);
  }
  const moved = lstatSync(parked);
  if (moved.ino !== st.ino || moved.dev !== st.dev) {
    // Not what was checked: put it back where it came from, untouched.
    renameSync(parked, target);
    throw changed(c, path);
  }
  unlink(c, path, parked);
}

/** Whether `path` lies in `root` (both absolute, normalised). */
export function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Where a symlink leads: its real path, or for a dangling one where it points. */
function linkTarget(link: string): string {
  try {
    return realpathSync(link);
  } catch {
    return resolve(dirname(link), readlinkSync(link));
  }
}

function unlink(c: Confinement, shown: string, path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    throw new ConfinementError(`cannot remove ${c.show(shown)}: ${reason(err)}`);
  }
}

function realRoot(c: Confinement): string {
  try {
    return realpathSync(c.root);
  } catch (err) {
    throw new ConfinementError(`cannot use the spec folder ${c.show(c.root)}: ${reason(err)}`);
  }
}

/**
 * The real file a write to `path` lands on: the path itself (in its real
 * folder), or the target of a symlink there. Refuses anything outside.
 */
function destination(c: Confinement, path: string, root: string): string {
  let st: Stats | undefined;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw new ConfinementError(`cannot write ${c.show(path)}: ${reason(err)}`);
  }
  let dest = path;
  if (st?.isSymbolicLink()) {
    try {
      dest = realpathSync(path);
    } catch {
      // A dangling link: judge where it points, since writing would create that file.
      dest = resolve(dirname(path), readlinkSync(path));
    }
  }
  let folder: string;
  try {
    folder = realpathSync(dirname(dest));
  } catch (err) {
    if (!within(root, resolve(dirname(dest)))) throw outside(c, path);
    throw new ConfinementError(`cannot write ${c.show(path)}: ${reason(err)}`);
  }
  const real = join(folder, basename(dest));
  if (!within(root, real) || real === root) throw outside(c, path);
  return real;
}

/**
 * After an open: the descriptor must be the file that was checked. Linux says
 * where an open file is; elsewhere the identity of what the checked path names
 * now must be the descriptor's. `st` must come from fstat before this call:
 * its link count, taken first, and the name checked here cover each other.
 */
function checkOpened(c: Confinement, path: string, fd: number, st: Stats, root: string, expected: string): void {
  let where: string | undefined;
  try {
    where = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    where = undefined;
  }
  if (where !== undefined && isAbsolute(where)) {
    // The name it was opened by is gone: it may have been a hard link whose other name, the only one now, lies outside.
    if (where.endsWith(' (deleted)')) throw changed(c, path);
    if (!within(root, where)) throw outside(c, path);
    return;
  }
  let now: Stats;
  try {
    now = lstatSync(expected);
  } catch {
    throw changed(c, path);
  }
  if (now.ino !== st.ino || now.dev !== st.dev) throw changed(c, path);
}

function readAll(fd: number, maxBytes: number, tooLarge: () => Error): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    // The size was checked on open; a file that grows meanwhile is still cut off here.
    if (total > maxBytes) throw tooLarge();
    chunks.push(buf.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

const outside = (c: Confinement, path: string) =>
  new ConfinementError(`${c.show(path)} resolves outside the spec folder ${c.show(c.root)}; nothing was read or written`);

const changed = (c: Confinement, path: string) =>
  new ConfinementError(`${c.show(path)} changed while specdag was using it (a symlink or folder was swapped in); nothing was read or written, try again`);

const hardLinked = (c: Confinement, path: string, links: number) =>
  new ConfinementError(
    `${c.show(path)} has ${links} hard links, so it may be a file outside the spec folder too; specdag neither reads nor writes it (replace it with a copy of its own)`,
  );

function sizeText(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function reason(err: unknown): string {
  switch (code(err)) {
    case 'ENOENT':
      return 'it does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'it is a symlink loop';
    case 'ENOSPC':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
      return 'a part of its path is not a folder';
    default:
      return code(err) ?? (err instanceof Error ? err.message : String(err));
  }
}
