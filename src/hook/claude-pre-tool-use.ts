// `specdag hook claude-pre-tool-use`: a Claude Code PreToolUse hook that holds
// an agent to its task's `owns`. It runs before every edit, so it is loaded
// by bin.ts before anything else (no commander, no remark, no SDK) and reads
// only what it needs: the event, the spec's frontmatter, a few paths.
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathMatcher } from '../graph/globs/overlap.js';
import { findRepoRoot } from '../io/repo.js';
import { scanFrontmatter } from '../spec/frontmatter.js';
import { readOwnsFast, type OwnsAndId } from './frontmatter-owns.js';
import { excerpt, oneLine } from '../util/text.js';

export interface HookOutcome {
  /** 0: go on; 2: Claude Code refuses the tool call and shows `stderr` to the model. */
  code: 0 | 2;
  stderr: string;
}

/** The tools that write a file, and the input field naming it. */
const EDIT_TOOLS: Record<string, 'file_path' | 'notebook_path'> = {
  Write: 'file_path',
  Edit: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

/** Globs quoted in a refusal before it says "and N more". */
const SHOWN_GLOBS = 8;

const go: HookOutcome = { code: 0, stderr: '' };

/**
 * Judges one PreToolUse event (the JSON text Claude Code writes on stdin).
 * Never throws: input it cannot judge lets the edit through with a note on
 * stderr, because a hook that fails would stop the user's whole session.
 */
export async function claudePreToolUse(input: string, env: NodeJS.ProcessEnv, processCwd: string): Promise<HookOutcome> {
  const specFile = env.SPECDAG_SPEC_FILE;
  if (!specFile) return go;
  let event: unknown;
  try {
    event = JSON.parse(input);
  } catch {
    return note(`the PreToolUse event on stdin is not JSON (${input.trim() === '' ? 'stdin was empty' : excerpt(input.trim(), 40)})`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return note('the PreToolUse event on stdin is not a JSON object');
  const { tool_name: tool, tool_input: toolInput, cwd } = event as Record<string, unknown>;
  if (typeof tool !== 'string') return note('the PreToolUse event has no tool_name');
  const field = EDIT_TOOLS[tool];
  if (!field) return go;
  const target = typeof toolInput === 'object' && toolInput !== null ? (toolInput as Record<string, unknown>)[field] : undefined;
  if (typeof target !== 'string' || target === '') return note(`the ${tool} event has no tool_input.${field}`);
  const base = typeof cwd === 'string' && isAbsolute(cwd) ? cwd : processCwd;

  const spec = await readOwns(specFile);
  if ('problem' in spec) return note(spec.problem);
  const task = spec.id ?? env.SPECDAG_TASK_ID ?? basename(specFile, '.md');

  // The worktree is the checkout the agent works in (run starts it there). Not CLAUDE_PROJECT_DIR:
  // a run started from inside a Claude Code session could pass the outer session's value on.
  const root = findRepoRoot(base) ?? base;
  const realRoot = real(root);
  const path = real(resolve(base, target));
  const rel = relative(realRoot, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    return refuse(`${oneLine(target)} lies outside this task's worktree ${oneLine(root)}; task '${task}' may change only files there that its owns match (${ownsText(spec.owns)})`);
  }
  const repoPath = sep === '/' ? rel : rel.split(sep).join('/');
  if (pathMatcher(spec.owns)(repoPath)) return go;
  if (spec.owns.length === 0) {
    return refuse(`task '${task}' owns no files (its spec ${oneLine(specFile)} lists no owns), so it may not change ${oneLine(repoPath)}; leave it to the task that owns it, or ask for the spec to list the paths this task changes`);
  }
  return refuse(
    `${oneLine(repoPath)} is outside what task '${task}' may change (owns: ${ownsText(spec.owns)}); change only files those globs match and leave ${oneLine(repoPath)} to the task that owns it`,
  );
}

/** The spec's id and owns, read from its frontmatter (by the YAML parser only when the plain reading cannot be sure). */
async function readOwns(file: string): Promise<{ id?: string; owns: string[] } | { problem: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: `cannot read SPECDAG_SPEC_FILE ${oneLine(file)} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const scan = scanFrontmatter(text);
  if (scan.kind !== 'block') return { problem: `SPECDAG_SPEC_FILE ${oneLine(file)} has no frontmatter` };
  const yaml = text.slice(scan.block.valueStart, scan.block.valueEnd);
  const fm = readOwnsFast(yaml) ?? (await parseYaml(yaml));
  if (fm === undefined) return { problem: `the frontmatter of SPECDAG_SPEC_FILE ${oneLine(file)} is not valid YAML (specdag lint says where)` };
  if (fm.owns.some((g) => typeof g !== 'string')) return { problem: `owns in SPECDAG_SPEC_FILE ${oneLine(file)} is not a list of globs (specdag lint says why)` };
  return { ...(fm.id !== undefined ? { id: fm.id } : {}), owns: fm.owns as string[] };
}

/** The YAML parser's reading of `id` and `owns`, as readOwnsFast gives it; undefined when the text is not YAML. */
export async function parseYaml(yaml: string): Promise<OwnsAndId | undefined> {
  const { parse } = await import('yaml');
  let data: unknown;
  try {
    data = parse(yaml, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  const fm = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const owns = fm.owns ?? [];
  return { ...(typeof fm.id === 'string' ? { id: fm.id } : {}), owns: Array.isArray(owns) ? owns : [owns] };
}

/**
 * Where a path really lands: the real path of its deepest existing folder
 * plus the rest, so a symlink inside the worktree cannot carry an edit out.
 */
function real(path: string): string {
  let dir = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(dir), ...rest.reverse());
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return path;
      rest.push(basename(dir));
      dir = parent;
    }
  }
}

function ownsText(owns: string[]): string {
  if (owns.length === 0) return 'none';
  const shown = owns.slice(0, SHOWN_GLOBS).map((g) => excerpt(g)).join(', ');
  return owns.length > SHOWN_GLOBS ? `${shown}, and ${owns.length - SHOWN_GLOBS} more` : shown;
}

function refuse(sentence: string): HookOutcome {
  return { code: 2, stderr: `specdag: ${sentence}\n` };
}

function note(problem: string): HookOutcome {
  return { code: 0, stderr: `specdag hook: ${problem}; the edit is not checked\n` };
}
