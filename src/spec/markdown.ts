import type { Nodes, Root, RootContent } from 'mdast';
import { LineCursor } from './lines.js';
import { loadRemark } from './remark-loader.js';

/** Markdown → mdast; the frontmatter becomes a `yaml` node, so it is never read as a heading. */
export function parseMarkdown(text: string): Root {
  return loadRemark().parseWhole(text);
}

/**
 * Lines of Markdown that cannot be cut apart, at most (blank lines and
 * fenced code not counted). remark's time grows faster than the text within
 * one piece (a thousand block quotes in a row take seconds), so a body is
 * parsed in pieces cut where nothing can carry over, and a body with a
 * longer stretch is not parsed at all.
 */
export const MAX_PIECE_LINES = 2_000;

/** Pieces are cut at the first cut point after this many lines: fewer, larger calls cost less. */
const PIECE_TARGET = 64;

const LIST_START = /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
/** HTML blocks that run past blank lines, to their end condition (CommonMark kinds 1 to 5). */
const HTML_OPEN: [RegExp, RegExp][] = [
  [/^ {0,3}<(?:script|pre|style|textarea)(?:[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];

/** The first character after up to three spaces ('' for none): what decides whether a fence or an HTML block can open. */
function leadChar(line: string): string {
  let i = 0;
  while (i < 3 && line.charCodeAt(i) === 32) i++;
  return line.charAt(i);
}

/** Only spaces and tabs. */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

export interface PiecePlan {
  /** Offsets where a new piece starts (the first piece starts at 0 and holds the frontmatter). */
  cuts: number[];
  /** The longest stretch that cannot be cut: its line count (blank lines and fenced code left out) and where it starts. */
  longest: { lines: number; offset: number };
}

/**
 * Where the body starting at `from` can be cut so that parsing the pieces
 * apart gives the tree of the whole: before a line at column 0 after a blank
 * line that starts no list item (so no list, quote, paragraph or indented
 * code runs on), outside fenced code and the HTML blocks that span blank
 * lines. A body that may hold a link definition is not cut.
 */
export function planPieces(text: string, from: number, target = PIECE_TARGET): PiecePlan {
  const cuts: number[] = [];
  const longest = { lines: 0, offset: from };
  // A link definition anywhere changes how links read everywhere; and a text that opens like frontmatter
  // but is not one (never closed) is read by remark in ways a cut could change.
  const uncut = text.indexOf(']:', from) !== -1 || (from === 0 && text.startsWith('---'));
  let fence: { char: string; size: number } | undefined;
  let html: RegExp | undefined;
  let blankBefore = false;
  let pieceLines = 0;
  let runStart = from;
  let runLines = 0;
  for (const cursor = new LineCursor(text, from); cursor.advance(); ) {
    const line = text.slice(cursor.start, cursor.end);
    const start = cursor.start;
    const blank = isBlank(line);
    // The patterns below need a fence character or a '<' within the first four columns: most lines have neither.
    const lead = leadChar(line);
    if (fence) {
      const close = lead === fence.char ? FENCE_OPEN.exec(line) : null;
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.size && isBlank(line.slice(close[0].length))) fence = undefined;
      continue;
    }
    if (html) {
      if (html.test(line)) html = undefined;
      blankBefore = false;
      pieceLines++;
      runLines++;
      continue;
    }
    const c = line.charCodeAt(0);
    if (!uncut && blankBefore && !blank && c !== 32 && c !== 9 && !LIST_START.test(line)) {
      runStart = start;
      runLines = 0;
      if (pieceLines >= target) {
        cuts.push(start);
        pieceLines = 0;
      }
    }
    if (!blank) {
      pieceLines++;
      runLines++;
    }
    if (runLines > longest.lines) {
      longest.lines = runLines;
      longest.offset = runStart;
    }
    blankBefore = blank;
    const opening = lead === '`' || lead === '~' ? FENCE_OPEN.exec(line) : null;
    if (opening && !(opening[1]![0] === '`' && line.slice(opening[0].length).includes('`'))) {
      fence = { char: opening[1]![0]!, size: opening[1]!.length };
      continue;
    }
    if (lead !== '<') continue;
    for (const [open, close] of HTML_OPEN) {
      if (open.test(line)) {
        if (!close.test(line.slice(line.indexOf('<') + 2))) html = close;
        break;
      }
    }
  }
  return { cuts, longest };
}

/**
 * The mdast of a whole spec, parsed piece by piece (see planPieces) and put
 * back together with every position where it stands in the whole text.
 */
export function parseInPieces(text: string, cuts: number[]): Root {
  if (cuts.length === 0) return parseMarkdown(text);
  const root = parseMarkdown(text.slice(0, cuts[0]));
  const children: RootContent[] = [...root.children];
  let line = 1;
  for (let i = 0; i < cuts[0]!; i++) if (isBreak(text, i)) line++;
  for (let k = 0; k < cuts.length; k++) {
    const start = cuts[k]!;
    const end = cuts[k + 1] ?? text.length;
    const piece = loadRemark().parseBody(text.slice(start, end));
    shift(piece, start, line - 1);
    for (const child of piece.children) children.push(child);
    for (let i = start; i < end; i++) if (isBreak(text, i)) line++;
  }
  root.children = children;
  if (root.position) root.position.end = { line, column: 1 + text.length - lineStartBefore(text, text.length), offset: text.length };
  return root;
}

/** A line ends at offset i: LF, or a CR not followed by LF. */
function isBreak(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10);
}

function lineStartBefore(text: string, offset: number): number {
  for (let i = offset - 1; i >= 0; i--) if (text.charCodeAt(i) === 10 || text.charCodeAt(i) === 13) return i + 1;
  return 0;
}

/** Moves every position of a piece's tree by its place in the text; a piece starts at a line start, so columns stay. */
function shift(root: Root, offset: number, lines: number): void {
  const stack: Nodes[] = [...root.children];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const p = node.position;
    if (p) {
      p.start = { line: p.start.line + lines, column: p.start.column, offset: (p.start.offset ?? 0) + offset };
      p.end = { line: p.end.line + lines, column: p.end.column, offset: (p.end.offset ?? 0) + offset };
    }
    if ('children' in node) for (const child of node.children as Nodes[]) stack.push(child);
  }
}
