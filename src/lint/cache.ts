import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { FileRef } from '../io/folder.js';
import type { Field, Item, ProjectConfig, Span, Spec } from '../spec/types.js';
import type { FileResult } from './engine.js';
import type { Diagnostic } from './types.js';
import { nodeCrypto } from '../util/builtins.js';

/**
 * Set by the build (scripts/build.mjs) to a hash of the sources: a cache
 * written by other code is never trusted. Unset when running from sources,
 * and then there is no cache.
 */
declare const __SPECDAG_BUILD__: string | undefined;
export const BUILD_ID: string | undefined = typeof __SPECDAG_BUILD__ === 'string' ? __SPECDAG_BUILD__ : undefined;

/** Bumped when the file layout changes. */
const FORMAT = 2;
const NL = 0x0a;
const TAB = 0x09;

/** `context`: what else the result depends on (the settings the file rules read). */
export function contentHash(text: string, context = ''): string {
  const hash = nodeCrypto().createHash('sha1');
  if (context !== '') hash.update(context).update('\0');
  return hash.update(text).digest('base64');
}

/** PROJECT.md read: its settings and its problems. */
export interface LoadedProject {
  config: ProjectConfig;
  problems: { file: string; at: Span; message: string }[];
}

/**
 * The per-file lint results of the last run, so that a file that cannot
 * change a result is not parsed again: same bytes, same specdag build, same
 * PROJECT.md settings the file rules read, and the same answers from the file
 * system to every question the rules asked (a link target that appeared or
 * vanished makes the file a miss). Rules across files always run.
 *
 * The file is one line per spec, `"<file>"\t<hash>\t<result>`, after a
 * header line. It is read as bytes and a line is decoded only when its file
 * asks and its hash matches: at 50,000 specs, parsing the whole cache as one
 * JSON document held a 219 MB string and every entry at once. Results are
 * stored compactly (see encodeResult): no path of the spec repeated, spans
 * as 4 or 6 numbers, link targets relative to the spec.
 */
