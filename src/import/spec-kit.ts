/**
 * github/spec-kit `tasks.md` (templates/tasks-template.md and the
 * /speckit.tasks command): `- [ ] T014 [P] [US1] Description in path/file`
 * under `## Phase N: Name` headings. Real files wrap descriptions over
 * several indented lines, tick boxes as `[X]` or `[x]`, name paths in
 * backticks, suffix ids (`T042b`) and write `(depends on T012, T013)`.
 */
import type { Phase } from '../spec/types.js';
import { reduceImplied } from './deps.js';
import { findPaths, pathIndex } from './paths.js';
import { fenceMap, joinWrapped, normaliseSource } from './text.js';
import type { Criterion, SourceRead, SourceTask } from './types.js';

const TASK = /^(\s*)[-*+]\s+\[([ xX~/-])\](?=\s)\s*(\S+)(.*)$/;
const TASK_ID = /^[A-Za-z]{1,6}-?\d+[a-z]?$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/;
const PHASE_HEADING = /^Phase\s+[\w.]+\s*[:：.\-–—]\s*(.*)$/i;
const LIST_ITEM = /^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$/;
const LABEL = /^\[([A-Za-z0-9_.-]+)\](?!\()\s*/;

interface PhaseInfo {
  name: string;
  /** The `**Goal**:` or `**Purpose**:` paragraph under the heading. */
  goal?: string;
  taskCount: number;
}

interface Draft {
  line: number;
  indent: number;
  box: string;
  id: string;
  labels: string[];
  titleLines: string[];
  details: string[][];
  phase: PhaseInfo | undefined;
  section: string | undefined;
  unclosedFence: boolean;
  /** A blank line came after the title: later indented lines are further paragraphs. */
  broken: boolean;
}

/** Expands `T030-T036` into the ids between, when both ends share a prefix and the range is short. */
function expandRange(from: string, to: string): string[] {
  const a = /^([A-Za-z]+-?)(\d+)$/.exec(from);
  const b = /^([A-Za-z]+-?)(\d+)$/.exec(to);
  if (!a || !b || a[1] !== b[1] || Number(b[2]) < Number(a[2]) || Number(b[2]) - Number(a[2]) > 200) return [from, to];
  const width = a[2]!.length;
  const out: string[] = [];
  for (let n = Number(a[2]); n <= Number(b[2]); n++) out.push(`${a[1]}${String(n).padStart(width, '0')}`);
  return out;
}

/** The letters task ids start with (`T` for T001): only ids of that shape are read as dependencies or mentions. */
function idPattern(prefixes: Set<string>): string {
  const alternatives = [...prefixes].map((p) => p.replace(/[^A-Za-z-]/g, '')).filter(Boolean);
  return `(?:${alternatives.length > 0 ? alternatives.join('|') : '[A-Z]'})\\d+[a-z]?`;
}

/**
 * The ids of every `depends on …` clause of a description (up to a `;`, a
 * `)` or the end of the sentence; `T030-T036` is a range), and the other
 * task ids it mentions, which are not dependencies.
 */
export function dependencies(text: string, self: string, prefixes: Set<string>): { deps: string[]; mentions: string[] } {
  const id = idPattern(prefixes);
  const deps: string[] = [];
  const spans: [number, number][] = [];
  for (const m of text.matchAll(/\bdepends?\s+(?:up)?on\b:?\s*([^;)\n]*)/gi)) {
    const clause = m[1]!.split(/\.(?:\s|$)/)[0]!;
    if (!new RegExp(`^${id}\\b`).test(clause)) continue;
    spans.push([m.index!, m.index! + m[0].length - m[1]!.length + clause.length]);
    for (const r of clause.matchAll(new RegExp(`(${id})(?:\\s*(?:-|–|—|\\bto\\b)\\s*(${id}))?`, 'g'))) {
      deps.push(...(r[2] ? expandRange(r[1]!, r[2]) : [r[1]!]));
    }
  }
  const mentions: string[] = [];
  for (const m of text.matchAll(new RegExp(`\\b${id}\\b`, 'g'))) {
    if (spans.some(([s, e]) => m.index! >= s && m.index! < e) || m[0] === self || deps.includes(m[0])) continue;
    mentions.push(m[0]);
  }
  return { deps: [...new Set(deps)], mentions: [...new Set(mentions)] };
}

function phaseOf(name: string | undefined, isLast: boolean): Phase {
  if (name === undefined) return 'parallel';
  if (!/^user\s+story\b/i.test(name) && /\b(setup|set-up|foundational|foundation)\b/i.test(name)) return 'foundation';
  if (isLast && /\b(polish|integration)\b/i.test(name)) return 'integration';
  return 'parallel';
}

