/**
 * MrLesk/Backlog.md task files (`backlog/tasks/<id> - <Title>.md`, read by
 * its src/markdown/parser.ts): YAML frontmatter with `id`, `title`,
 * `status` (To Do, In Progress, Done...), `labels`, `dependencies`,
 * `parent_task_id` and bookkeeping (`assignee`, dates, `priority`,
 * `ordinal`...), then `## Description`, `## Acceptance Criteria`
 * (`- [ ] #1 ...` between `<!-- AC:BEGIN -->` markers), `## Definition of
 * Done`, `## Implementation Plan`, `## Implementation Notes`,
 * `## Final Summary`. Ids compare as Backlog compares them: prefix
 * case-insensitive, leading zeros in the numbers ignored.
 */
import { parse } from 'yaml';
import { classify, findPaths, pathIndex, toGlob } from './paths.js';
import { fenceMap, normaliseSource, quote } from './text.js';
import type { Criterion, NoteSection, SourceRead, SourceTask } from './types.js';

export interface BacklogFile {
  /** The path as the user would name it. */
  file: string;
  /** The file name, for an id when the frontmatter has none. */
  name: string;
  text: string;
}

type Json = Record<string, unknown>;

const MAPPED = new Set(['id', 'title', 'status', 'labels', 'dependencies', 'modified_files']);
const MARKER = /^\s*<!--\s*(SECTION:[A-Z_]+:(BEGIN|END)|AC:(BEGIN|END)|DOD:(BEGIN|END))\s*-->\s*$/;

/** Backlog's identity of a task id: `back-07` and `BACK-7` are the same task; a bare `7` takes the usual prefix. */
function canonical(id: string, prefix: string): string {
  let s = id.trim().toUpperCase();
  if (/^\d+(\.\d+)*$/.test(s)) s = `${prefix}-${s}`;
  return s.replace(/\d+/g, (n) => n.replace(/^0+(?=\d)/, ''));
}

/**
 * Backlog writes `assignee: @codex`, which YAML reads as an error (`@` may
 * not start a plain value); Backlog's own parser quotes such values first,
 * and so does this one.
 */
function quoteAts(frontmatter: string): string {
  return frontmatter
    .split('\n')
    .map((line) => {
      const flow = /^(\s*[\w-]+:\s*)\[(.*)\]\s*$/.exec(line);
      if (flow && flow[2]!.includes('@')) return `${flow[1]}[${flow[2]!.split(',').map((v) => (v.trim().startsWith('@') ? JSON.stringify(v.trim()) : v.trim())).join(', ')}]`;
      const m = /^(\s*(?:[\w-]+:|-)\s+)(@.*)$/.exec(line);
      return m ? `${m[1]}${JSON.stringify(m[2]!.trim())}` : line;
    })
    .join('\n');
}

interface Parsed {
  data: Json;
  body: string;
  problem?: string;
}

function split(text: string): Parsed {
  const m = /^---\n([\s\S]*?)\n---[ \t]*(?:\n|$)/.exec(text);
  if (!m) return { data: {}, body: text, problem: 'The file has no frontmatter.' };
  try {
    const data = parse(quoteAts(m[1]!), { uniqueKeys: false }) as unknown;
    return { data: typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Json) : {}, body: text.slice(m[0].length) };
  } catch (err) {
    return { data: {}, body: text.slice(m[0].length), problem: `The frontmatter is not valid YAML (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); the fields were not read.` };
  }
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v instanceof Date ? v.toISOString() : '');
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(asString).filter((s) => s !== '') : asString(v) ? [asString(v)] : []);

/** The `##` sections of a body, fenced code left alone, Backlog's markers removed. */
function sections(body: string): { before: string; list: { title: string; text: string }[] } {
  const lines = body.split('\n');
  const fences = fenceMap(lines);
  const list: { title: string; lines: string[] }[] = [];
  const before: string[] = [];
  lines.forEach((line, i) => {
    const h = fences.at[i] === 'none' ? /^##\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (h) list.push({ title: h[1]!, lines: [] });
    else if (fences.at[i] !== 'none' || !MARKER.test(line)) (list.length > 0 ? list[list.length - 1]!.lines : before).push(line);
  });
  const clean = (l: string[]) => l.join('\n').replace(/^\n+|\s+$/g, '');
  return { before: clean(before), list: list.map((s) => ({ title: s.title, text: clean(s.lines) })) };
}

/** The checklist items of a section (continuation lines joined) and whatever else it says. */
function checklist(text: string): { items: Criterion[]; rest: string } {
  const items: Criterion[] = [];
  const rest: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*[-*+]\s+\[(.)\]\s+(.*)$/.exec(line);
    if (m) items.push({ text: m[2]!.trim(), done: /^[xX]$/.test(m[1]!) });
    else if (items.length > 0 && /^\s+\S/.test(line)) items[items.length - 1]!.text += ` ${line.trim()}`;
    else if (line.trim() !== '') rest.push(line);
  }
  return { items, rest: rest.join('\n') };
}

