import { existsSync, mkdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { displayPath, listSpecFolder } from '../io/folder.js';
import { createFileAtomic } from '../io/write.js';
import type { Io } from '../io/io.js';
import { loadSource } from '../import/load.js';
import { renderSpecs, type ImportedSpec } from '../import/render.js';
import { importSummary } from '../import/summary.js';
import type { Format } from '../import/types.js';
import { cacheEnabled, lintDir } from '../lint/service.js';
import { useColor } from '../report/color.js';
import { formatStylish } from '../report/stylish.js';
import { UsageError } from '../util/errors.js';
import { Profile } from '../util/profile.js';

export interface ImportOptions {
  format: Format;
  source: string;
  dir: string;
  tag?: string;
}

/** Reads another tool's task list, writes one spec per task (all or none, never over a file), then lints the folder. */
export async function runImport(opts: ImportOptions, io: Io): Promise<number> {
  const read = loadSource(opts.format, opts.source, io.cwd, opts.tag);
  const specs = renderSpecs(opts.format, read);
  const dir = resolve(io.cwd, opts.dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`'${opts.dir}' is a file, not a folder; pass the folder for the specs`);
  const inside = relative(dir, resolve(io.cwd, opts.source));
  if (!inside.startsWith('..') && !isAbsolute(inside)) {
    // Lint reads every Markdown file below the spec folder: spec-kit's own specs/NNN-feature/*.md would all fail as specs.
    throw new UsageError(`${opts.source} lies inside the spec folder '${opts.dir}', where lint would read it as specs; import into another folder, e.g. 'specdag import ${opts.format} ${opts.source} tasks'`);
  }
  refuseExisting(dir, specs.map((s) => s.id), io.cwd);

  writeAll(dir, specs, io.cwd);
  io.stdout.write(importSummary(opts.format, read, specs, displayPath(dir, io.cwd)));

  const { result } = await lintDir(opts.dir, io, new Profile(false), cacheEnabled(io.env));
  const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
  const report = { filesChecked: result.filesChecked, errorCount, warningCount: result.diagnostics.length - errorCount, diagnostics: result.diagnostics };
  io.stdout.write(formatStylish(report, { color: useColor(io.stdout, io.env) }));
  return errorCount > 0 ? 1 : 0;
}

/** Writes every spec or none: a file that appears meanwhile or a failed write takes back what was written. */
function writeAll(dir: string, specs: ImportedSpec[], cwd: string): void {
  const written: string[] = [];
  let made: string | undefined;
  const undo = () => {
    for (const w of written) rmSync(w, { force: true });
    // Folders this import made go too, innermost first, as far as they are empty.
    for (let d = dir; made !== undefined && d.length >= made.length; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break;
      }
    }
  };
  let path = dir;
  try {
    made = mkdirSync(dir, { recursive: true });
    for (const spec of specs) {
      path = join(dir, `${spec.id}.md`);
      if (!createFileAtomic(path, spec.text)) {
        undo();
        throw new UsageError(`${displayPath(path, cwd)} appeared while importing; nothing was written`);
      }
      written.push(path);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    undo();
    throw new UsageError(`cannot write ${displayPath(path, cwd)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); nothing was written`);
  }
}

/** Refuses (nothing written) when a spec file the import would write exists, or another spec of the folder has the same id. */
function refuseExisting(dir: string, ids: string[], cwd: string): void {
  const taken = new Map<string, string>();
  if (existsSync(dir)) for (const ref of listSpecFolder(dir, cwd).refs) taken.set(ref.stem, ref.file);
  const clashes = ids.filter((id) => existsSync(join(dir, `${id}.md`)) || taken.has(id)).map((id) => taken.get(id) ?? displayPath(join(dir, `${id}.md`), cwd));
  if (clashes.length === 0) return;
  const named = clashes.length <= 5 ? clashes.join(', ') : `${clashes.slice(0, 5).join(', ')} and ${clashes.length - 5} more`;
  throw new UsageError(
    `${named} already ${clashes.length === 1 ? 'exists' : 'exist'}; import writes nothing over a spec, so nothing was written: import into another folder or move ${clashes.length === 1 ? 'it' : 'them'} away`,
  );
}
