import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../util/errors.js';

/**
 * A write that the file system refused, as one sentence that names the path
 * and what to do (exit 2): a read-only folder, a full disk, a file in the way.
 * `code` keeps the system's error code for callers that tell them apart.
 */
export class WriteError extends UsageError {
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

const ADVICE: Record<string, string> = {
  EACCES: 'permission denied; check the permissions of the file and its folder',
  EPERM: 'the operation is not permitted; check the permissions of the file and its folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device; free some space and run again',
  EDQUOT: 'the disk quota is used up; free some space and run again',
  EFBIG: 'the file would be larger than this system allows',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many files are open; close some programs and run again',
};

/** The sentence for a failed write of `path` (`ENOSPC` → "cannot write x: no space left ..."). */
export function writeError(path: string, err: unknown): WriteError {
  if (err instanceof WriteError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const why = (code && ADVICE[code]) ?? (err instanceof Error ? err.message : String(err));
  return new WriteError(path, code, `cannot write ${path}: ${why}${code && ADVICE[code] ? ` (${code})` : ''}`);
}

/**
 * Write to a temporary file beside the target, then rename: a reader never
 * sees half a file, and a failed write (full disk, read-only folder) leaves
 * the target as it was and no temporary file behind; it throws a WriteError.
 * An existing file keeps its mode, and a symlink stays a symlink (its target
 * is written). `shown` is the path as the message names it. `durable: false`
 * skips the fsync, for a file rewritten at every step (a run's state, where
 * an fsync each time cost 9 ms against 1.5 ms): a kill still never leaves
 * half a file, only a power cut could lose the last writes.
 */
export function writeFileAtomic(target: string, content: string, { shown = target, durable = true }: { shown?: string; durable?: boolean } = {}): void {
  let path = target;
  let mode: number | undefined;
  try {
    path = realpathSync(target);
    mode = statSync(path).mode & 0o7777;
  } catch {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw writeError(shown, err);
    }
  }
  const tmp = writeTemp(path, content, shown, durable);
  try {
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeError(shown, err);
  }
}

/**
 * The content, whole, in a new temporary file beside `path` (synced to disk
 * when `durable`); its name is returned. A failed write leaves nothing
 * behind and throws a WriteError naming `shown`.
 */
function writeTemp(path: string, content: string, shown: string, durable: boolean): string {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (err) {
    throw writeError(shown, err);
  }
  try {
    try {
      writeAll(fd, content);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw writeError(shown, err);
  }
  return tmp;
}

/** Create a file that must not exist yet; false (and nothing written) when it does. A failed write leaves nothing behind. */
export function createFile(path: string, content: string): boolean {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(path, err);
  }
  try {
    try {
      writeAll(fd, content);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    // Half a spec would lint as a broken one: nothing at all is better.
    rmSync(path, { force: true });
    throw writeError(path, err);
  }
  return true;
}

/**
 * Every byte, or an error: a write may take fewer bytes than it was given
 * (a file size limit, a disk filling up) without failing, and only the next
 * write says why. Stopping at the first would leave half a file, and call it done.
 */
function writeAll(fd: number, content: string): void {
  const bytes = Buffer.from(content);
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
}

/**
 * Writes a file that must not exist yet, whole or not at all: the text goes
 * to a temporary file beside it, which is then hard-linked to the target
 * (a link fails when the target exists, where a rename would replace it).
 * False, and nothing written, when the target exists; a failed write throws
 * a WriteError and leaves nothing behind.
 */
export function createFileAtomic(target: string, content: string): boolean {
  const tmp = writeTemp(target, content, target, true);
  try {
    linkSync(tmp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: an exclusive create still never replaces a file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') return createFile(target, content);
    throw writeError(target, err);
  } finally {
    rmSync(tmp, { force: true });
  }
}
