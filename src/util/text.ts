/**
 * One printable line: control characters (newlines, tabs, ANSI escapes) and
 * Unicode line separators become spaces, so a value cannot break a table
 * row, a comment or a terminal.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

/** How many characters of a value a message quotes before it cuts. */
export const EXCERPT_CHARS = 60;

/**
 * A value as a message may quote it: on one printable line, and when longer
 * than `max` its start followed by a mark that says how long it really is
 * (`src/{{{{{{…` + ` (3,012 characters)`). A message that quotes a
 * 300,000-character glob must not be 300,000 characters long, once per finding.
 */
export function excerpt(value: string, max = EXCERPT_CHARS): string {
  if (value.length <= max) return oneLine(value);
  return `${oneLine(value.slice(0, max))}… (${value.length.toLocaleString('en-US')} characters)`;
}

/**
 * Items joined for a message, at most `max` of them, then how many more:
 * `a, b, c and 9,997 more`. A message on each of 10,000 duplicates must not
 * list the other 9,999.
 */
export function listed(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${(items.length - max).toLocaleString('en-US')} more`;
}

/**
 * Text safe to print on a terminal: control characters (an escape sequence
 * would recolour, move the cursor or retitle the window), Unicode line
 * separators and bidirectional overrides (they reorder what the reader sees)
 * are shown as escapes (`\x1b`, `\u202e`) instead of acting. A tab is one
 * too: it would break the columns.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
