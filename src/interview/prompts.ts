import { readFileSync } from 'node:fs';

export type PromptName = 'system' | 'start' | 'done' | 'refine';

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
