import { isDeepStrictEqual } from 'node:util';
import { isAlias, isSeq, type Node as YamlNode } from 'yaml';
import { parseSpecText, type ParsedFile } from '../spec/parse.js';
import { excerpt } from '../util/text.js';
import type { Fix } from './types.js';

export type FixResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Applies safe fixes to one file's text and keeps every other byte:
 * comments, key order, list style, line endings, a BOM. The result is
 * parsed again and must equal the original data minus exactly the removed
 * items, with the body untouched; otherwise nothing is changed.
 */
export function applyFixes(raw: string, fixes: Fix[]): FixResult {
  const before = parseSpecText(raw);
  if (before.scan.kind !== 'block' || before.yamlErrors.length > 0 || !before.doc) {
    return { ok: false, reason: 'the frontmatter does not parse; fix it by hand first' };
  }
  // A fix removes whole lines, and a lone CR is a line break the edit would not see as one.
  if (/\r(?!\n)/.test(before.text.slice(0, before.scan.block.end + 2))) {
    return { ok: false, reason: 'its lines end in a lone CR (old Mac line endings); save it with LF or CRLF line endings and run --fix again' };
  }
  let text = before.text;
  const expected = structuredClone(before.data) as Record<string, unknown>;
  for (const fix of [...fixes].sort((a, b) => b.start - a.start)) {
    const edit = removeItem(before, text, fix);
    if (typeof edit === 'string') return { ok: false, reason: edit };
    text = text.slice(0, edit.start) + text.slice(edit.end);
    const list = expected[fix.key];
    if (!Array.isArray(list)) return { ok: false, reason: `'${fix.key}' is not a list` };
    list.splice(list.lastIndexOf(fix.value), 1);
  }
  const after = parseSpecText(text);
  const bodyBefore = before.text.slice(before.scan.block.end);
  const bodyAfter = after.scan.kind === 'block' ? text.slice(after.scan.block.end) : undefined;
  if (after.yamlErrors.length > 0 || !isDeepStrictEqual(after.data, expected) || bodyAfter !== bodyBefore) {
    return { ok: false, reason: 'the edited file would not read back as expected; nothing was changed' };
  }
  return { ok: true, text: (before.bom ? '\ufeff' : '') + text };
}

function removeItem(parsed: ParsedFile, text: string, fix: Fix): { start: number; end: number } | string {
  const written = parsed.doc!.get(fix.key, true) as YamlNode | undefined;
  if (isAlias(written)) return `'${fix.key}' is a YAML alias (*${excerpt(written.source)}); remove '${fix.value}' from the list it stands for by hand`;
  const seq = written;
  if (!isSeq(seq)) return `'${fix.key}' is not a list`;
  const items = seq.items as YamlNode[];
  const item = items.find((n) => n.range && parsed.yamlOffset + n.range[0] === fix.start);
  if (!item || String((item as { value?: unknown }).value) !== fix.value) return `'${fix.value}' is no longer at that place in ${fix.key}`;
  const { start, end } = fix;
  if (!seq.flow) {
    // Block style: the item owns its whole line ("  - value  # comment").
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const nl = text.indexOf('\n', end);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    if (!/^[ \t]*-[ \t]+$/.test(text.slice(lineStart, start)) || !/^[ \t]*(#.*)?\r?\n?$/.test(text.slice(end, lineEnd))) {
      return `'${fix.value}' shares its line with other YAML`;
    }
    if (items.length === 1) return `'${fix.value}' is the only item of ${fix.key}`;
    return { start: lineStart, end: lineEnd };
  }
  // Flow style: take the item with the comma after it, or the comma before it when it is last.
  const after = /^[ \t]*,[ \t]*/.exec(text.slice(end));
  if (after) return { start, end: end + after[0].length };
  const before = /,[ \t\r\n]*$/.exec(text.slice(0, start));
  if (before) return { start: before.index, end };
  return { start, end };
}