export class LintCache {
  private bytes: Buffer = Buffer.alloc(0);
  /** file → [start, end) of its line in `bytes`. */
  private readonly lines = new Map<string, [number, number]>();
  /** Results computed this run, to be written. */
  private readonly fresh = new Map<string, string>();
  private readonly seen = new Set<string>();
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly key: string,
  ) {}

  static open(path: string, build: string): LintCache {
    const key = JSON.stringify([FORMAT, build]);
    const cache = new LintCache(path, key);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return cache; // no cache yet, or one we cannot read: start empty
    }
    const first = bytes.indexOf(NL);
    if (first < 0 || bytes.toString('utf8', 0, first) !== key) return cache;
    cache.bytes = bytes;
    for (let start = first + 1; start < bytes.length; ) {
      let end = bytes.indexOf(NL, start);
      if (end < 0) end = bytes.length;
      const tab = bytes.indexOf(TAB, start);
      if (tab > start && tab < end) {
        const file = parseName(bytes.toString('utf8', start, tab));
        if (file !== undefined) cache.lines.set(file, [start, end]);
      }
      start = end + 1;
    }
    return cache;
  }

  get(ref: FileRef, hash: string, exists: (path: string) => boolean): FileResult | undefined {
    this.seen.add(ref.file);
    const at = this.lines.get(ref.file);
    if (!at) return undefined;
    const bytes = this.bytes;
    const a = bytes.indexOf(TAB, at[0]);
    const b = bytes.indexOf(TAB, a + 1);
    const c = bytes.indexOf(TAB, b + 1);
    if (c < 0 || c > at[1] || bytes.toString('latin1', a + 1, b) !== hash) return undefined;
    try {
      const [e, diagnostics, asked] = JSON.parse(bytes.toString('utf8', b + 1, c)) as Encoded;
      const dir = dirname(ref.path);
      for (const [path, answer] of asked ?? []) if (exists(isAbsolute(path) ? path : join(dir, path)) !== (answer === 1)) return undefined;
      // The fields (a third of a result) are decoded when a rule asks: most never do.
      const fields = () => {
        try {
          return decodeFields(JSON.parse(bytes.toString('utf8', c + 1, at[1])) as EField[]);
        } catch {
          return {}; // a damaged line: the fields only place a few project-wide findings
        }
      };
      // Its link answers are not kept: they were checked above, and an unchanged line is copied as bytes.
      return { spec: decodeSpec(e, ref, fields), diagnostics: diagnostics.map((d) => decodeDiagnostic(d, ref.file)) };
    } catch {
      return undefined; // a line we cannot read: lint the file again
    }
  }

  /** PROJECT.md's settings when its bytes are those of the last run (a line like a spec's, under its own file name). */
  getProject(file: string, hash: string): LoadedProject | undefined {
    this.seen.add(file);
    const at = this.lines.get(file);
    if (!at) return undefined;
    const a = this.bytes.indexOf(TAB, at[0]);
    const b = this.bytes.indexOf(TAB, a + 1);
    if (b < 0 || b > at[1] || this.bytes.toString('latin1', a + 1, b) !== hash) return undefined;
    try {
      const loaded = JSON.parse(this.bytes.toString('utf8', b + 1, at[1])) as LoadedProject;
      return loaded && typeof loaded.config === 'object' && Array.isArray(loaded.problems) ? loaded : undefined;
    } catch {
      return undefined;
    }
  }

  setProject(file: string, hash: string, loaded: LoadedProject): void {
    this.seen.add(file);
    this.fresh.set(file, `${JSON.stringify(file)}\t${hash}\t${JSON.stringify(loaded)}`);
    this.dirty = true;
  }

  /** `encoded`: the result as encodeResult gives it, when a worker thread already made it. */
  set(ref: FileRef, hash: string, result: FileResult, encoded = encodeResult(result, ref)): void {
    this.seen.add(ref.file);
    this.fresh.set(ref.file, `${JSON.stringify(ref.file)}\t${hash}\t${encoded}`);
    this.dirty = true;
  }

  /** Writes the cache when it changed, without the files that are gone; a cache that cannot be written is skipped. */
  save(): void {
    for (const file of this.lines.keys()) if (!this.seen.has(file)) this.dirty = true;
    if (!this.dirty) return;
    let tmp: string | undefined;
    try {
      const dir = dirname(this.path);
      mkdirSync(dir, { recursive: true });
      // The .specdag folder holds runs, interviews and this cache: none of it belongs in git.
      const ignore = join(dirname(dir), '.gitignore');
      if (!existsSync(ignore)) writeFileSync(ignore, '*\n');
      // Written beside the cache and renamed over it: a reader never sees half a file.
      tmp = `${this.path}.${process.pid}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        const out = new Writer(fd);
        out.text(`${this.key}\n`);
        for (const file of this.seen) {
          const line = this.fresh.get(file);
          const old = this.lines.get(file);
          if (line !== undefined) out.text(`${line}\n`);
          // Unchanged lines are copied as bytes, never decoded.
          else if (old) out.bytes(this.bytes.subarray(old[0], Math.min(old[1] + 1, this.bytes.length)), old[1] >= this.bytes.length);
        }
        out.flush();
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      // The whole-JSON cache of earlier builds (format 1) is dead weight now.
      rmSync(this.path.replace(/\.lines$/, '.json'), { force: true });
    } catch {
      // read-only checkout, full disk: lint still answered, only the next run is slower
      if (tmp) rmSync(tmp, { force: true });
    }
  }
}

/** Gathers small writes into large ones. */
class Writer {
  private parts: (string | Buffer)[] = [];
  private size = 0;
  constructor(private readonly fd: number) {}
  text(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) this.flush();
  }
  bytes(b: Buffer, needsNewline: boolean): void {
    this.parts.push(b);
    if (needsNewline) this.parts.push('\n');
    this.size += b.length;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    const chunk = Buffer.concat(this.parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
    for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
    this.parts = [];
    this.size = 0;
  }
}

function parseName(field: string): string | undefined {
  try {
    const name: unknown = JSON.parse(field);
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// The compact form of a result: `<result>\t<fields>`, two JSON texts.
// Everything a file's result says, in the same key order (so output that
// serialises a spec is the same warm and cold), without what the file
// reference already says (file, path, stem).

type ESpan = number[];
type EItem = [string, ...number[]];
type EField = [string, ESpan, ESpan, ('block' | 'flow')?];
type Encoded = [ESpec | { raw: Record<string, unknown> }, EDiagnostic[], [string, 0 | 1][]?];

interface ESpec {
  /** parsed, allowEmpty: 1 when true. */
  p?: 1;
  ae?: 1;
  ph?: Spec['phase'];
  st?: Spec['status'];
  fe: ESpan;
  /** The list fields, when not empty. */
  l?: Partial<Record<ListKey, EItem[]>>;
  /** The scalar items, in frontmatter order (extraction adds them in that order). */
  s?: Partial<Record<ScalarKey, EItem>>;
  /** Keys of Spec this code does not know (added since), as they are. */
  x?: Record<string, unknown>;
}

const LISTS = ['dependsOn', 'owns', 'reads', 'provides', 'consumes', 'tags'] as const;
type ListKey = (typeof LISTS)[number];
const SCALARS = ['id', 'title', 'estimate', 'agent', 'verify'] as const;
type ScalarKey = (typeof SCALARS)[number];
const KNOWN = new Set<string>(['file', 'path', 'stem', 'parsed', 'phase', 'status', 'allowEmpty', 'fields', 'fence', ...LISTS, ...SCALARS]);

/** A span as [start, end, line, column], or with endLine and endColumn when it does not end on its own line `end - start` further. */
function encodeSpan(s: Span): ESpan {
  return s.endLine === s.line && s.endColumn - s.column === s.end - s.start ? [s.start, s.end, s.line, s.column] : [s.start, s.end, s.line, s.column, s.endLine, s.endColumn];
}

function decodeSpan(a: readonly number[], i = 0): Span {
  const start = a[i]!;
  const end = a[i + 1]!;
  const line = a[i + 2]!;
  const column = a[i + 3]!;
  return a.length - i === 4 ? { start, end, line, column, endLine: line, endColumn: column + end - start } : { start, end, line, column, endLine: a[i + 4]!, endColumn: a[i + 5]! };
}

const encodeItem = (item: Item): EItem => [item.value, ...encodeSpan(item.span)];
const decodeItem = (a: EItem): Item => ({ value: a[0], span: decodeSpan(a as unknown as number[], 1) });

const DIAGNOSTIC_KEYS = 'ruleId,severity,file,line,column,endLine,endColumn,message,fixable';

type EDiagnostic = unknown[] | Diagnostic;

function encodeDiagnostic(d: Diagnostic, file: string): EDiagnostic {
  const keys = Object.keys(d).join(',');
  const fix = keys === `${DIAGNOSTIC_KEYS},fix` ? d.fix : undefined;
  // Anything else (fields added since) is kept as it is.
  if ((keys !== DIAGNOSTIC_KEYS && fix === undefined) || d.file !== file) return d;
  const out: unknown[] = [d.ruleId, d.severity, d.line, d.column, d.endLine, d.endColumn, d.message, d.fixable ? 1 : 0];
  if (fix) out.push(fix);
  return out;
}

function decodeDiagnostic(e: EDiagnostic, file: string): Diagnostic {
  if (!Array.isArray(e)) return e;
  const d: Diagnostic = {
    ruleId: e[0] as string,
    severity: e[1] as Diagnostic['severity'],
    file,
    line: e[2] as number,
    column: e[3] as number,
    endLine: e[4] as number,
    endColumn: e[5] as number,
    message: e[6] as string,
    fixable: e[7] === 1,
  };
  if (e.length > 8) d.fix = e[8] as Diagnostic['fix'];
  return d;
}

/** Whether the spec is made of the items, spans and fields this code knows, and nothing more: else it is stored as it is. */
function plain(spec: Spec): boolean {
  const span = (s: Span) => Object.keys(s).length === 6;
  const item = (i: Item) => Object.keys(i).length === 2 && span(i.span);
  return (
    span(spec.fence) &&
    LISTS.every((k) => spec[k].every(item)) &&
    SCALARS.every((k) => spec[k] === undefined || item(spec[k])) &&
    Object.entries(spec.fields).every(([k, f]) => f.key === k && Object.keys(f).length === (f.listStyle ? 4 : 3) && span(f.keySpan) && span(f.valueSpan))
  );
}

/** A result as the cache stores it: `<result>\t<fields>`. */
export function encodeResult(result: FileResult, ref: FileRef): string {
  const spec = result.spec;
  const simple = plain(spec);
  const out: Encoded = [simple ? encodeSpec(spec) : { raw: rest(spec) }, result.diagnostics.map((d) => encodeDiagnostic(d, ref.file))];
  if (result.asked) {
    // Link targets relative to the spec's folder, when that reads back to the same path.
    const dir = dirname(ref.path);
    out.push(
      result.asked.map(([path, answer]) => {
        const rel = relative(dir, path);
        return [rel !== '' && !isAbsolute(rel) && join(dir, rel) === path ? rel : path, answer ? 1 : 0];
      }),
    );
  }
  const fields: EField[] = simple ? Object.values(spec.fields).map((f) => (f.listStyle ? [f.key, encodeSpan(f.keySpan), encodeSpan(f.valueSpan), f.listStyle] : [f.key, encodeSpan(f.keySpan), encodeSpan(f.valueSpan)])) : [];
  return `${JSON.stringify(out)}\t${JSON.stringify(fields)}`;
}

/** encodeResult read back; with `lazy`, the fields are decoded when first read. */
export function decodeResult(text: string, ref: FileRef, lazy = false): FileResult {
  const tab = text.indexOf('\t');
  const [e, diagnostics, asked] = JSON.parse(text.slice(0, tab)) as Encoded;
  const fields = lazy ? () => decodeFields(JSON.parse(text.slice(tab + 1)) as EField[]) : ((f) => () => f)(decodeFields(JSON.parse(text.slice(tab + 1)) as EField[]));
  const result: FileResult = { spec: decodeSpec(e, ref, fields), diagnostics: diagnostics.map((d) => decodeDiagnostic(d, ref.file)) };
  if (asked) {
    const dir = dirname(ref.path);
    result.asked = asked.map(([path, answer]) => [isAbsolute(path) ? path : join(dir, path), answer === 1]);
  }
  return result;
}

function rest(spec: Spec): Record<string, unknown> {
  const { file: _file, path: _path, stem: _stem, ...others } = spec;
  return others;
}

function encodeSpec(spec: Spec): ESpec {
  const e: ESpec = { fe: encodeSpan(spec.fence) };
  if (spec.parsed) e.p = 1;
  if (spec.allowEmpty) e.ae = 1;
  if (spec.phase !== 'parallel') e.ph = spec.phase;
  if (spec.status !== 'ready') e.st = spec.status;
  for (const key of LISTS) if (spec[key].length > 0) (e.l ??= {})[key] = spec[key].map(encodeItem);
  // In the spec's own key order, which follows the frontmatter.
  for (const key of Object.keys(spec)) {
    if (!(SCALARS as readonly string[]).includes(key)) continue;
    const item = spec[key as ScalarKey];
    if (item) (e.s ??= {})[key as ScalarKey] = encodeItem(item);
  }
  for (const [k, v] of Object.entries(spec)) if (!KNOWN.has(k)) (e.x ??= {})[k] = v;
  return e;
}

function decodeFields(list: EField[]): Record<string, Field> {
  const fields: Record<string, Field> = {};
  for (const [key, keySpan, valueSpan, style] of list) {
    const field: Field = { key, keySpan: decodeSpan(keySpan), valueSpan: decodeSpan(valueSpan) };
    if (style) field.listStyle = style;
    fields[key] = field;
  }
  return fields;
}

/** `fields` is decoded on first read (a spec stored raw has its own). */
function decodeSpec(e: ESpec | { raw: Record<string, unknown> }, ref: FileRef, fields: () => Record<string, Field>): Spec {
  if ('raw' in e) return { file: ref.file, path: ref.path, stem: ref.stem, ...e.raw } as Spec;
  let decoded: Record<string, Field> | undefined;
  const spec = {
    file: ref.file,
    path: ref.path,
    stem: ref.stem,
    parsed: e.p === 1,
    phase: e.ph ?? 'parallel',
    status: e.st ?? 'ready',
    allowEmpty: e.ae === 1,
    dependsOn: e.l?.dependsOn?.map(decodeItem) ?? [],
    owns: e.l?.owns?.map(decodeItem) ?? [],
    reads: e.l?.reads?.map(decodeItem) ?? [],
    provides: e.l?.provides?.map(decodeItem) ?? [],
    consumes: e.l?.consumes?.map(decodeItem) ?? [],
    tags: e.l?.tags?.map(decodeItem) ?? [],
    get fields(): Record<string, Field> {
      return (decoded ??= fields());
    },
    set fields(value: Record<string, Field>) {
      decoded = value;
    },
    fence: decodeSpan(e.fe),
  } as Spec;
  for (const [key, item] of Object.entries(e.s ?? {})) spec[key as ScalarKey] = decodeItem(item);
  if (e.x) Object.assign(spec, e.x);
  return spec;
}
