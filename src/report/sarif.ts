import type { Rule } from '../lint/types.js';
import type { LintReport } from './types.js';

export interface SarifOptions {
  rules: readonly Rule[];
  severityOf(ruleId: string): 'error' | 'warning';
  version: string;
}

/**
 * SARIF 2.1.0 for GitHub code scanning: one run, one rule entry per rule id
 * (with its help), one result per diagnostic located by a path relative to
 * the checkout.
 */
export function formatSarif(report: LintReport, options: SarifOptions): string {
  const index = new Map(options.rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'specdag',
            semanticVersion: options.version,
            version: options.version,
            rules: options.rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase()).replace(/^./, (ch) => ch.toUpperCase()),
              shortDescription: { text: r.summary.replace(/`/g, '') },
              fullDescription: { text: r.help.replace(/`/g, '') },
              help: { text: r.help.replace(/`/g, ''), markdown: r.help },
              defaultConfiguration: { level: options.severityOf(r.id) },
              properties: { tags: ['specdag'] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: report.diagnostics.map((d) => ({
          ruleId: d.ruleId,
          ...(index.has(d.ruleId) ? { ruleIndex: index.get(d.ruleId) } : {}),
          level: d.severity,
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: fileUri(d.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: d.line, startColumn: d.column, endLine: d.endLine, endColumn: Math.max(d.endColumn, d.line === d.endLine ? d.column : 1) },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** A relative path as a URI reference: encodeURI keeps '#' and '?', which would start a fragment or a query. */
function fileUri(path: string): string {
  return encodeURI(path).replace(/#/g, '%23').replace(/\?/g, '%3F');
}
