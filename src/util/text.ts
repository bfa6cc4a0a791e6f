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
