/**
 * eyaltoledano/claude-task-master `.taskmaster/tasks/tasks.json`: either
 * the tagged shape `{ "<tag>": { "tasks": [...], "metadata": {...} } }` or
 * the older untagged `{ "tasks": [...] }` (tm-core's FormatHandler tells
 * them apart the same way: any top-level key besides `tasks` and `metadata`
 * is a tag). A task: `id`, `title`, `description`, `status`,
 * `dependencies` (numbers or strings, `"21.4"` naming subtask 4 of task 21),
 * `priority`, `details`, `testStrategy`, `subtasks` (numeric ids, their
 * `dependencies` naming sibling subtasks), and optional AI metadata
 * (`relevantFiles`, `acceptanceCriteria`, ...).
 */
import { UsageError } from '../util/errors.js';
import { findPaths, pathIndex } from './paths.js';
import { normaliseSource, quote } from './text.js';
import type { Criterion, SourceRead, SourceTask } from './types.js';

type Json = Record<string, unknown>;

/** Task keys read into the spec itself; any other key becomes a note. */
const MAPPED = new Set(['id', 'title', 'description', 'status', 'dependencies', 'details', 'testStrategy', 'subtasks', 'relevantFiles', 'acceptanceCriteria']);
const SUBTASK_MAPPED = new Set(['id', 'title', 'description', 'status', 'dependencies', 'details', 'testStrategy', 'parentId']);
const DONE = new Set(['done', 'completed']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The tasks of the tag to import, and the tag's name when the file has tags. */
function chooseTasks(data: unknown, file: string, tag: string | undefined): { tasks: unknown[]; tag?: string } {
  if (!isObject(data)) throw new UsageError(`${file} holds JSON but not a Task Master task list (no "tasks" array and no tags); pass .taskmaster/tasks/tasks.json`);
  const tags = Object.keys(data).filter((k) => k !== 'tasks' && k !== 'metadata');
  if (tags.length === 0) {
    if (!Array.isArray(data.tasks)) throw new UsageError(`${file} has no "tasks" array; pass a Task Master tasks.json`);
    if (tag !== undefined && tag !== 'master') throw new UsageError(`${file} has no tags (only the untagged task list); drop --tag ${tag}`);
    return { tasks: data.tasks };
  }
  const chosen = tag ?? (tags.includes('master') ? 'master' : tags.length === 1 ? tags[0]! : undefined);
  if (chosen === undefined) throw new UsageError(`${file} has the tags ${tags.join(', ')} and none is called master; choose one with --tag NAME`);
  if (!tags.includes(chosen)) throw new UsageError(`${file} has no tag '${chosen}'; its tags are ${tags.join(', ')}`);
  const entry = data[chosen];
  if (!isObject(entry)) throw new UsageError(`the tag '${chosen}' of ${file} holds no task list`);
  if (!Array.isArray(entry.tasks)) throw new UsageError(`the tag '${chosen}' of ${file} has no "tasks" array`);
  return { tasks: entry.tasks, tag: chosen };
}

/** Parses the file; a file that is empty or not JSON is one sentence, nothing written. */
function parseJson(source: string, file: string): unknown {
  const text = normaliseSource(source);
  if (text.trim() === '') throw new UsageError(`${file} is empty; there are no tasks to import`);
  try {
    return JSON.parse(text);
  } catch (err) {
    let why = err instanceof Error ? err.message : String(err);
    // "at position 100" means little to a person; the line and column do.
    why = why.replace(/ at position (\d+)(?: \(line \d+ column \d+\))?/, (_, pos: string) => {
      const before = text.slice(0, Number(pos)).split('\n');
      return ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
    });
    throw new UsageError(`${file} is not JSON (${why}); pass Task Master's .taskmaster/tasks/tasks.json`);
  }
}

/** A criterion from a labelled paragraph: on the item's line when it is one paragraph, else under it. */
function labelled(label: string, text: string, done: boolean): Criterion {
  const plain = !/\n\s*\n|\n\s*([-*+]|\d+[.)])\s|```/.test(text.trim());
  return plain ? { text: `${label}: ${text}`, done } : { text: `${label}:`, done, body: text };
}

export function readTaskMaster(source: string, file: string, tag?: string): SourceRead {
  const chosen = chooseTasks(parseJson(source, file), file, tag);
  const index = pathIndex(source);
  const tasks = chosen.tasks.map((raw, i) => readTask(raw, i, file, index, chosen.tag));
  const remarks: string[] = [];
  if (chosen.tag !== undefined) remarks.push(`read the tag '${chosen.tag}'`);
  return { tasks, label: file, remarks };
}

function readTask(raw: unknown, position: number, file: string, index: ReturnType<typeof pathIndex>, tag: string | undefined): SourceTask {
  const task: Json = isObject(raw) ? raw : {};
  const notes: string[] = [];
  const id = str(task.id) || String(position + 1);
  if (!str(task.id)) notes.push(`The source task has no id; it is read as ${id}, its position in the list.`);
  if (!isObject(raw)) notes.push(`The source entry is not an object: ${quote(raw)}.`);

  const status = str(task.status);
  const done = DONE.has(status);
  if (status !== '' && status !== 'pending' && !done) notes.push(`Task Master status: ${status} (a spec is ready or done).`);

  const dependsOn: string[] = [];
  for (const dep of Array.isArray(task.dependencies) ? task.dependencies : []) {
    const d = str(dep);
    if (d === '') {
      notes.push(`A dependency that is not an id: ${quote(dep)}.`);
      continue;
    }
    const sub = /^(\d+)\.(\d+)$/.exec(d);
    if (sub) {
      if (sub[1] !== id) dependsOn.push(sub[1]!);
      notes.push(`Depends on subtask ${d}; a subtask is an acceptance criterion of its task here, so this task waits for all of task ${sub[1]}.`);
    } else dependsOn.push(d);
  }

  const criteria: Criterion[] = [];
  const subtasks = Array.isArray(task.subtasks) ? task.subtasks : [];
  const subExtras = new Map<string, string[]>();
  subtasks.forEach((rawSub, k) => {
    const sub: Json = isObject(rawSub) ? rawSub : {};
    const subId = str(sub.id) || String(k + 1);
    const after: string[] = [];
    for (const dep of Array.isArray(sub.dependencies) ? sub.dependencies : []) {
      const d = str(dep);
      const dotted = /^(\d+)\.(\d+)$/.exec(d);
      if (dotted && dotted[1] !== id) {
        if (!dependsOn.includes(dotted[1]!)) dependsOn.push(dotted[1]!);
        notes.push(`Subtask ${id}.${subId} depends on subtask ${d}, so this task waits for task ${dotted[1]}.`);
      } else after.push(`${id}.${dotted ? dotted[2] : d}`);
    }
    const body = [str(sub.description), str(sub.details), str(sub.testStrategy) ? `Test strategy: ${str(sub.testStrategy)}` : ''].filter(Boolean);
    if (after.length > 0) body.push(`After ${after.join(', ')}.`);
    const subStatus = str(sub.status);
    if (subStatus !== '' && subStatus !== 'pending' && !DONE.has(subStatus)) body.push(`Task Master status: ${subStatus}.`);
    criteria.push({ text: `${id}.${subId} ${str(sub.title) || '(no title)'}`, done: DONE.has(subStatus), body: body.join('\n\n') });
    for (const key of Object.keys(sub).filter((k) => !SUBTASK_MAPPED.has(k))) {
      const list = subExtras.get(key) ?? [];
      list.push(`${id}.${subId} ${quote(sub[key])}`);
      subExtras.set(key, list);
    }
  });
  // One note per field, not per subtask: five subtasks' timestamps are one fact about the source.
  for (const [key, values] of subExtras) notes.push(`Subtask ${key}: ${values.join('; ')}.`);
  for (const c of Array.isArray(task.acceptanceCriteria) ? task.acceptanceCriteria : []) criteria.push({ text: quote(c), done });
  if (str(task.testStrategy)) criteria.push(labelled('Test strategy', str(task.testStrategy), done));

  const owns: string[] = [];
  const reads: string[] = [];
  for (const f of Array.isArray(task.relevantFiles) ? task.relevantFiles : []) {
    const path = isObject(f) ? str(f.path) : '';
    const found = path ? findPaths(`\`${path}\``, { byName: new Map() }).owns : [];
    if (found.length === 0) notes.push(`A relevant file that is not a repository path: ${quote(f)}.`);
    else if (isObject(f) && f.action === 'reference') reads.push(...found);
    else owns.push(...found);
  }
  const text = [str(task.title), str(task.description), str(task.details), str(task.testStrategy), ...subtasks.map((s) => (isObject(s) ? `${str(s.title)}\n${str(s.description)}\n${str(s.details)}` : ''))].join('\n');
  const found = findPaths(text, index);
  owns.push(...found.owns);
  notes.push(...found.notes);

  for (const key of Object.keys(task)) if (!MAPPED.has(key)) notes.push(`Task Master ${key}: ${quote(task[key])}.`);

  return {
    sourceId: id,
    file,
    title: str(task.title),
    phase: 'parallel',
    dependsOn: [...new Set(dependsOn)],
    owns: [...new Set(owns)],
    ...(reads.length > 0 ? { reads } : {}),
    done,
    goal: [str(task.description), str(task.details)].filter(Boolean).join('\n\n'),
    criteria,
    notes,
    ...(tag !== undefined ? { sourceExtra: { tag } } : {}),
  };
}
