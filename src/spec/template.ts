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
  const criteria = (t.criteria ?? ['TODO: a first checkable criterion']).map((c) => `- [ ] ${c}`).join('\n');
  return `---\n${yaml}---\n\n# ${t.title}\n\n## Goal\n${t.goal ?? 'TODO: what this task delivers, in a few sentences.'}\n\n## Acceptance criteria\n${criteria}\n`;
}
