import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { lintDir } from '../lint/service.js';
import type { Io } from '../io/io.js';
import { displayPath, listSpecFolder, MAX_SPEC_BYTES } from '../io/folder.js';
import { writeFileAtomic } from '../io/write.js';
import type { LintResult } from '../lint/engine.js';
import { formatJson } from '../report/json.js';
import type { LintReport } from '../report/types.js';
import { ID_PATTERN } from '../spec/template.js';

/** A tool as the Messages API declares it. */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
}

export interface ToolResult {
  content: string;
  isError: boolean;
}

/** One of the five spec tools: a declaration and what runs it. Needs no SDK, so any front-end can reuse it. */
export interface SpecTool {
  definition: ToolDefinition;
  run(input: unknown): Promise<ToolResult>;
}

/** What a session did to the folder: ids per kind, sorted. */
export interface FolderChanges {
  written: string[];
  changed: string[];
  deleted: string[];
}

/** A tool call that cannot run: it becomes an `is_error` result, never an exception. */
class ToolInputError extends Error {}

const idProperty = { type: 'string', description: 'the task id: lowercase letters, digits and -, at most 64 characters; the file is <id>.md' };

const DEFINITIONS: ToolDefinition[] = [
  {
    name: 'list_specs',
    description: 'Lists every spec in the folder: id, title, phase and depends_on of each, as a JSON array (empty when the folder holds no specs).',
    input_schema: { type: 'object', properties: {}, required: [], additionalProperties: false },
  },
  {
    name: 'read_spec',
    description: 'Returns the whole text of one spec file, frontmatter included.',
    input_schema: { type: 'object', properties: { id: idProperty }, required: ['id'], additionalProperties: false },
  },
  {
    name: 'write_spec',
    description:
      'Writes the whole file <id>.md in the spec folder (frontmatter included), replacing it if it exists, then returns the lint result of the whole folder as JSON (the shape of `specdag lint --format json`). Fix every error it reports in the file you wrote.',
    input_schema: {
      type: 'object',
      properties: { id: idProperty, markdown: { type: 'string', description: 'the complete Markdown file: YAML frontmatter between --- lines, then the sections' } },
      required: ['id', 'markdown'],
      additionalProperties: false,
    },
  },
  {
    name: 'delete_spec',
    description: 'Removes one spec file from the folder, then returns the lint result of the folder as JSON.',
    input_schema: { type: 'object', properties: { id: idProperty }, required: ['id'], additionalProperties: false },
  },
  {
    name: 'lint_specs',
    description: 'Lints the whole spec folder and returns the result as JSON (the shape of `specdag lint --format json`): errorCount, warningCount and the diagnostics.',
    input_schema: { type: 'object', properties: {}, required: [], additionalProperties: false },
  },
];

const EMPTY_REPORT: LintReport = { filesChecked: 0, errorCount: 0, warningCount: 0, diagnostics: [] };

/**
 * The tools the model works with, bound to one spec folder. Every path is
 * checked to stay inside the folder (symlinks included) before anything is
 * read or written; the folder may not exist until the first write.
 */
export class SpecTools {
  readonly root: string;
  /** The text each touched file had before the session (null: it did not exist). */
  private readonly originals = new Map<string, { id: string; text: string | null }>();

  constructor(
    dir: string,
    private readonly io: Io,
  ) {
    this.root = resolve(io.cwd, dir);
  }

  get definitions(): ToolDefinition[] {
    return DEFINITIONS;
  }

  /** The tools as `{ definition, run }` pairs. */
  list(): SpecTool[] {
    return DEFINITIONS.map((definition) => ({ definition, run: (input: unknown) => this.run(definition.name, input) }));
  }

