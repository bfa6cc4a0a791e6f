import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { displayPath, readSpecFolder } from '../io/folder.js';
import { createFile } from '../io/write.js';
import { extractSpec } from '../spec/extract.js';
import { parseSpecText } from '../spec/parse.js';
import { validateFrontmatter } from '../spec/schema.js';
import { ID_PATTERN, renderSpec, slug, titleFromId, type SpecTemplate } from '../spec/template.js';
import { closest } from '../util/closest.js';
import { UsageError } from '../util/errors.js';
import type { Io } from '../io/io.js';

/** What `new` takes: the template's frontmatter keys (the title defaults to the id's words), and the folder. */
export interface NewOptions extends Omit<SpecTemplate, 'title' | 'goal' | 'criteria'> {
  dir: string;
  title?: string;
}

export async function runNew(opts: NewOptions, io: Io): Promise<number> {
  if (!ID_PATTERN.test(opts.id)) {
    const suggestion = slug(opts.id);
    throw new UsageError(
      `'${opts.id}' is not a valid task id: use lowercase letters, digits and '-', starting with a letter or digit, at most 64 characters${suggestion ? ` (for example '${suggestion}')` : ''}`,
    );
  }
  for (const dep of opts.dependsOn ?? []) {
    if (!ID_PATTERN.test(dep)) throw new UsageError(`--depends-on '${dep}' is not a valid task id: use lowercase letters, digits and '-'`);
  }
  const dir = resolve(io.cwd, opts.dir);
  const path = join(dir, `${opts.id}.md`);
  if (existsSync(path)) {
    throw new UsageError(`${displayPath(path, io.cwd)} already exists; edit it, or choose another id`);
  }
  const ids = new Set<string>();
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`'${opts.dir}' is a file, not a folder; pass the folder that holds your specs`);
    for (const s of readSpecFolder(opts.dir, io.cwd).specs) {
      const id = s.text === undefined ? undefined : extractSpec(parseSpecText(s.text), s).id?.value;
      if (s.stem === opts.id || id === opts.id) throw new UsageError(`${s.file} already has the id '${opts.id}'; edit it, or choose another id`);
      ids.add(id ?? s.stem);
    }
  }
  const text = renderSpec({ ...opts, title: opts.title ?? titleFromId(opts.id) });
  // Whatever the options said, the new spec must pass the schema: refuse before writing rather than leave a broken file.
  const problem = validateFrontmatter(parseSpecText(text), 'spec')[0];
  if (problem) throw new UsageError(`the spec would not be valid: ${problem.message}; nothing was written`);
  if (!createFile(path, text)) throw new UsageError(`${displayPath(path, io.cwd)} already exists; edit it, or choose another id`);
  io.stdout.write(`created ${displayPath(path, io.cwd)}\n`);
  // Written all the same: the dependency may be a spec still to come. lint reports it until it exists.
  for (const dep of opts.dependsOn ?? []) {
    if (ids.has(dep) || dep === opts.id) continue;
    const near = closest(dep, ids);
    io.stderr.write(`specdag: warning: --depends-on '${dep}' names no spec in '${opts.dir}' yet${near ? `; did you mean '${near}'?` : `; create it with 'specdag new ${dep} ${opts.dir}'`}\n`);
  }
  return 0;
}
