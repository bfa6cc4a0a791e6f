import type { TaskGraph } from '../graph/graph.js';
import type { ParsedFile } from '../spec/parse.js';
import type { ProjectConfig, Span, Spec, SpecSet } from '../spec/types.js';

export type Severity = 'error' | 'warning';

/**
 * A safe, verifiable change to one file. Today the only kind removes one
 * item (at offsets start..end of the BOM-less text) from a frontmatter list.
 */
export interface Fix {
  kind: 'remove-item';
  key: string;
  value: string;
  start: number;
  end: number;
}

export interface Diagnostic {
  ruleId: string;
  severity: Severity;
  /** Relative to the current directory, `/` separators. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fixable: boolean;
  /** Only when fixable; not part of the JSON output. */
  fix?: Fix;
}

/** A finding as a rule reports it: where and what. The engine adds the rule id and severity. */
export interface Finding {
  at: Span;
  message: string;
  fix?: Fix;
}

export interface FileContext {
  parsed: ParsedFile;
  spec: Spec;
  project: ProjectConfig;
  /** Asks the io layer whether a path exists (rules never touch the file system). */
  exists(absolutePath: string): boolean;
  report(finding: Finding): void;
}

export interface ProjectContext {
  specs: SpecSet;
  project: ProjectConfig;
  /** The task graph, built on first use and shared by every rule. */
  graph(): TaskGraph;
  /** Problems found while reading PROJECT.md, for the `project-config` rule. */
  projectProblems: { file: string; at: Span; message: string }[];
  report(finding: Finding & { file: string }): void;
}

export interface UnreadableContext {
  error: { message: string; at: Span };
  report(finding: Finding): void;
}

interface RuleBase {
  id: string;
  summary: string;
  /** Longer help for SARIF and docs: why it matters and how to fix it. */
  help: string;
}

export type Rule =
  | (RuleBase & { scope: 'file'; check(ctx: FileContext): void })
  | (RuleBase & { scope: 'project'; check(ctx: ProjectContext): void })
  | (RuleBase & { scope: 'unreadable'; check(ctx: UnreadableContext): void });

export function defineRule<R extends Rule>(rule: R): R {
  return rule;
}
