import type { ImportedSpec } from './render.js';
import type { Format, SourceRead } from './types.js';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** The lines `specdag import` prints before the lint result. */
export function importSummary(format: Format, read: SourceRead, specs: ImportedSpec[], dir: string): string {
  const done = specs.filter((s) => s.done).length;
  const notes = specs.reduce((n, s) => n + s.notes, 0);
  const noted = specs.filter((s) => s.notes > 0).length;
  const lines = [`read ${plural(read.tasks.length, `${format} task`)} from ${read.label}`];
  for (const remark of read.remarks) lines.push(`  ${remark}`);
  lines.push(
    `wrote ${plural(specs.length, 'spec')} to ${dir}/${done > 0 ? ` (${done} marked done)` : ''}, ` +
      (notes > 0 ? `kept ${plural(notes, 'note')} in ${plural(noted, 'spec')} (under ## Notes)` : 'no notes: everything mapped exactly'),
  );
  return `${lines.join('\n')}\n\n`;
}
