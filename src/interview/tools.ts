// The spec tools: one definition and one set of handlers for every front-end
// that lets a model work on a spec folder (the API interview, the MCP server).
// No SDK is needed here, so each front-end only maps the shapes.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheEnabled, lintDir } from '../lint/service.js';
import type { Io } from '../io/io.js';
import { ConfinementError, readInside, removeInside, writeInside, type Confinement } from '../io/confined.js';
import { displayPath, listSpecFolder, MAX_SPEC_BYTES } from '../io/folder.js';
import { findRepoRoot } from '../io/repo.js';
import type { LintResult } from '../lint/engine.js';
import type { Diagnostic } from '../lint/types.js';
import { formatPlan } from '../plan/format/index.js';
import { buildPlan } from '../plan/plan.js';
import { formatJson } from '../report/json.js';
import type { LintReport } from '../report/types.js';
import { ID_PATTERN } from '../spec/template.js';
import { UsageError } from '../util/errors.js';
import { Profile } from '../util/profile.js';

/** A JSON value, as a JSON Schema is made of. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A tool as the Messages API declares it (the MCP server renames `input_schema`). */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: { type: 'object'; properties: Record<string, Json>; required: string[]; additionalProperties: boolean };
}

export interface ToolResult {
  content: string;
  isError: boolean;
}

/** One of the spec tools: a declaration and what runs it. */
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

/**
 * Who the tools answer. The interview's five tools and their results are a
 * contract of their own (read_spec answers the bare text); an MCP client also
 * gets `plan`, and every result as JSON text.
 */
export type ToolSurface = 'interview' | 'mcp';

/** Diagnostics past this many are counted, not listed: a model's context is precious. */
export const MAX_LISTED_DIAGNOSTICS = 100;

/** A tool call that cannot run: it becomes an `is_error` result, never an exception. */
class ToolInputError extends Error {}

const idProperty = { type: 'string', description: 'the task id: lowercase letters, digits and -, at most 64 characters; the file is <id>.md' };
const noInput = { type: 'object', properties: {}, required: [], additionalProperties: false } as const;
const LINT_SHAPE = `(the shape of \`specdag lint --format json\`: counts first, then at most ${MAX_LISTED_DIAGNOSTICS} diagnostics, with "omitted" saying how many more there are)`;

const DEFINITIONS: ToolDefinition[] = [
  {
    name: 'list_specs',
    description: 'Lists every spec in the folder: id, title, phase and depends_on of each, as a JSON array (empty when the folder holds no specs).',
    input_schema: { ...noInput, properties: {}, required: [] },
  },
  {
    name: 'read_spec',
    description: 'Returns the whole text of one spec file, frontmatter included.',
    input_schema: { type: 'object', properties: { id: idProperty }, required: ['id'], additionalProperties: false },
  },
  {
    name: 'write_spec',
    description: `Writes the whole file <id>.md in the spec folder (frontmatter included), replacing it if it exists, then returns the lint result of the whole folder as JSON ${LINT_SHAPE}, the diagnostics of the file just written first. Fix every error it reports in the file you wrote.`,
    input_schema: {
      type: 'object',
      properties: { id: idProperty, markdown: { type: 'string', description: 'the complete Markdown file: YAML frontmatter between --- lines, then the sections' } },
      required: ['id', 'markdown'],
      additionalProperties: false,
    },
  },
  {
    name: 'delete_spec',
    description: `Removes one spec file from the folder, then returns the lint result of the folder as JSON ${LINT_SHAPE}.`,
    input_schema: { type: 'object', properties: { id: idProperty }, required: ['id'], additionalProperties: false },
  },
  {
    name: 'lint_specs',
    description: `Lints the whole spec folder and returns the result as JSON ${LINT_SHAPE}: errorCount, warningCount and the diagnostics, errors first when there are too many to list.`,
    input_schema: { ...noInput, properties: {}, required: [] },
  },
];

