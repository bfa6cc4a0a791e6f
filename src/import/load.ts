import { join, resolve } from 'node:path';
import { folderExists, readMarkdownFolder, readSourceFile, type SourceFile } from '../io/import-source.js';
import { UsageError } from '../util/errors.js';
import { readBacklog } from './backlog.js';
import { readCcSdd } from './cc-sdd.js';
import { readSpecKit } from './spec-kit.js';
import { readTaskMaster } from './taskmaster.js';
import type { Format, SourceRead } from './types.js';

/** What each format's tasks look like, for the sentence that says none were found. */
const SHAPE: Record<Format, string> = {
  'spec-kit': "'- [ ] T001 Description in path/file'",
  taskmaster: 'objects in a "tasks" array',
  'cc-sdd': "'- [ ] 1.1 Description'",
  backlog: "'<id> - <Title>.md' files with frontmatter",
};

function nonEmpty(f: SourceFile): SourceFile {
  if (f.text.trim() === '') throw new UsageError(`${f.file} is empty; there are no tasks to import`);
  return f;
}

/** Reads the source of a format and returns its tasks; a source with no task at all is a usage error (nothing to write). */
export function loadSource(format: Format, source: string, cwd: string, tag?: string): SourceRead {
  if (tag !== undefined && format !== 'taskmaster') throw new UsageError(`--tag is for Task Master files; ${format} has no tags`);
  let read: SourceRead;
  switch (format) {
    case 'spec-kit': {
      const f = nonEmpty(readSourceFile(source, cwd, ['tasks.md']));
      read = readSpecKit(f.text, f.file);
      break;
    }
    case 'cc-sdd': {
      const f = nonEmpty(readSourceFile(source, cwd, ['tasks.md']));
      read = readCcSdd(f.text, f.file);
      break;
    }
    case 'taskmaster': {
      const f = readSourceFile(source, cwd, ['.taskmaster/tasks/tasks.json', 'tasks/tasks.json', 'tasks.json']);
      read = readTaskMaster(f.text, f.file, tag);
      break;
    }
    case 'backlog': {
      const path = resolve(cwd, source);
      if (!folderExists(path)) {
        readSourceFile(source, cwd, []);
        throw new UsageError(`${source} is a file; pass Backlog.md's backlog/tasks folder`);
      }
      // `backlog/` itself holds tasks/, completed/, drafts/...: its tasks are in tasks/.
      const tasksDir = folderExists(join(path, 'tasks')) ? join(path, 'tasks') : path;
      const { folder, files } = readMarkdownFolder(tasksDir, cwd);
      const completedDir = join(tasksDir, '..', 'completed');
      const completed = folderExists(completedDir) ? readMarkdownFolder(completedDir, cwd).files : [];
      read = readBacklog(files, folder, completed);
      break;
    }
  }
  if (read.tasks.length === 0) throw new UsageError(`found no tasks in ${read.label}: ${format} tasks are ${SHAPE[format]}; nothing was written`);
  return read;
}
