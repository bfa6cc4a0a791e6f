/** Line-level Markdown helpers shared by the readers and the writer. */

/** One line ending, no byte order mark: every reader sees the same text whatever the editor saved. */
export function normaliseSource(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/**
 * Where a line stands with respect to fenced code: ordinary text, inside a
 * fence that closes (the fence lines included: code, never a task), or after
 * a fence that never closes (Markdown shows the rest of the file as code).
 */
export type Fence = 'none' | 'closed' | 'unclosed';

export interface FenceMap {
  at: Fence[];
  /** 1-based line of the fence that never closes, if any. */
  unclosedLine?: number;
}

/**
 * Marks fenced code. A fence closes on a line of the same character, at
 * least as long, with nothing after it; indentation is not held to
 * CommonMark's three spaces because task lists nest fences in list items.
 */
export function fenceMap(lines: string[]): FenceMap {
  const at: Fence[] = new Array<Fence>(lines.length).fill('none');
  let open: { line: number; marker: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]!);
    if (!open) {
      // A backtick fence's info string may not hold a backtick (CommonMark), so "```a```" is inline code.
      if (m && !(m[2]![0] === '`' && m[3]!.includes('`'))) open = { line: i, marker: m[2]! };
      continue;
    }
    if (m && m[2]![0] === open.marker[0] && m[2]!.length >= open.marker.length && m[3]!.trim() === '') {
      for (let j = open.line; j <= i; j++) at[j] = 'closed';
      open = undefined;
    }
  }
  if (!open) return { at };
  for (let j = open.line; j < lines.length; j++) at[j] = 'unclosed';
  return { at, unclosedLine: open.line + 1 };
}

/**
 * Source text made safe to sit inside a spec section: a `#` or `##` heading
 * would end the section (or start a new one), a setext underline would make
 * a heading of the line above, and a fence left open would swallow the rest
 * of the spec. Returns the text and what had to change, for a note.
 */
export function embed(text: string): { text: string; changes: string[] } {
  const lines = normaliseSource(text).replace(/^\n+|\s+$/g, '').split('\n');
  const fences = fenceMap(lines);
  const changes = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fences.at[i] === 'none') {
      const h = /^ {0,3}(#{1,2})(\s|$)/.exec(line);
      if (h) {
        out.push(line.replace(/^ {0,3}#{1,2}/, '###'));
        changes.add('headings moved down to ###');
        continue;
      }
      const prev = out.length > 0 ? out[out.length - 1]! : '';
      if (/^ {0,3}(=+|-+)\s*$/.test(line) && prev.trim() !== '' && fences.at[i - 1] === 'none' && !/^\s*([-*+]|\d+[.)])\s/.test(prev)) {
        out.push('');
        changes.add('a setext heading underline set apart');
      }
    }
    out.push(line);
  }
  if (fences.unclosedLine !== undefined) {
    const opener = FENCE.exec(lines[fences.unclosedLine - 1]!)!;
    out.push(`${opener[1]}${opener[2]}`);
    changes.add('a code fence that was never closed now closes at the end of the text');
  }
  return { text: out.join('\n'), changes: [...changes] };
}

/** Every line indented by `n` spaces (blank lines stay empty). */
export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l.trim() === '' ? '' : pad + l))
    .join('\n');
}

/** Wrapped lines of one paragraph joined by single spaces. */
export function joinWrapped(lines: string[]): string {
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

/** A value quoted for a note, on one line and short enough to read. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const flat = (text ?? String(value)).replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
