import type { Rule, Severity } from '../lint/types.js';

export const RULES_START = '<!-- rules:start -->';
export const RULES_END = '<!-- rules:end -->';

/** The README's rule table, generated from the registry (`npm run docs`). */
export function rulesTable(rules: readonly Rule[], severityOf: (id: string) => Severity): string {
  const rows = rules.map((r) => `| \`${r.id}\` | ${severityOf(r.id)} | ${r.summary.replace(/\|/g, '\\|')} |`);
  return ['| rule id | severity | what it catches |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The text with the part between the markers replaced; undefined when the markers are missing. */
export function withRulesTable(text: string, table: string): string | undefined {
  const a = text.indexOf(RULES_START);
  const b = text.indexOf(RULES_END);
  if (a === -1 || b === -1 || b < a) return undefined;
  return `${text.slice(0, a + RULES_START.length)}\n${table}\n${text.slice(b)}`;
}
