import type { Phase } from '../spec/types.js';

export const FORMATS = ['spec-kit', 'taskmaster', 'cc-sdd', 'backlog'] as const;
export type Format = (typeof FORMATS)[number];

/** One acceptance criterion: a line of text, ticked or not, with optional indented text under it. */
export interface Criterion {
  text: string;
  done?: boolean;
  /** Further lines, written indented under the item. */
  body?: string;
}

/** A `### heading` with text under the spec's Notes: a whole section of the source kept as it was. */
export interface NoteSection {
  title: string;
  text: string;
}

/**
 * One task as a reader understood it, before it has a spec id. Dependencies
 * name source ids; the writer turns them into spec ids.
 */
export interface SourceTask {
  /** The id the source gives the task (`T014`, `21`, `1.2`, `BACK-7`). */
  sourceId: string;
  /** The file the task was read from, as the user would name it. */
  file: string;
  title: string;
  phase: Phase;
  /** Source ids this task waits for, as the source writes them. */
  dependsOn: string[];
  /**
   * Source ids this task waits for only because of where it stands (the task
   * before it, the end of the previous phase). Such an edge is left out when
   * another dependency already implies it, so the import adds no
   * redundant-dependency warning of its own making.
   */
  impliedDeps?: string[];
  owns: string[];
  /** Paths it relies on but does not change. */
  reads?: string[];
  tags?: string[];
  done: boolean;
  goal: string;
  criteria: Criterion[];
  /** What the reader could not map exactly, one sentence each. */
  notes: string[];
  noteSections?: NoteSection[];
  /** Extra keys for `x-source` beside `file` and `id` (a Task Master tag). */
  sourceExtra?: Record<string, string>;
}

/** What a reader returns: the tasks in source order, and a few words about the source for the summary. */
export interface SourceRead {
  tasks: SourceTask[];
  /** Where each task came from, for messages: `specs/001/tasks.md` or `backlog/tasks (15 files)`. */
  label: string;
  /** Source-wide remarks for the summary (not tied to one task). */
  remarks: string[];
}
