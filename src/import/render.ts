import { stringify } from 'yaml';
import { ID_PATTERN, slug } from '../spec/template.js';
import { embed, indent } from './text.js';
import type { Format, SourceRead, SourceTask } from './types.js';

/** One spec ready to write. */
export interface ImportedSpec {
  id: string;
  text: string;
  notes: number;
  done: boolean;
}

const FORMAT_NAMES: Record<Format, string> = {
  'spec-kit': 'spec-kit',
  taskmaster: 'Task Master',
  'cc-sdd': 'cc-sdd',
  backlog: 'Backlog.md',
};

/**
 * A spec id from a source id, the same every time: `T014` → `t014`, Task
 * Master's `7` → `task-7`, cc-sdd's `2.1` → `task-2-1`, `BACK-222.1` →
 * `back-222-1`. Ids that would clash with what specdag reserves get a suffix.
 */
export function specIdFor(format: Format, sourceId: string): string {
  const base = slug(sourceId);
  let id = format === 'cc-sdd' || (format === 'taskmaster' && /^\d/.test(base)) || base === '' ? slug(`task-${base}`) : base;
  // `integration` is the target branch's name, and readme.md is never read as a spec.
  if (id === 'integration' || id === 'readme') id = `${id}-task`;
  return ID_PATTERN.test(id) ? id : 'task';
}

/** Gives every task a spec id (duplicates get `-2`, `-3`, with a note) and turns its dependencies into spec ids. */
function assignIds(format: Format, tasks: SourceTask[]): string[] {
  const taken = new Set<string>();
  const bySource = new Map<string, string>();
  const ids = tasks.map((t) => {
    const base = specIdFor(format, t.sourceId);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
    taken.add(id);
    if (bySource.has(t.sourceId)) {
      t.notes.push(`The source uses the id ${t.sourceId} for more than one task; this one is ${id}, and dependencies on ${t.sourceId} name ${bySource.get(t.sourceId)}.`);
    } else {
      if (id !== base) t.notes.push(`${base} was taken by another task of the source, so this one is ${id}.`);
      bySource.set(t.sourceId, id);
    }
    return id;
  });
  tasks.forEach((t) => {
    t.dependsOn = [...new Set([...t.dependsOn, ...(t.impliedDeps ?? [])].map((d) => bySource.get(d) ?? specIdFor(format, d)))];
  });
  return ids;
}

/** The specs a source becomes, in source order. */
export function renderSpecs(format: Format, read: SourceRead): ImportedSpec[] {
  const ids = assignIds(format, read.tasks);
  return read.tasks.map((task, i) => renderOne(format, task, ids[i]!));
}

function renderOne(format: Format, task: SourceTask, id: string): ImportedSpec {
  const notes = [...task.notes];
  let title = task.title.trim();
  if (title === '') {
    title = `${FORMAT_NAMES[format]} task ${task.sourceId}`;
    notes.push('The source gives this task no title; it is named after its id.');
  }
  const data: Record<string, unknown> = { id, title, phase: task.phase, depends_on: task.dependsOn, owns: [...new Set(task.owns)] };
  const owned = new Set(task.owns);
  const reads = [...new Set(task.reads ?? [])].filter((r) => !owned.has(r));
  if (reads.length > 0) data.reads = reads;
  if (task.done) data.status = 'done';
  if (task.tags?.length) data.tags = [...new Set(task.tags)];
  data['x-source'] = { file: task.file, id: task.sourceId, ...task.sourceExtra };

  const goal = embed(task.goal.trim() === '' ? title : task.goal);
  if (goal.changes.length > 0) notes.push(`In the Goal, ${goal.changes.join(' and ')}.`);
  const criteria = task.criteria.length > 0 ? task.criteria : [{ text: title, done: task.done }];
  if (task.criteria.length === 0) notes.push('The source gives no acceptance criteria; the title stands in for one.');
  const items = criteria.map((c) => {
    const line = `- [${c.done ? 'x' : ' '}] ${c.text.replace(/\s+/g, ' ').trim() || title}`;
    if (!c.body?.trim()) return line;
    return `${line}\n${indent(embed(c.body).text, 2)}`;
  });

  const parts = [`---\n${stringify(data, { lineWidth: 0 })}---`, `# ${title}`, `## Goal\n${goal.text}`, `## Acceptance criteria\n${items.join('\n')}`];
  const sections = (task.noteSections ?? []).filter((s) => s.text.trim() !== '');
  if (notes.length > 0 || sections.length > 0) {
    const lines = [`## Notes`, `Imported from ${FORMAT_NAMES[format]} (${task.file}, ${task.sourceId}). What did not map exactly onto a spec is kept here.`];
    if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
    for (const s of sections) lines.push('', `### ${s.title}`, embed(s.text).text);
    parts.push(lines.join('\n'));
  }
  return { id, text: `${parts.join('\n\n')}\n`, notes: notes.length + sections.length, done: task.done };
}
