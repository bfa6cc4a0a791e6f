/**
 * Finds the YAML frontmatter block with the same rules as
 * micromark-extension-frontmatter (used by remark-frontmatter): an opening
 * `---` at offset 0 followed only by spaces or tabs and a line ending, and a
 * closing `---` line. It is done by hand so that the frontmatter (all the
 * graph rules need) can be read without parsing the Markdown body; a test
 * checks that both agree.
 */
export interface FrontmatterBlock {
  /** Offset of the YAML text (after the opening fence's line ending). */
  valueStart: number;
  /** Offset just past the YAML text (before the closing fence's line ending). */
  valueEnd: number;
  /** Offset just past the closing `---` (and its trailing blanks). */
  end: number;
}

export type FrontmatterScan =
  | { kind: 'block'; block: FrontmatterBlock }
  | { kind: 'missing' }
  /** Opens on line 1 but never closes. */
  | { kind: 'unterminated'; openEnd: number }
  /** A `---` fenced block that does not start at offset 0. */
  | { kind: 'misplaced'; fenceStart: number };

const OPEN = /^---[ \t]*(\r\n|\r|\n)/;
const CLOSE = /(\r\n|\r|\n)---[ \t]*(?=\r\n|\r|\n|$)/g;
const LATE_OPEN = /^(?:[ \t]*(?:\r\n|\r|\n))+(---)[ \t]*(?:\r\n|\r|\n)/;

export function scanFrontmatter(text: string): FrontmatterScan {
  const open = OPEN.exec(text);
  if (!open) {
    const late = LATE_OPEN.exec(text);
    if (late) return { kind: 'misplaced', fenceStart: late[0].length - late[0].trimStart().length };
    return { kind: 'missing' };
  }
  const eol = open[1]!;
  const valueStart = open[0].length;
  CLOSE.lastIndex = valueStart - eol.length;
  const close = CLOSE.exec(text);
  if (!close) return { kind: 'unterminated', openEnd: valueStart - eol.length };
  const valueEnd = Math.max(close.index, valueStart);
  return { kind: 'block', block: { valueStart, valueEnd, end: close.index + close[0].length } };
}