  /** Runs a tool by name; unknown names and bad input come back as error results. */
  async run(name: string, input: unknown): Promise<ToolResult> {
    try {
      switch (name) {
        case 'list_specs':
          fields(input, {});
          return ok(JSON.stringify(await this.listSpecs(), null, 2));
        case 'read_spec': {
          const { id } = fields(input, { id: 'string' });
          return ok(this.readSpec(id));
        }
        case 'write_spec': {
          const { id, markdown } = fields(input, { id: 'string', markdown: 'string' });
          this.writeSpec(id, markdown);
          return ok(formatJson(await this.lintReport()));
        }
        case 'delete_spec': {
          const { id } = fields(input, { id: 'string' });
          this.deleteSpec(id);
          return ok(formatJson(await this.lintReport()));
        }
        case 'lint_specs':
          fields(input, {});
          return ok(formatJson(await this.lintReport()));
        default:
          return fail(`there is no tool '${name}'; the tools are ${DEFINITIONS.map((d) => d.name).join(', ')}`);
      }
    } catch (err) {
      if (err instanceof ToolInputError) return fail(err.message);
      // A tool must never end the conversation: report what went wrong to the model.
      return fail(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The folder's lint result; an absent or empty folder is a clean, empty report rather than a usage error. */
  async lint(): Promise<LintResult | undefined> {
    if (!this.hasSpecs()) return undefined;
    return (await lintDir(this.root, this.io)).result;
  }

  async lintReport(): Promise<LintReport> {
    const result = await this.lint();
    if (!result) return EMPTY_REPORT;
    const errorCount = result.diagnostics.filter((d) => d.severity === 'error').length;
    return { filesChecked: result.filesChecked, errorCount, warningCount: result.diagnostics.length - errorCount, diagnostics: result.diagnostics };
  }

  /** Ids of the specs in the folder (file stems), sorted by path. */
  ids(): string[] {
    if (!isFolder(this.root)) return [];
    return listSpecFolder(this.root, this.io.cwd).refs.map((r) => r.stem);
  }

  async listSpecs(): Promise<{ id: string; title: string | null; phase: string; depends_on: string[] }[]> {
    const result = await this.lint();
    if (!result) return [];
    return result.specs.list.map((s) => ({
      id: s.id?.value ?? s.stem,
      title: s.title?.value ?? null,
      phase: s.phase,
      depends_on: s.dependsOn.map((d) => d.value),
    }));
  }

  readSpec(id: string): string {
    const path = this.existing(id);
    if (statSync(path).size > MAX_SPEC_BYTES) throw new ToolInputError(`${this.show(path)} is larger than 1 MiB; it is not read`);
    return readFileSync(path, 'utf8');
  }

  writeSpec(id: string, markdown: string): void {
    if (markdown.trim() === '') throw new ToolInputError('markdown is empty; pass the whole file, frontmatter included');
    const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
    if (Buffer.byteLength(text) > MAX_SPEC_BYTES) throw new ToolInputError('markdown is larger than 1 MiB; split the task');
    if (existsSync(this.root) && !isFolder(this.root)) throw new ToolInputError(`${this.show(this.root)} is a file, not a folder; nothing was written`);
    const path = this.pathFor(id);
    this.remember(id, path);
    writeFileAtomic(path, text);
  }

  deleteSpec(id: string): void {
    const path = this.existing(id);
    this.remember(id, path);
    // unlink removes a symlink itself, never what it points to.
    unlinkSync(path);
  }

  /** Specs created, changed and deleted since the tools were made (comparing texts, so a change undone is no change). */
  changes(): FolderChanges {
    const out: FolderChanges = { written: [], changed: [], deleted: [] };
    for (const [path, { id, text }] of this.originals) {
      const now = readIfFile(path);
      if (text === null && now !== null) out.written.push(id);
      else if (text !== null && now === null) out.deleted.push(id);
      else if (text !== null && now !== text) out.changed.push(id);
    }
    for (const list of Object.values(out)) list.sort();
    return out;
  }

  private hasSpecs(): boolean {
    return isFolder(this.root) && listSpecFolder(this.root, this.io.cwd).refs.length > 0;
  }

  private remember(id: string, path: string): void {
    if (!this.originals.has(path)) this.originals.set(path, { id, text: readIfFile(path) });
  }

  private show(path: string): string {
    return displayPath(path, this.io.cwd);
  }

  /** The checked file path of the spec `id` (which may not exist yet). */
  pathOf(id: string): string {
    return this.pathFor(id);
  }

  /** The file of an existing spec, checked; an error result when there is none. */
  private existing(id: string): string {
    const path = this.pathFor(id);
    if (!existsSync(path)) throw new ToolInputError(`there is no spec '${id}' in ${this.show(this.root)}; list_specs shows the ids`);
    return path;
  }

  /**
   * Where the spec `id` lives: an existing file with that name anywhere in the
   * folder (subfolders are read too), else `<dir>/<id>.md`. Refuses ids that
   * are not plain names and any file that resolves outside the folder.
   */
  private pathFor(id: string): string {
    checkId(id);
    const found = isFolder(this.root) ? listSpecFolder(this.root, this.io.cwd).refs.find((r) => r.stem === id && r.path.endsWith('.md')) : undefined;
    const path = found?.path ?? join(this.root, `${id}.md`);
    this.checkInside(path);
    return path;
  }

  private checkInside(path: string): void {
    const root = isFolder(this.root) ? realpathSync(this.root) : this.root;
    const outside = () => new ToolInputError(`${this.show(path)} resolves outside the spec folder ${this.show(this.root)}; nothing was read or written`);
    const parent = dirname(path);
    if (existsSync(parent) && !within(root, realpathSync(parent))) throw outside();
    let link: string | undefined;
    try {
      if (lstatSync(path).isSymbolicLink()) link = readlinkSync(path);
    } catch {
      return; // no file yet: the parent check is all there is
    }
    if (link === undefined) return;
    let target: string;
    try {
      target = realpathSync(path);
    } catch {
      // A dangling link: judge where it points, since writing would create that file.
      target = resolve(dirname(path), link);
    }
    if (!within(root, target)) throw outside();
  }
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) {
    throw new ToolInputError(
      `'${id}' is not a spec id: ids are plain file names inside the spec folder (lowercase letters, digits and -, starting with a letter or digit, at most 64 characters), never paths; nothing was read or written`,
    );
  }
}

type FieldTypes = Record<string, 'string'>;

/** Checks a tool input against the fields a tool needs; extra keys are ignored. */
function fields<T extends FieldTypes>(input: unknown, want: T): { [K in keyof T]: string } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ToolInputError(`the input must be a JSON object${Object.keys(want).length ? ` with ${Object.keys(want).join(' and ')}` : ' ({})'}`);
  }
  const out: Record<string, string> = {};
  for (const [key, type] of Object.entries(want)) {
    const value = (input as Record<string, unknown>)[key];
    if (value === undefined) throw new ToolInputError(`the input has no '${key}'; expected { ${Object.keys(want).map((k) => `"${k}": ${want[k]}`).join(', ')} }`);
    if (typeof value !== type) throw new ToolInputError(`'${key}' must be a ${type}, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`);
    out[key] = value as string;
  }
  return out as { [K in keyof T]: string };
}

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readIfFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

const ok = (content: string): ToolResult => ({ content, isError: false });
const fail = (content: string): ToolResult => ({ content, isError: true });
