import { TaskGraph } from '../graph/graph.js';
import { existenceChecker, type FileEntry, type SpecFolder } from '../io/folder.js';
import { emptySpec, extractSpec } from '../spec/extract.js';
import { parseSpecText } from '../spec/parse.js';
import { defaultProject, readProject } from '../spec/project.js';
import type { ProjectConfig, Span, Spec, SpecSet } from '../spec/types.js';
import { rules, severityOf } from './registry.js';
import { noProfile, phaseOfRule, type Profile } from '../util/profile.js';
import type { Diagnostic, Finding, ProjectContext } from './types.js';

export interface LintResult {
  filesChecked: number;
  /** Sorted by file, line, column, rule id. */
  diagnostics: Diagnostic[];
  specs: SpecSet;
  graph: TaskGraph;
}

function diagnostic(ruleId: string, file: string, f: Finding): Diagnostic {
  const d: Diagnostic = {
    ruleId,
    severity: severityOf(ruleId),
    file,
    line: f.at.line,
    column: f.at.column,
    endLine: f.at.endLine,
    endColumn: f.at.endColumn,
    message: f.message,
    fixable: f.fix !== undefined,
  };
  if (f.fix) d.fix = f.fix;
  return d;
}

const point = (line: number): Span => ({ start: 0, end: 0, line, column: 1, endLine: line, endColumn: 1 });

/** Findings of one rule in one file beyond this many are summed up in one more: 40,000 unknown dependencies make 51 lines, not 40,000. */
export const MAX_FINDINGS_PER_RULE = 50;

/**
 * Collects diagnostics and keeps, per file and rule, the first
 * MAX_FINDINGS_PER_RULE in output order plus one that says how many more
 * there were. Trimmed as it goes, so a rule that reports a million findings
 * holds a few hundred at a time.
 */
class Findings {
  private readonly buckets = new Map<string, { kept: Diagnostic[]; dropped: number }>();

  add(d: Diagnostic): void {
    const key = `${d.file}\0${d.ruleId}`;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = { kept: [], dropped: 0 }));
    bucket.kept.push(d);
    if (bucket.kept.length >= 8 * MAX_FINDINGS_PER_RULE) trim(bucket);
  }

  list(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const bucket of this.buckets.values()) {
      trim(bucket);
      const more = bucket.kept.length - MAX_FINDINGS_PER_RULE + bucket.dropped;
      if (more <= 0) {
        for (const d of bucket.kept) out.push(d);
        continue;
      }
      // The first one left out carries the count, where it stands.
      const next = bucket.kept[MAX_FINDINGS_PER_RULE]!;
      for (const d of bucket.kept.slice(0, MAX_FINDINGS_PER_RULE)) out.push(d);
      const { fix: _fix, ...rest } = next;
      out.push({ ...rest, fixable: false, message: `and ${more.toLocaleString('en-US')} more like this in this file (only the first ${MAX_FINDINGS_PER_RULE} findings of a rule in a file are listed)` });
    }
    return out;
  }
}

/** Sorts a bucket and keeps the first MAX_FINDINGS_PER_RULE + 1 (the one after the last shown marks where the rest start). */
function trim(bucket: { kept: Diagnostic[]; dropped: number }): void {
  bucket.kept.sort(compareDiagnostics);
  const keep = MAX_FINDINGS_PER_RULE + 1;
  if (bucket.kept.length > keep) {
    bucket.dropped += bucket.kept.length - keep;
    bucket.kept.length = keep;
  }
}

/**
 * Lints one file on its own: parse, then every file-scoped rule. Pure apart
 * from the link existence check, and its result is plain data.
 */
