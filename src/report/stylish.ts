import type { Diagnostic } from '../lint/types.js';
import { printable } from '../util/text.js';
import { paint } from './color.js';
import type { FormatOptions, LintReport } from './types.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** ESLint's "stylish": a block per file, aligned columns, a summary line. */
export function formatStylish(report: LintReport, options: FormatOptions): string {
  const c = paint(options.color);
  const lines: string[] = [];
  // Every value printed comes from the specs or the file system: none may drive the terminal.
  for (const line of report.fixed ?? []) lines.push(`${c.green('fixed')} ${printable(line)}`);
  for (const line of report.notFixed ?? []) lines.push(`${c.yellow('not fixed')} ${printable(line)}`);
  if (report.fixed?.length || report.notFixed?.length) lines.push('');
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of report.diagnostics) {
    const group = byFile.get(d.file);
    if (group) group.push(d);
    else byFile.set(d.file, [d]);
  }
  for (const [file, group] of byFile) {
    lines.push(c.underline(printable(file)));
    const pos = group.map((d) => `${d.line}:${d.column}`);
    const messages = group.map((d) => printable(d.message));
    const posWidth = Math.max(...pos.map((p) => p.length));
    const sevWidth = Math.max(...group.map((d) => d.severity.length));
    const msgWidth = Math.max(...messages.map((m) => m.length));
    group.forEach((d, i) => {
      const sev = d.severity.padEnd(sevWidth);
      lines.push(`  ${c.dim(pos[i]!.padEnd(posWidth))}  ${d.severity === 'error' ? c.red(sev) : c.yellow(sev)}  ${messages[i]!.padEnd(msgWidth)}  ${c.dim(d.ruleId)}`);
    });
    lines.push('');
  }
  const total = report.errorCount + report.warningCount;
  const hidden = report.hiddenWarnings ? `${plural(report.hiddenWarnings, 'warning')} hidden by --quiet` : '';
  if (total === 0) {
    lines.push(c.green(`✔ ${plural(report.filesChecked, 'file')} checked, ${hidden ? `no errors (${hidden})` : 'no problems'}`));
  } else {
    const summary = `✖ ${plural(total, 'problem')} (${plural(report.errorCount, 'error')}, ${hidden || plural(report.warningCount, 'warning')})`;
    lines.push(report.errorCount > 0 ? c.red(c.bold(summary)) : c.yellow(c.bold(summary)));
    const fixable = report.diagnostics.filter((d) => d.fixable).length;
    if (fixable > 0) lines.push(`  ${plural(fixable, 'problem')} potentially fixable with the \`--fix\` option.`);
  }
  return `${lines.join('\n')}\n`;
}
