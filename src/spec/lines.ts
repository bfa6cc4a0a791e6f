import type { Span } from './types.js';

/** Offset → 1-based line/column over one text, by binary search on line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];

  /** Line breaks are LF, CRLF and a lone CR, as in CommonMark and YAML. */
  constructor(text: string) {
    for (const line = new LineCursor(text, 0); line.advance(); ) if (line.end < text.length) this.starts.push(line.nextStart);
  }

  pos(offset: number): { line: number; column: number } {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  }

  span(start: number, end: number): Span {
    const a = this.pos(start);
    const b = this.pos(end);
    return { start, end, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** Offset where a 1-based line starts. */
  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]!;
  }
}

/**
 * Walks a text line by line from an offset, lines found with indexOf (a loop
 * over characters runs slowly before the JIT has warmed up, which is all of a
 * small folder's lint). Line breaks are LF, CRLF and a lone CR; a text ending
 * in a break has no empty line after it.
 */
export class LineCursor {
  /** The current line, without its break: text.slice(start, end). */
  start = 0;
  end = 0;
  /** Where the line after the current one starts. */
  nextStart: number;
  /** The next CR at or after nextStart, or -1: a text without CR is never searched for one again. */
  private cr: number;

  constructor(
    private readonly text: string,
    from: number,
  ) {
    this.nextStart = from;
    this.cr = text.indexOf('\r', from);
  }

  /** Moves to the next line; false once past the text's end. */
  advance(): boolean {
    const text = this.text;
    const pos = this.nextStart;
    if (pos >= text.length) return false;
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = text.length;
    if (this.cr !== -1 && this.cr < pos) this.cr = text.indexOf('\r', pos);
    if (this.cr !== -1 && this.cr < eol) eol = this.cr;
    this.start = pos;
    this.end = eol;
    this.nextStart = text.charCodeAt(eol) === 13 && text.charCodeAt(eol + 1) === 10 ? eol + 2 : eol + 1;
    return true;
  }
}
