import { stringify } from 'yaml';
import type { Phase } from './types.js';

export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A valid id close to what the user typed: `Auth API` → `auth-api`. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
}

export function titleFromId(id: string): string {
  const words = id.replace(/-+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The text `specdag new` writes where the user has to write their own. The
 * `placeholder-text` rule looks for it (with or without the `TODO:` in
 * front), so a spec left as scaffolded does not pass as finished. `init`'s
 * example task is written out in full and holds none of it.
 */
export const PLACEHOLDERS = {
  goal: 'what this task delivers, in a few sentences.',
  criterion: 'a first checkable criterion',
} as const;

/** The placeholder phrases as the rule matches them: lowercased, without the final period. */
export const PLACEHOLDER_PHRASES: readonly string[] = [PLACEHOLDERS.goal.replace(/\.$/, ''), PLACEHOLDERS.criterion];

export interface SpecTemplate {
  id: string;
  title: string;
  phase?: Phase;
  dependsOn?: string[];
  owns?: string[];
  reads?: string[];
  provides?: string[];
  consumes?: string[];
  estimate?: string;
  goal?: string;
  criteria?: string[];
}

/** A new spec's text; the YAML is written by the yaml library, so any title or glob is quoted correctly. */
export function renderSpec(t: SpecTemplate): string {
  const data: Record<string, unknown> = { id: t.id, title: t.title, phase: t.phase ?? 'parallel' };
  data.depends_on = t.dependsOn ?? [];
  data.owns = t.owns ?? [];
  if (t.reads?.length) data.reads = t.reads;
  if (t.provides?.length) data.provides = t.provides;
  if (t.consumes?.length) data.consumes = t.consumes;
  if (t.estimate) data.estimate = t.estimate;
  const yaml = stringify(data, { lineWidth: 0 });
  const criteria = (t.criteria ?? [`TODO: ${PLACEHOLDERS.criterion}`]).map((c) => `- [ ] ${c}`).join('\n');
  return `---\n${yaml}---\n\n# ${t.title}\n\n## Goal\n${t.goal ?? `TODO: ${PLACEHOLDERS.goal}`}\n\n## Acceptance criteria\n${criteria}\n`;
}
