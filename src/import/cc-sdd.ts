/**
 * gotalab/cc-sdd (and Kiro) `tasks.md`, from cc-sdd's
 * templates/specs/tasks.md and rules/tasks-generation.md:
 * `- [ ] 2. Major task` above `- [ ] 2.1 (P) Sub-task`, detail bullets under
 * a task, `_Requirements: 1.1, 2.3_`, `_Boundary: Component_`,
 * `_Depends: 1.2_`, `- [ ]* 4.4` for an optional test task. Real files also
 * write the major tasks as headings (`## 1. Foundation`), put `(P)` after
 * the title, and star the number (`7.9*`).
 *
 * cc-sdd's own rules give the order: "Task N implicitly depends on all
 * tasks before it", and `(P)` means "no dependency on its immediately
 * preceding peers" (see linkByOrder). `_Depends:_` adds the rest.
 */
import type { Phase } from '../spec/types.js';
import { reduceImplied } from './deps.js';
import { classify, findPaths, pathIndex, toGlob, type PathIndex } from './paths.js';
import { fenceMap, joinWrapped, normaliseSource } from './text.js';
import type { Criterion, SourceRead, SourceTask } from './types.js';

const CHECKBOX = /^(\s*)[-*+]\s+\[([ xX~/-])\](\*)?\s+(\d+(?:\.\d+)*)(\.)?(\*)?(?=\s|$)\s*(.*)$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const NUMBERED_HEADING = /^(?:Task\s+)?(\d+)[.):]?\s+(.*)$/i;
const LIST_ITEM = /^(\s*)[-*+]\s+(?:\[([ xX~/-])\]\s+)?(.*)$/;
const ANNOTATION = /^_([A-Za-z][\w ]*?):\s*(.*?)_\s*$/;
const PARALLEL = /^\(P\)\s*|\s*\(P\)$/;

interface Draft {
  number: string;
  /** The major number this task belongs to. */
  group: string;
  indent: number;
  box: string;
  optional: boolean;
  parallel: boolean;
  titleLines: string[];
  details: { lines: string[]; box?: string }[];
  unclosedFence: boolean;
  line: number;
}

interface Group {
  title: string;
  details: string[];
  parallel: boolean;
}