export function readSpecKit(source: string, file: string): SourceRead {
  const text = normaliseSource(source);
  const lines = text.split('\n');
  const fences = fenceMap(lines);
  const index = pathIndex(text);
  const usesPhaseHeadings = lines.some((l, i) => fences.at[i] === 'none' && HEADING.test(l) && PHASE_HEADING.test(HEADING.exec(l)![2]!));

  const drafts: Draft[] = [];
  const phases: PhaseInfo[] = [];
  let phase: PhaseInfo | undefined;
  let section: string | undefined;
  let current: Draft | undefined;
  let goalLines: string[] | undefined;
  let blank = true;
  /** Top-level checkboxes without a task id (a validation checklist, say): not tasks, but counted. */
  const unnumbered: number[] = [];
  /** `##` sections outside the phases, to tell the user when one states an order in prose. */
  const proseSections: { title: string; text: string[] }[] = [];
  let prose: { title: string; text: string[] } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fences.at[i] === 'closed') {
      current = undefined;
      goalLines = undefined;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      current = undefined;
      goalLines = undefined;
      const level = heading[1]!.length;
      const title = heading[2]!;
      const phaseName = PHASE_HEADING.exec(title);
      if ((usesPhaseHeadings && phaseName && level >= 2) || (!usesPhaseHeadings && level === 2)) {
        phase = { name: title, taskCount: 0 };
        phases.push(phase);
        section = undefined;
      } else if (level > 2) section = title;
      else if (level <= 2 && usesPhaseHeadings) {
        // A `##` section that is not a phase (Dependencies, Notes): its lines are no tasks' phase.
        phase = undefined;
        section = undefined;
      }
      prose = level <= 2 && !(phase && phase.name === title) ? { title, text: [] } : prose;
      if (prose && level <= 2) proseSections.push(prose);
      blank = false;
      continue;
    }
    if (prose && !phase) prose.text.push(line);
    if (line.trim() === '') {
      blank = true;
      goalLines = undefined;
      if (current) current.broken = true;
      continue;
    }
    const task = TASK.exec(line);
    const taskId = task?.[3]!.replace(/:$/, '');
    if (task && taskId && TASK_ID.test(taskId) && (!current || task[1]!.length <= current.indent)) {
      let rest = task[4]!.trim();
      const labels: string[] = [];
      for (let m = LABEL.exec(rest); m; m = LABEL.exec(rest)) {
        labels.push(m[1]!);
        rest = rest.slice(m[0].length);
      }
      current = {
        line: i + 1,
        indent: task[1]!.length,
        box: task[2]!,
        id: taskId,
        labels,
        titleLines: [rest],
        details: [],
        phase,
        section,
        unclosedFence: fences.at[i] === 'unclosed',
        broken: false,
      };
      if (phase) phase.taskCount++;
      drafts.push(current);
      goalLines = undefined;
      blank = false;
      continue;
    }
    if (current) {
      const item = LIST_ITEM.exec(line);
      const indent = line.length - line.trimStart().length;
      if (item && item[1]!.length > current.indent) {
        current.details.push([item[2]!]);
      } else if (item) {
        current = undefined;
      } else if (indent > current.indent || !blank) {
        // A wrapped line: of the title until a blank line or a sub-item, then of the last sub-item or a new paragraph.
        const last = current.details[current.details.length - 1];
        if (last) last.push(line);
        else if (!current.broken) current.titleLines.push(line);
        else current.details.push([line]);
      } else {
        current = undefined;
      }
      blank = false;
      if (current) continue;
    }
    if (task && fences.at[i] === 'none' && task[1]!.length === 0) unnumbered.push(i + 1);
    if (phase && !current) {
      const goal = /^\*\*(Goal|Purpose)\*\*\s*:\s*(.*)$/.exec(line.trim());
      if (goal) {
        goalLines = [goal[2]!];
        phase.goal = goal[2]!;
      } else if (goalLines && !blank) {
        goalLines.push(line);
        phase.goal = joinWrapped(goalLines);
      }
    }
    blank = false;
  }

  const withTasks = phases.filter((p) => p.taskCount > 0);
  const last = withTasks[withTasks.length - 1];
  const prefixes = new Set(drafts.map((d) => /^[A-Za-z]+-?/.exec(d.id)![0]));
  const tasks: SourceTask[] = drafts.map((d) => toTask(d, file, index, prefixes, d.phase === undefined ? undefined : phaseOf(d.phase.name, d.phase === last), fences.unclosedLine));
  linkByPosition(tasks, drafts);
  reduceImplied(tasks);

  const remarks: string[] = [];
  if (fences.unclosedLine !== undefined) remarks.push(`the code fence opened at ${file}:${fences.unclosedLine} is never closed; the tasks after it were read anyway and say so in a note`);
  const ids = new Set(drafts.map((d) => d.id));
  for (const p of proseSections) {
    const body = p.text.join('\n');
    if (/\b(blocks?|before|after|depends?)\b/i.test(body) && [...body.matchAll(/\b[A-Za-z]{1,6}-?\d+[a-z]?\b/g)].some((m) => ids.has(m[0]))) {
      remarks.push(`the section '${p.title}' orders tasks in prose, which is not read: only "(depends on …)" in a task's line is`);
    }
  }
  if (unnumbered.length > 0) {
    remarks.push(`${unnumbered.length} checkbox line${unnumbered.length === 1 ? '' : 's'} without a task id (${file}:${unnumbered.slice(0, 3).join(', ')}${unnumbered.length > 3 ? ', …' : ''}) ${unnumbered.length === 1 ? 'is' : 'are'} not read as tasks`);
  }
  return { tasks, label: file, remarks };
}

