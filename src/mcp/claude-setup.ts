// What `specdag init --claude` writes for Claude Code: the specdag MCP server
// in the repository's .mcp.json (merged into what is there) and a skill that
// says when and how to prepare work with specdag. Pure: text in, text out.

/** How an MCP client starts specdag's server. */
export interface ServerCommand {
  command: string;
  args: string[];
}

export type MergeOutcome =
  | { kind: 'created' | 'added'; text: string }
  | { kind: 'unchanged' }
  /** A `specdag` server the user set up differently: it is theirs, and kept. */
  | { kind: 'kept' }
  | { kind: 'invalid'; reason: string };

/** The `specdag` server entry of .mcp.json. */
export function serverEntry(cmd: ServerCommand): Record<string, unknown> {
  return { type: 'stdio', command: cmd.command, args: cmd.args };
}

/**
 * .mcp.json with the specdag server added. An existing file keeps every key
 * and server it holds; one that is not a JSON object with an `mcpServers`
 * object is refused, never rewritten.
 */
export function mergeMcpJson(existing: string | undefined, entry: Record<string, unknown>): MergeOutcome {
  if (existing === undefined) return { kind: 'created', text: json({ mcpServers: { specdag: entry } }) };
  let data: unknown;
  try {
    data = JSON.parse(existing.charCodeAt(0) === 0xfeff ? existing.slice(1) : existing);
  } catch (err) {
    return { kind: 'invalid', reason: `it is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { kind: 'invalid', reason: 'it does not hold a JSON object' };
  const config = data as Record<string, unknown>;
  const servers = config.mcpServers ?? {};
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) return { kind: 'invalid', reason: 'its "mcpServers" is not an object' };
  const current = (servers as Record<string, unknown>).specdag;
  if (current !== undefined) return sameJson(current, entry) ? { kind: 'unchanged' } : { kind: 'kept' };
  return { kind: 'added', text: json({ ...config, mcpServers: { ...(servers as Record<string, unknown>), specdag: entry } }) };
}

/** The skill's SKILL.md; `dir` is the spec folder as the user's commands name it. */
export function skillText(dir: string): string {
  return `---
name: specdag
description: Prepare work for several coding agents with specdag before any code is written. Use when the user wants to plan a feature or project for AI agents working in parallel, split work into tasks, write or fix specdag specs (${dir}/*.md), check them, or plan and run them in git worktrees.
---

# Preparing parallel work with specdag

specdag keeps one Markdown spec per task in \`${dir}/\` (YAML frontmatter: id, phase, depends_on, owns, provides, consumes). Foundation tasks run one after another, parallel tasks run side by side in their own git worktrees and branches, and an integration task brings them together. Two tasks that may run at the same time must not own the same files. The preparation is most of the work: get the specs right before any agent starts.

## How to work

1. **Interview the user** with the \`interview\` prompt of the specdag MCP server (the \`/mcp__specdag__interview\` command) or by its method: one question at a time (what is built, for whom, the stack, the constraints, what comes first, what runs side by side, how the parts meet), recommend an answer when there is a usual choice, propose the decomposition, and write specs only once the user agrees.
2. **Write specs only with the specdag MCP tools**: \`list_specs\`, \`read_spec\`, \`write_spec\`, \`delete_spec\`, \`lint_specs\`, \`plan\`. \`write_spec\` checks the id and answers with the folder's lint result; fix every error it reports. Do not edit the spec files with other tools.
3. **Check**: \`specdag lint ${dir}\` must report no errors (\`lint_specs\` gives the same result).
4. **Plan**: \`specdag plan ${dir}\` (or the \`plan\` tool) shows the waves, the critical path and each task's branch and worktree.
5. **Run**, only when the user asks for it: commit the specs first, then \`specdag run ${dir}\` starts one agent per task in its own worktree and merges what passes into the target branch; \`specdag run ${dir} --dry-run\` shows what it would do. \`specdag status\` and \`specdag logs <task>\` show how it goes.

Do not write the project's code while preparing: the agents that \`specdag run\` starts do that, each held to its task's \`owns\`.
`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}