export function lintEntry(
  entry: FileEntry,
  project: ProjectConfig,
  exists: (path: string) => boolean = existenceChecker(),
  profile: Profile = noProfile,
): { spec: Spec; diagnostics: Diagnostic[] } {
  const ref = { file: entry.file, path: entry.path, stem: entry.stem };
  const findings = new Findings();
  const unreadable = (error: { message: string; at: Span }) => {
    for (const rule of rules) {
      if (rule.scope === 'unreadable') rule.check({ error, report: (f) => findings.add(diagnostic(rule.id, entry.file, f)) });
    }
  };
  if (entry.text === undefined) {
    unreadable({ message: entry.error?.message ?? 'cannot read the file', at: point(entry.error?.line ?? 1) });
    return { spec: emptySpec(ref, point(1)), diagnostics: findings.list() };
  }
  const text = entry.text;
  const parsed = profile.time('parse', () => parseSpecText(text));
  const spec = profile.time('parse', () => extractSpec(parsed, ref));
  // A body past a limit is not read; the frontmatter still is.
  if (parsed.bodyProblem) unreadable({ message: parsed.bodyProblem.message, at: parsed.bodyProblem.span });
  for (const rule of rules) {
    if (rule.scope !== 'file') continue;
    const ctx = { parsed, spec, project, exists, report: (f: Finding) => findings.add(diagnostic(rule.id, entry.file, f)) };
    profile.time(phaseOfRule(rule.id), () => rule.check(ctx));
  }
  return { spec, diagnostics: findings.list() };
}

export function loadProject(entry: FileEntry | undefined): { config: ProjectConfig; problems: ProjectContext['projectProblems'] } {
  if (!entry) return { config: defaultProject(), problems: [] };
  if (entry.text === undefined) {
    return { config: { ...defaultProject(), file: entry.file }, problems: [{ file: entry.file, at: point(entry.error?.line ?? 1), message: entry.error?.message ?? 'cannot read the file' }] };
  }
  const { config, problems } = readProject(parseSpecText(entry.text), entry.file);
  return { config, problems: problems.map((p) => ({ file: entry.file, at: p.span, message: p.message })) };
}

export function buildSpecSet(list: Spec[], project: ProjectConfig): SpecSet {
  const byId = new Map<string, Spec[]>();
  for (const spec of list) {
    const id = spec.id?.value ?? spec.stem;
    const group = byId.get(id);
    if (group) group.push(spec);
    else byId.set(id, [spec]);
  }
  return { list, byId, project };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}

export interface FileResult {
  spec: Spec;
  diagnostics: Diagnostic[];
  /** Every path the rules asked about, with the answer: the result holds while these answers do (the lint cache). */
  asked?: [string, boolean][];
}

/** Lints files already read, one by one, recording what the rules asked of the file system; the unit of work of a worker thread too. */
export function lintEntries(entries: FileEntry[], project: ProjectConfig, profile: Profile = noProfile): FileResult[] {
  const exists = existenceChecker();
  return entries.map((entry) => {
    const asked: [string, boolean][] = [];
    const recording = (path: string) => {
      const answer = exists(path);
      asked.push([path, answer]);
      return answer;
    };
    return { ...lintEntry(entry, project, recording, profile), asked };
  });
}

/** The whole folder, already read: every file, then the rules that look across files. */
export function lintFolder(folder: SpecFolder, profile: Profile = noProfile): LintResult {
  const { config: project, problems } = loadProject(folder.project);
  const exists = existenceChecker();
  const results = folder.specs.map((entry) => lintEntry(entry, project, exists, profile));
  return lintAcross(results, project, problems, folder.specs.length + (folder.project ? 1 : 0), profile);
}

/** The rules that look across files, over the per-file results. */
export function lintAcross(results: FileResult[], project: ProjectConfig, problems: ProjectContext['projectProblems'], filesChecked: number, profile: Profile = noProfile): LintResult {
  const diagnostics: Diagnostic[] = [];
  const list: Spec[] = [];
  for (const result of results) {
    list.push(result.spec);
    for (const d of result.diagnostics) diagnostics.push(d);
  }
  list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const specs = buildSpecSet(list, project);
  const graph = profile.time('graph', () => new TaskGraph(specs));
  const findings = new Findings();
  for (const rule of rules) {
    if (rule.scope !== 'project') continue;
    const ctx: ProjectContext = { specs, project, graph: () => graph, projectProblems: problems, report: (f) => findings.add(diagnostic(rule.id, f.file, f)) };
    profile.time(phaseOfRule(rule.id), () => rule.check(ctx));
  }
  for (const d of findings.list()) diagnostics.push(d);
  profile.time('report', () => diagnostics.sort(compareDiagnostics));
  return { filesChecked, diagnostics, specs, graph };
}
