/** A stretch of a spec file: 1-based line/column (end exclusive) and 0-based offsets into the text. */
export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A scalar from the frontmatter with where it stands. */
export interface Item {
  value: string;
  span: Span;
}

export const PHASES = ['foundation', 'parallel', 'integration'] as const;
export type Phase = (typeof PHASES)[number];
export const STATUSES = ['draft', 'ready', 'done'] as const;
export type Status = (typeof STATUSES)[number];

/** A top-level frontmatter key, with the spans of the key and of its value. */
export interface Field {
  key: string;
  keySpan: Span;
  valueSpan: Span;
  /** Block (`- a`) or flow (`[a]`) for list values; undefined for scalars. */
  listStyle?: 'block' | 'flow';
}

/**
 * What the project-level rules, the planner and the runner know of one task.
 * Plain data (no AST), so it can cross a worker boundary.
 */
export interface Spec {
  /** Path shown to the user: relative to the current directory, `/` separators. */
  file: string;
  /** Absolute path on disk. */
  path: string;
  /** Basename without `.md`; the id a spec must have. */
  stem: string;
  /** True when the frontmatter parsed; graph rules trust only such specs. */
  parsed: boolean;
  id?: Item;
  title?: Item;
  phase: Phase;
  status: Status;
  estimate?: Item;
  agent?: Item;
  /** This task's check (version 2); PROJECT.md's verify when absent. */
  verify?: Item;
  /** true: an agent that changes nothing still succeeds (version 2). */
  allowEmpty: boolean;
  dependsOn: Item[];
  owns: Item[];
  reads: Item[];
  provides: Item[];
  consumes: Item[];
  tags: Item[];
  fields: Record<string, Field>;
  /** Span of the opening `---` fence, the anchor for "missing key" findings. */
  fence: Span;
}

export interface ProjectConfig {
  project?: string;
  baseBranch: string;
  maxParallel: number;
  worktreeDir?: string;
  branchPrefix: string;
  requiredSections: string[];
  defaultAgent?: string;
  agents: Record<string, string>;
  /** Run in each new worktree before its first agent (version 2). */
  setup?: string;
  /** The check after each agent and on each merge into the target branch (version 2). */
  verify?: string;
  /** Agent attempts after a failed check (version 2). */
  retries: number;
  /** What a changed file outside a task's owns does (version 2). */
  outsideOwns: 'warn' | 'fail';
  /** The Markdown body: shared context for every agent. */
  body: string;
  /** Where PROJECT.md is, when there is one. */
  file?: string;
}

export const DEFAULT_REQUIRED_SECTIONS = ['Goal', 'Acceptance criteria'];

/** The folder as the project rules see it. */
export interface SpecSet {
  /** Every spec file, sorted by file path; unparsable ones included with `parsed: false`. */
  list: Spec[];
  /** Specs by id (their frontmatter id when it has one, else their file stem). */
  byId: Map<string, Spec[]>;
  project: ProjectConfig;
}