const PLAN_DEFINITION: ToolDefinition = {
  name: 'plan',
  description:
    'The run plan of the folder as JSON (the shape of `specdag plan --format json`): waves, critical path, each task\'s branch and worktree. Read-only. Refused while lint reports errors: fix them first.',
  input_schema: { ...noInput, properties: {}, required: [] },
};

const MCP_READ_DESCRIPTION = 'Returns one spec file as JSON: { "id", "file", "markdown" }, where markdown is the whole text, frontmatter included.';

const EMPTY_REPORT: LintReport = { filesChecked: 0, errorCount: 0, warningCount: 0, diagnostics: [] };

/**
 * The tools the model works with, bound to one spec folder. Every file is
 * reached through io/confined.ts, so nothing outside the folder is read or
 * written (symlinks and hard links included, also while they change); the
 * folder may not exist until the first write.
 */
export class SpecTools {
  readonly root: string;
  readonly definitions: ToolDefinition[];
  /** The text each touched file had before the session (null: it did not exist). */
  private readonly originals = new Map<string, { id: string; text: string | null }>();
  private readonly confinement: Confinement;

  constructor(
    dir: string,
    private readonly io: Io,
    private readonly surface: ToolSurface = 'interview',
  ) {
    this.root = resolve(io.cwd, dir);
    this.confinement = { root: this.root, show: (p) => this.show(p) };
    this.definitions =
      surface === 'mcp'
        ? [...DEFINITIONS.map((d) => (d.name === 'read_spec' ? { ...d, description: MCP_READ_DESCRIPTION } : d)), PLAN_DEFINITION]
        : DEFINITIONS;
  }

  /** The tools as `{ definition, run }` pairs. */
  list(): SpecTool[] {
    return this.definitions.map((definition) => ({ definition, run: (input: unknown) => this.run(definition.name, input) }));
  }

