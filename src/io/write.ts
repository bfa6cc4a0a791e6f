import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Write to a temporary file beside the target, then rename: a reader never
 * sees half a file. An existing file keeps its mode, and a symlink stays a
 * symlink (its target is written).
 */
export function writeFileAtomic(target: string, content: string): void {
  let path = target;
  let mode: number | undefined;
  try {
    path = realpathSync(target);
    mode = statSync(path).mode & 0o7777;
  } catch {
    mkdirSync(dirname(path), { recursive: true });
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  if (mode !== undefined) chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** Create a file that must not exist yet; false (and nothing written) when it does. */
export function createFile(path: string, content: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Writes a file that must not exist yet, whole or not at all: the text goes
 * to a temporary file beside it, which is then hard-linked to the target
 * (a link fails when the target exists, where a rename would replace it).
 * False, and nothing written, when the target exists.
 */
export function createFileAtomic(target: string, content: string): boolean {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    linkSync(tmp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: an exclusive create still never replaces a file.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') return createFile(target, content);
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}