export function readBacklog(files: BacklogFile[], folder: string, completed: BacklogFile[] = []): SourceRead {
  const parsed = files.map((f) => ({ f, p: split(normaliseSource(f.text)) }));
  const ids = parsed.map(({ f, p }) => asString(p.data.id) || /^(.*?)\s+-\s+/.exec(f.name)?.[1] || f.name.replace(/\.md$/, ''));
  const prefixes = ids.map((id) => /^([A-Za-z]+)-/.exec(id)?.[1]?.toUpperCase()).filter((p): p is string => p !== undefined);
  const prefix = prefixes.sort((a, b) => prefixes.filter((x) => x === b).length - prefixes.filter((x) => x === a).length)[0] ?? 'TASK';
  const known = new Map<string, string>();
  ids.forEach((id) => known.has(canonical(id, prefix)) || known.set(canonical(id, prefix), id));
  const finished = new Map<string, string>();
  for (const c of completed) {
    const id = asString(split(normaliseSource(c.text)).data.id) || /^(.*?)\s+-\s+/.exec(c.name)?.[1];
    if (id) finished.set(canonical(id, prefix), c.file);
  }

  const tasks = parsed.map(({ f, p }, i): SourceTask => {
    const data = p.data;
    const notes: string[] = p.problem ? [p.problem] : [];
    const id = ids[i]!;
    if (!asString(data.id) && !p.problem) notes.push(`The frontmatter has no id; it is read as ${id}, from the file name.`);
    const status = asString(data.status);
    const done = /^done$/i.test(status.trim());
    if (status !== '' && !done && !/^to ?do$/i.test(status.trim())) notes.push(`Backlog.md status: ${status} (a spec is ready or done).`);

    const dependsOn: string[] = [];
    for (const dep of asList(data.dependencies)) {
      const key = canonical(dep, prefix);
      if (known.has(key)) dependsOn.push(known.get(key)!);
      else if (finished.has(key)) notes.push(`Depends on ${dep}, which is in ${finished.get(key)} (finished), so it is not a dependency here.`);
      else dependsOn.push(dep);
    }

    const owns: string[] = [];
    for (const path of asList(data.modified_files)) {
      const c = classify(path, true);
      if (c && !c.bare) owns.push(toGlob(c.path, c.dir));
      else if (c) owns.push(toGlob(c.path, false));
      else notes.push(`modified_files names ${quote(path)}, which is not a repository path; not in owns.`);
    }
    for (const key of Object.keys(data)) if (!MAPPED.has(key) && !isEmpty(data[key])) notes.push(`Backlog.md ${key}: ${quote(formatValue(data[key]))}.`);

    const body = sections(p.body);
    let goal = '';
    const criteria: Criterion[] = [];
    const noteSections: NoteSection[] = [];
    if (body.before) noteSections.push({ title: 'Before the first section', text: body.before });
    for (const s of body.list) {
      if (/^description$/i.test(s.title) && goal === '') goal = s.text;
      else if (/^acceptance criteria$/i.test(s.title) || /^definition of done$/i.test(s.title)) {
        const dod = /^definition/i.test(s.title);
        const { items, rest } = checklist(s.text);
        criteria.push(...items.map((c) => (dod ? { ...c, text: `Definition of Done ${c.text}` } : c)));
        if (rest.trim()) noteSections.push({ title: `${s.title} (text beside the checklist)`, text: rest });
      } else noteSections.push(s);
    }
    const found = findPaths([asString(data.title), goal, ...criteria.map((c) => c.text)].join('\n'), pathIndex(p.body));
    owns.push(...found.owns);
    notes.push(...found.notes);

    return {
      sourceId: id,
      file: f.file,
      title: asString(data.title) || (/^.*?\s+-\s+(.*)\.md$/.exec(f.name)?.[1]?.replace(/-/g, ' ') ?? ''),
      phase: 'parallel',
      dependsOn,
      owns,
      ...(asList(data.labels).length > 0 ? { tags: asList(data.labels) } : {}),
      done,
      goal,
      criteria,
      notes: asString(data.title) ? notes : [...notes, 'The frontmatter has no title; it is read from the file name.'],
      noteSections,
    };
  });
  return { tasks, label: `${folder} (${files.length} file${files.length === 1 ? '' : 's'})`, remarks: [] };
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function formatValue(v: unknown): unknown {
  return Array.isArray(v) ? v.map(asString).join(', ') : v instanceof Date ? v.toISOString() : v;
}
