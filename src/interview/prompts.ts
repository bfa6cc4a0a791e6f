import { readFileSync } from 'node:fs';

export type PromptName = 'system' | 'method' | 'start' | 'done' | 'refine' | 'host';

const cache = new Map<PromptName, string>();

/**
 * A prompt file with its `{{name}}` placeholders filled in. The files live in
 * src/interview/prompts/ and are read at run time; the URL climbs to the
 * package root first, so it resolves the same from src/ (tests) and dist/.
 */
export function prompt(name: PromptName, vars: Record<string, string> = {}): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`../../src/interview/prompts/${name}.md`, import.meta.url), 'utf8').trimEnd();
    cache.set(name, text);
  }
  // One pass: a value that itself holds `{{x}}` (a spec's text can) is not expanded again.
  return text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = vars[key];
    if (value === undefined) throw new Error(`prompt ${name}.md uses {{${key}}}, which was not given`);
    return value;
  });
}

/**
 * The interview's system prompt for the API interview: its own framing around
 * the method (method.md), which the MCP `interview` prompt shares.
 */
export function systemPrompt(): string {
  return prompt('system', { method: prompt('method') });
}

/** What the spec folder holds, for the start of a conversation: "which holds no specs yet" and the like. */
export function folderState(exists: boolean, ids: string[]): string {
  if (!exists) return 'which does not exist yet (write_spec creates it)';
  if (ids.length === 0) return 'which holds no specs yet';
  const shown = `${ids.slice(0, 50).join(', ')}${ids.length > 50 ? ', ...' : ''}`;
  return `which already holds ${ids.length} spec${ids.length === 1 ? '' : 's'} (${shown}); read them with list_specs before proposing changes`;
}
