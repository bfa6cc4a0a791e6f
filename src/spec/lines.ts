import type { Span } from './types.js';

/** Offset → 1-based line/column over one text, by binary search on line starts. */
export class LineIndex {
  private readonly starts: number[] = [0];

  /** Line breaks are LF, CRLF and a lone CR, as in CommonMark and YAML. */
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
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