export function readCcSdd(source: string, file: string): SourceRead {
  const text = normaliseSource(source);
  const lines = text.split('\n');
  const fences = fenceMap(lines);
  const index = pathIndex(text);
  const drafts: Draft[] = [];
  const headingGroups = new Map<string, Group>();
  /** Top-level checkboxes without a task number: not tasks, but counted. */
  const unnumbered: number[] = [];
  let current: Draft | undefined;
  let blank = true;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fences.at[i] === 'closed') continue;
    const heading = HEADING.exec(line);
    if (heading) {
      current = undefined;
      const numbered = NUMBERED_HEADING.exec(heading[2]!);
      if (numbered && !headingGroups.has(numbered[1]!)) headingGroups.set(numbered[1]!, { title: heading[2]!, details: [], parallel: false });
      blank = false;
      continue;
    }
    if (line.trim() === '') {
      blank = true;
      continue;
    }
    const box = CHECKBOX.exec(line);
    if (box) {
      let title = box[7]!;
      const parallel = PARALLEL.test(title);
      title = title.replace(PARALLEL, '');
      const number = box[4]!;
      current = {
        number,
        group: number.split('.')[0]!,
        indent: box[1]!.length,
        box: box[2]!,
        optional: Boolean(box[3] || box[6]),
        parallel,
        titleLines: [title],
        details: [],
        unclosedFence: fences.at[i] === 'unclosed',
        line: i + 1,
      };
      drafts.push(current);
      blank = false;
      continue;
    }
    if (current) {
      const item = LIST_ITEM.exec(line);
      const indent = line.length - line.trimStart().length;
      if (item && item[1]!.length > current.indent) {
        current.details.push({ lines: [item[3]!], ...(item[2] !== undefined ? { box: item[2] } : {}) });
      } else if (!item && (indent > current.indent || !blank)) {
        const last = current.details[current.details.length - 1];
        if (last) last.lines.push(line);
        else current.titleLines.push(line);
      } else current = undefined;
    }
    if (!current && fences.at[i] === 'none' && /^[-*+]\s+\[[ xX~/-]\]/.test(line)) unnumbered.push(i + 1);
    blank = false;
  }

  // A major task with sub-tasks is a group, not a task.
  const majors = new Set(drafts.filter((d) => d.number.includes('.')).map((d) => d.group));
  const groups = new Map(headingGroups);
  const executable: Draft[] = [];
  for (const d of drafts) {
    if (!d.number.includes('.') && majors.has(d.number)) {
      groups.set(d.number, {
        title: `${d.number}. ${joinWrapped(d.titleLines)}`,
        details: d.details.map((x) => joinWrapped(x.lines)),
        parallel: d.parallel,
      });
    } else executable.push(d);
  }

  const phases = phasesOf(executable, groups);
  const tasks = executable.map((d) => toTask(d, file, index, groups.get(d.group), phases.get(d.group) ?? 'parallel', fences.unclosedLine));
  linkByOrder(tasks, executable);
  expandGroupDeps(tasks, executable);
  reduceImplied(tasks);
  const remarks: string[] = [];
  if (fences.unclosedLine !== undefined) remarks.push(`the code fence opened at ${file}:${fences.unclosedLine} is never closed; the tasks after it were read anyway and say so in a note`);
  if (unnumbered.length > 0) {
    remarks.push(`${unnumbered.length} checkbox line${unnumbered.length === 1 ? '' : 's'} without a task number (${file}:${unnumbered.slice(0, 3).join(', ')}${unnumbered.length > 3 ? ', …' : ''}) ${unnumbered.length === 1 ? 'is' : 'are'} not read as tasks`);
  }
  return { tasks, label: file, remarks };
}

/**
 * cc-sdd orders its major tasks Foundation, Core, Integration, Validation.
 * Leading groups named for foundation or setup work become `foundation`; a
 * last group named for integration, validation or polish becomes
 * `integration`; the rest is `parallel`.
 */
function phasesOf(tasks: Draft[], groups: Map<string, Group>): Map<string, Phase> {
  const order = [...new Set(tasks.map((t) => t.group))];
  const title = (g: string) => groups.get(g)?.title ?? tasks.find((t) => t.group === g && !t.number.includes('.'))?.titleLines.join(' ') ?? '';
  const phases = new Map<string, Phase>();
  let leading = true;
  order.forEach((g, k) => {
    const name = title(g);
    if (leading && /\b(foundation|foundational|setup|set up|set-up|scaffold\w*|bootstrap\w*)\b/i.test(name)) phases.set(g, 'foundation');
    else {
      leading = false;
      phases.set(g, k === order.length - 1 && k > 0 && /\b(integrat\w*|validat\w*|verif\w*|polish\w*|wir(e|ing)|end-to-end|e2e)\b/i.test(name) ? 'integration' : 'parallel');
    }
  });
  return phases;
}

