import type { LintReport } from '../report/types.js';
import type { FolderChanges } from './tools.js';
import type { UsageTotals } from './transcript.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const count = (n: number) => n.toLocaleString('en-US');
const ids = (list: string[]) => (list.length ? ` (${list.join(', ')})` : '');

export interface SummaryInput {
  dir: string;
  changes: FolderChanges;
  lint: LintReport;
  usage: UsageTotals;
  /** Where the conversation is saved; absent when nothing was said. */
  transcript?: string;
}

/** The closing lines: what changed in the folder, its lint result, what the conversation cost. */
export function formatSummary(s: SummaryInput): string {
  const { written, changed, deleted } = s.changes;
  const lint =
    s.lint.filesChecked === 0
      ? `lint: ${s.dir} holds no specs`
      : s.lint.errorCount + s.lint.warningCount === 0
        ? `lint: ${s.dir} is clean (${plural(s.lint.filesChecked, 'file')} checked)`
        : `lint: ${plural(s.lint.errorCount, 'error')}, ${plural(s.lint.warningCount, 'warning')} in ${s.dir} (specdag lint ${s.dir})`;
  const u = s.usage;
  const totalIn = u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
  return [
    `specs: ${written.length} written${ids(written)}, ${changed.length} changed${ids(changed)}, ${deleted.length} deleted${ids(deleted)}`,
    lint,
    `tokens: ${count(totalIn)} in (${count(u.cache_read_input_tokens)} read from the prompt cache, ${count(u.cache_creation_input_tokens)} written to it), ${count(u.output_tokens)} out; ${plural(u.requests, 'request')}`,
    ...(s.transcript ? [`transcript: ${s.transcript}`] : []),
  ].join('\n');
}
