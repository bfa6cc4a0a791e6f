/**
 * One printable line: control characters (newlines, tabs, ANSI escapes) and
 * Unicode line separators become spaces, so a title cannot break a table row,
 * a comment or a terminal.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}