function toTask(d: Draft, file: string, index: PathIndex, group: Group | undefined, phase: Phase, unclosedLine: number | undefined): SourceTask {
  const title = joinWrapped(d.titleLines);
  const notes: string[] = [];
  const owns: string[] = [];
  const dependsOn: string[] = [];
  const criteria: Criterion[] = [];
  const done = /^[xX]$/.test(d.box);
  if (!done && d.box !== ' ') notes.push(`The checkbox is \`[${d.box}]\`, which cc-sdd does not define; the task is read as not done.`);
  if (d.optional) notes.push('cc-sdd marks this task optional (`*`): deferrable test coverage that may be left for after the MVP.');
  if (group?.parallel) notes.push(`Its major task ${group.title} is marked (P); specdag reads (P) on the tasks themselves.`);
  if (d.unclosedFence) notes.push(`The task stands after the code fence opened at ${file}:${unclosedLine}, which is never closed, so Markdown shows it as code; it was read as a task anyway.`);

  const prose: string[] = [title];
  for (const detail of d.details) {
    const textOf = joinWrapped(detail.lines);
    const note = ANNOTATION.exec(textOf);
    if (!note) {
      prose.push(textOf);
      criteria.push({ text: textOf, done: detail.box !== undefined ? /^[xX]$/.test(detail.box) : done });
      continue;
    }
    const [, key, value] = note as unknown as [string, string, string];
    const items = value.split(/\s*,\s*/).map((v) => v.replace(/^`|`$/g, '').trim()).filter(Boolean);
    if (/^depends?$/i.test(key)) {
      // "1.2", "Task 1.2", "1.2 (config)": the number is the task.
      const ids = value.match(/\d+(?:\.\d+)*/g) ?? [];
      dependsOn.push(...ids);
      if (ids.length === 0) notes.push(`Depends: ${value} (no task number in it).`);
    }
    else if (/^boundary$/i.test(key)) {
      for (const item of items) {
        const found = boundary(item, index);
        owns.push(...found.owns);
        if (found.note) notes.push(found.note);
      }
    } else notes.push(`${key}: ${value}${/^requirements?$/i.test(key) ? ' (requirement ids of requirements.md)' : ''}.`);
  }
  const found = findPaths(prose.join('\n'), index);
  owns.push(...found.owns);
  notes.push(...found.notes);

  const context = group ? [`Part of ${group.title} in ${file}.`, ...group.details] : [];
  return {
    sourceId: d.number,
    file,
    title,
    phase,
    dependsOn: [...new Set(dependsOn)],
    owns,
    done,
    goal: [title, ...context].join('\n\n'),
    criteria,
    notes,
  };
}

/** A `_Boundary:_` entry: a path when it looks like one (a bare file name at the repository root unless the source names it in a folder), else a note. */
function boundary(entry: string, index: PathIndex): { owns: string[]; note?: string } {
  const c = classify(entry, true);
  if (!c) return { owns: [], note: `Boundary: ${entry} (a component name, not a path; not in owns).` };
  if (!c.bare) return { owns: [toGlob(c.path, c.dir)] };
  const resolved = findPaths(`\`${entry}\``, index);
  if (resolved.owns.length > 0) return { owns: resolved.owns, note: resolved.notes[0]! };
  if (resolved.notes.length > 0) return { owns: [], note: resolved.notes[0]! };
  return { owns: [toGlob(c.path, false)], note: `Boundary: ${entry} is owned as a file at the repository root.` };
}

/**
 * The order cc-sdd's rules imply: a task waits for every task before it
 * that nothing has waited for yet; a `(P)` task runs beside the earlier
 * tasks of its own major task ("no dependency on its immediately preceding
 * peers"), so it waits only for what its major task as a whole waits for.
 */
function linkByOrder(tasks: SourceTask[], drafts: Draft[]): void {
  let frontier: string[] = [];
  let groupBase: string[] = [];
  drafts.forEach((d, i) => {
    if (d.group !== drafts[i - 1]?.group) groupBase = [...frontier];
    if (d.parallel) {
      tasks[i]!.impliedDeps = [...groupBase];
      frontier = [...frontier.filter((f) => !groupBase.includes(f)), d.number];
    } else {
      tasks[i]!.impliedDeps = [...frontier];
      frontier = [d.number];
    }
  });
}

/** `_Depends: 2_` naming a major task that is a group means all of its sub-tasks. */
function expandGroupDeps(tasks: SourceTask[], drafts: Draft[]): void {
  const ids = new Set(drafts.map((d) => d.number));
  for (const t of tasks) {
    t.dependsOn = t.dependsOn.flatMap((dep) => {
      if (ids.has(dep)) return [dep];
      const members = drafts.filter((d) => d.group === dep && d.number.includes('.')).map((d) => d.number);
      if (members.length === 0) return [dep];
      t.notes.push(`Depends on the major task ${dep}, read as its sub-tasks ${members.join(', ')}.`);
      return members;
    });
  }
}
