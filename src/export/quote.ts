import { oneLine } from '../util/text.js';

/**
 * A POSIX shell word that stands for exactly `text`: single quotes keep
 * everything literal (`$`, backticks, `\`, newlines), and a quote inside is
 * closed, escaped and reopened. Backslashes just before a closing quote are
 * written in double quotes instead (`'a'"\\"`): the same word to the shell,
 * but shellcheck reads `\'` at the end of a single-quoted string as an
 * attempted escape (SC1003). NUL cannot live in a shell word; it is dropped.
 */
export function shQuote(text: string): string {
  return text
    .replace(/\0/g, '')
    .split("'")
    .map((segment) => {
      const tail = /\\+$/.exec(segment)?.[0] ?? '';
      const head = segment.slice(0, segment.length - tail.length);
      return (head !== '' || tail === '' ? `'${head}'` : '') + (tail ? `"${tail.replace(/\\/g, '\\\\')}"` : '');
    })
    .join("\\'");
}

/** Text for a `#` comment: one line, so it cannot end the comment and start code. */
export function comment(text: string): string {
  return oneLine(text);
}

/** A here-document delimiter that no line of `text` equals, so the body cannot end it early. */
export function heredocDelimiter(text: string, base: string): string {
  const lines = new Set(text.split(/\r?\n/));
  let delimiter = base;
  for (let k = 1; lines.has(delimiter); k++) delimiter = `${base}_${k}`;
  return delimiter;
}

/**
 * Text for a shell `#` comment: one line, and no trailing backslash, which
 * shellcheck reads as a line continuation attempted in a comment (SC1143).
 */
export function shComment(text: string): string {
  return oneLine(text).replace(/[\s\\]+$/, '');
}