function toTask(d: Draft, file: string, index: ReturnType<typeof pathIndex>, prefixes: Set<string>, phase: Phase | undefined, unclosedLine: number | undefined): SourceTask {
  const title = joinWrapped(d.titleLines);
  const details = d.details.map((lines) => joinWrapped(lines));
  const everything = [title, ...details].join('\n');
  const { deps, mentions } = dependencies(everything, d.id, prefixes);
  const found = findPaths(everything, index);
  // spec-kit's design documents sit beside tasks.md (contracts/api.md), not at those paths in the repository.
  const owns = found.owns.filter((o) => !/^contracts\/.*\.md$/.test(o));
  const notes: string[] = [...found.notes];
  for (const o of found.owns.filter((x) => !owns.includes(x))) notes.push(`\`${o}\` is read as one of the feature's design documents beside tasks.md; not in owns.`);
  const done = /^[xX]$/.test(d.box);
  if (!done && d.box !== ' ') notes.push(`The checkbox is \`[${d.box}]\`, which spec-kit does not define; the task is read as not done.`);
  if (mentions.length > 0) notes.push(`The description names ${mentions.join(', ')} outside a \`depends on\`; ${mentions.length === 1 ? 'it is not read as a dependency' : 'they are not read as dependencies'}.`);
  if (phase === undefined) notes.push('The task stands under no phase heading; it is read as parallel.');
  if (d.unclosedFence) notes.push(`The task stands after the code fence opened at ${file}:${unclosedLine}, which is never closed, so Markdown shows it as code; it was read as a task anyway.`);
  const stories = d.labels.filter((l) => l !== 'P');
  const where = [d.phase?.name, d.section].filter(Boolean).join(' › ');
  const goal = [title, where ? `Part of ${where} in ${file}.` : '', d.phase?.goal ? `Goal of the phase: ${d.phase.goal}` : ''].filter(Boolean).join('\n\n');
  const criteria: Criterion[] = details.length > 0 ? details.map((t) => ({ text: t, done })) : [{ text: title, done }];
  return {
    sourceId: d.id,
    file,
    title,
    phase: phase ?? 'parallel',
    dependsOn: deps,
    owns,
    ...(stories.length > 0 ? { tags: stories } : {}),
    done,
    goal,
    criteria,
    notes,
  };
}

/**
 * The contract's rules of position: a task without `[P]` depends on the
 * task before it in its phase; a Polish or Integration phase comes after
 * every parallel task (its `[P]` tasks and its first task wait for the
 * parallel tasks nothing else waits for).
 */
function linkByPosition(tasks: SourceTask[], drafts: Draft[]): void {
  for (let i = 1; i < tasks.length; i++) {
    const same = drafts[i]!.phase !== undefined && drafts[i]!.phase === drafts[i - 1]!.phase;
    if (same && !drafts[i]!.labels.includes('P')) tasks[i]!.impliedDeps = [tasks[i - 1]!.sourceId];
  }
  const parallel = tasks.filter((t) => t.phase === 'parallel');
  const waitedFor = new Set<string>();
  for (const t of parallel) for (const d of [...t.dependsOn, ...(t.impliedDeps ?? [])]) waitedFor.add(d);
  const sinks = parallel.map((t) => t.sourceId).filter((id) => !waitedFor.has(id));
  if (sinks.length === 0) return;
  tasks.forEach((t, i) => {
    if (t.phase !== 'integration') return;
    const first = i === 0 || drafts[i - 1]!.phase !== drafts[i]!.phase;
    if (first || drafts[i]!.labels.includes('P')) t.impliedDeps = [...(t.impliedDeps ?? []), ...sinks];
  });
}