  /** Runs a tool by name; unknown names and bad input come back as error results. */
  async run(name: string, input: unknown): Promise<ToolResult> {
    try {
      switch (name) {
        case 'list_specs':
          fields(input, {});
          return ok(JSON.stringify(await this.listSpecs()));
        case 'read_spec': {
          const { id } = fields(input, { id: 'string' });
          const markdown = this.readSpec(id);
          return ok(this.surface === 'mcp' ? JSON.stringify({ id, file: this.show(this.pathFor(id)), markdown }) : markdown);
        }
        case 'write_spec': {
          const { id, markdown } = fields(input, { id: 'string', markdown: 'string' });
          const path = this.writeSpec(id, markdown);
          return ok(await this.lintText(this.show(path)));
        }
        case 'delete_spec': {
          const { id } = fields(input, { id: 'string' });
          this.deleteSpec(id);
          return ok(await this.lintText());
        }
        case 'lint_specs':
          fields(input, {});
          return ok(await this.lintText());
        case 'plan':
          if (this.surface !== 'mcp') break;
          fields(input, {});
          return await this.plan();
      }
      return fail(`there is no tool '${name}'; the tools are ${this.definitions.map((d) => d.name).join(', ')}`);
    } catch (err) {
      if (err instanceof ToolInputError || err instanceof ConfinementError || err instanceof UsageError) return fail(err.message);
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
    return readInside(this.confinement, this.existing(id), MAX_SPEC_BYTES);
  }

  /** Writes the spec and returns the path it went to. */
  writeSpec(id: string, markdown: string): string {
    if (markdown.trim() === '') throw new ToolInputError('markdown is empty; pass the whole file, frontmatter included');
    const text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
    if (Buffer.byteLength(text) > MAX_SPEC_BYTES) throw new ToolInputError('markdown is larger than 1 MiB; split the task; nothing was written');
    if (existsSync(this.root) && !isFolder(this.root)) throw new ToolInputError(`${this.show(this.root)} is a file, not a folder; nothing was written`);
    const path = this.pathFor(id);
    this.remember(id, path);
    writeInside(this.confinement, path, text);
    return path;
  }

  deleteSpec(id: string): void {
    const path = this.existing(id);
    this.remember(id, path);
    removeInside(this.confinement, path);
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

  /** The checked file path of the spec `id` (which may not exist yet). */
  pathOf(id: string): string {
    return this.pathFor(id);
  }

  /** Whether a spec with this id exists in the folder. */
  has(id: string): boolean {
    return ID_PATTERN.test(id) && this.found(id) !== undefined;
  }

  private async plan(): Promise<ToolResult> {
    if (!this.hasSpecs()) return fail(`there are no specs in ${this.show(this.root)} yet, so there is no plan; write them with write_spec first`);
    // Read-only: the lint cache is read but not written, as for `run --dry-run`.
    const { result } = await lintDir(this.root, this.io, new Profile(false), cacheEnabled(this.io.env), true);
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      const n = errors.length;
      return fail(
        JSON.stringify({
          error: `${n} lint error${n === 1 ? '' : 's'} in ${this.show(this.root)}; the plan needs a folder without errors: fix ${n === 1 ? 'it' : 'them'} first`,
          lint: compactReport({ filesChecked: result.filesChecked, errorCount: n, warningCount: 0, diagnostics: errors }),
        }),
      );
    }
    const plan = buildPlan(result, { repoRoot: findRepoRoot(this.io.cwd) ?? this.io.cwd, cwd: this.io.cwd });
    return ok(JSON.stringify(JSON.parse(formatPlan(plan, 'json'))));
  }

  /** The folder's lint result as compact JSON, capped, the diagnostics of `focus` (a file just written) first. */
  private async lintText(focus?: string): Promise<string> {
    return JSON.stringify(compactReport(await this.lintReport(), focus));
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

  /** The file of an existing spec; an error result when there is none. */
  private existing(id: string): string {
    const path = this.pathFor(id);
    if (!existsSync(path)) throw new ToolInputError(`there is no spec '${id}' in ${this.show(this.root)}; list_specs shows the ids`);
    return path;
  }

  /**
   * Where the spec `id` lives: an existing file with that name anywhere in the
   * folder (subfolders are read too), else `<dir>/<id>.md`. Refuses ids that
   * are not plain names; io/confined.ts refuses what resolves outside.
   */
  private pathFor(id: string): string {
    checkId(id);
    return this.found(id) ?? join(this.root, `${id}.md`);
  }

  private found(id: string): string | undefined {
    if (!isFolder(this.root)) return undefined;
    return listSpecFolder(this.root, this.io.cwd).refs.find((r) => r.stem === id && r.path.endsWith('.md'))?.path;
  }
}

/**
 * A lint report as tool results carry it: the contract's JSON shape, compact,
 * with at most MAX_LISTED_DIAGNOSTICS diagnostics. When there are more, the
 * ones of `focus` come first, then errors, then warnings, and `omitted` says
 * how many are not listed.
 */
export function compactReport(report: LintReport, focus?: string): Record<string, unknown> {
  const all = report.diagnostics;
  let listed: Diagnostic[] = all;
  if (all.length > MAX_LISTED_DIAGNOSTICS) {
    const rank = (d: Diagnostic) => (d.file === focus ? 0 : 1) * 2 + (d.severity === 'error' ? 0 : 1);
    listed = all
      .map((d, i) => ({ d, i }))
      .sort((a, b) => rank(a.d) - rank(b.d) || a.i - b.i)
      .slice(0, MAX_LISTED_DIAGNOSTICS)
      .map((x) => x.d);
  }
  const out = JSON.parse(formatJson({ ...report, diagnostics: listed })) as Record<string, unknown>;
  const omitted = all.length - listed.length;
  if (omitted > 0) {
    out.omitted = omitted;
    out.note = `${omitted} more diagnostic${omitted === 1 ? '' : 's'} not listed (${focus ? 'the written file\'s first, then ' : ''}errors first, then warnings); fix these and lint again`;
  }
  return out;
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
