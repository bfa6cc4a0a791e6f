import { oneLine } from '../util/text.js';

/**
 * A POSIX shell word that stands for exactly `text`: single quotes keep
 * everything literal (`$`, backticks, `\`, newlines), and a quote inside is
 * closed, escaped and reopened. NUL cannot live in a shell word; it is dropped.
 */
export function shQuote(text: string): string {
  return `'${text.replace(/\0/g, '').replace(/'/g, "'\\''")}'`;
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
