/**
 * What the body rules need of a spec's Markdown, and nothing more: the `##`
 * sections (title, heading position, whether anything is written under them,
 * whether they hold a list item), the first block, and every link, image and
 * link definition with its URL.
 *
 * remark stays the reference parser. `quickBody` reads that summary straight
 * off the text for the plain bodies specs are made of: ATX headings at column
 * 0, paragraphs, `-`/`*`/`+` list items (nested, with continuation lines and
 * further paragraphs), fenced code at column 0, inline links and images. It
 * answers `undefined` for anything else (indented code, HTML, block quotes,
 * tables, setext headings, ordered lists, anything that may be a link
 * definition, tabs in indentation, headings with markup, trailing blanks,
 * control characters) and the caller parses with remark. A paragraph whose
 * links it cannot read exactly (code spans, angle brackets, escapes,
 * entities, nested brackets, titles) goes to remark alone: with no link
 * definition in the file, a paragraph's inline content depends on nothing
 * outside it. test/spec/body.test.ts checks that both agree on every
 * fixture, the roadmap, a benchmark corpus and thousands of generated bodies
 * full of CommonMark edge cases.
 */
import type { Nodes, Root, RootContent } from 'mdast';

export interface BodySection {
  /** Heading text, trimmed, inner whitespace folded. */
  title: string;
  /** Offsets of the `##` heading. */
  start: number;
  end: number;
  /** Something other than a heading or an HTML comment is written under it. */
  says: boolean;
  /** It holds a list item (at any depth). */
  hasListItem: boolean;
}

/** A URL with a scheme (`https:`, `mailto:`), protocol-relative, root-relative or a bare fragment is not a file link. */
export const NOT_RELATIVE = /^(?:[a-z][a-z0-9+.-]*:|\/|#)/i;

/** A link, image or definition whose URL may name a file: no scheme, not root-relative, not a bare fragment. Autolinks always carry a scheme. */
export interface BodyLink {
  /** The destination as remark reads it: escapes and entities decoded. */
  url: string;
  start: number;
  end: number;
}

export interface BodySummary {
  /** The first block after the frontmatter: its start, and its end when it sits on one line (else the start again). */
  first?: { start: number; end: number };
  /** The `##` sections in order; a `#` heading ends one without starting another. */
  sections: BodySection[];
  /** Links, images and definitions whose URL may name a file, by start offset. */
  links: BodyLink[];
}

export function normalise(title: string): string {
  return title.trim().replace(/\s+/g, ' ');
}

export function sameTitle(a: string, b: string): boolean {
  return normalise(a).toLowerCase() === normalise(b).toLowerCase();
}

// ---------------------------------------------------------------------------
// From remark's tree

/** HTML comments and headings alone say nothing to an agent. */
function says(node: RootContent): boolean {
  if (node.type === 'heading') return false;
  if (node.type === 'html') return !/^\s*<!--[\s\S]*-->\s*$/.test(node.value);
  return true;
}

// The walks over remark's tree are loops, not recursion: the input decides how deep the tree is.

function hasListItem(root: Nodes): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'listItem') return true;
    if ('children' in node) for (const child of node.children as Nodes[]) stack.push(child);
  }
  return false;
}

function collectLinks(root: Nodes, into: BodyLink[], shift: number): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ((node.type === 'link' || node.type === 'image' || node.type === 'definition') && !NOT_RELATIVE.test(node.url)) {
      into.push({ url: node.url, start: node.position!.start.offset! + shift, end: node.position!.end.offset! + shift });
    }
    if ('children' in node) for (const child of node.children as Nodes[]) stack.push(child);
  }
}

/** The text of a node as mdast-util-to-string gives it (values, image alts, HTML included). */
function textOf(root: Nodes): string {
  let out = '';
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('value' in node) out += node.value;
    else if ('alt' in node && node.alt) out += node.alt;
    else if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as Nodes);
  }
  return out;
}

const byStart = (a: BodyLink, b: BodyLink) => a.start - b.start || a.end - b.end;

export function summariseTree(root: Root): BodySummary {
  const sections: BodySection[] = [];
  let current: BodySection | undefined;
  let first: BodySummary['first'];
  for (const node of root.children) {
    if (node.type === 'yaml') continue;
    const pos = node.position!;
    first ??= { start: pos.start.offset!, end: pos.end.line === pos.start.line ? pos.end.offset! : pos.start.offset! };
    if (node.type === 'heading' && node.depth <= 2) {
      current = node.depth === 2 ? { title: normalise(textOf(node)), start: pos.start.offset!, end: pos.end.offset!, says: false, hasListItem: false } : undefined;
      if (current) sections.push(current);
    } else if (current) {
      if (says(node)) current.says = true;
      if (!current.hasListItem && hasListItem(node)) current.hasListItem = true;
    }
  }
  const links: BodyLink[] = [];
  collectLinks(root, links, 0);
  links.sort(byStart);
  const summary: BodySummary = { sections, links };
  if (first) summary.first = first;
  return summary;
}

// ---------------------------------------------------------------------------
// Straight off the text

/** `---`, `***`, `___` with optional blanks between: a thematic break (or a setext underline). */
const THEMATIC = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
/** `#` to `######`, blanks, then content that ends in no `#` (no closing sequence to strip). */
const ATX = /^(#{1,6})[ \t]+(.*[^#\s])$/;
/** Characters that make a heading's text differ from its source: emphasis, code, links, HTML, escapes, entities. */
const HEADING_SPECIAL = /[`*_[\]<>\\&]/;
/** Characters that may change how a paragraph's links read. */
const INLINE_SPECIAL = /[`<>\\&]/;
/** A link or image whose text holds no bracket and whose destination holds no blank, parenthesis or angle bracket. */
const SIMPLE_LINK = /(!?)\[[^[\]]*\]\(([^()\s<>]*)\)/g;
/** A code fence at column 0: three or more backticks or tildes, then the info string. */
const OPEN_FENCE = /^(`{3,}|~{3,})(.*)$/;
/** A closing fence: up to three spaces, the fence characters, nothing else (trailing blanks are refused before). */
const CLOSE_FENCE = /^ {0,3}(`{3,}|~{3,})$/;
/** An ordered list marker. */
const ORDERED = /^\d{1,9}[.)](?:[ \t]|$)/;
/** Control characters other than tab and line endings: CommonMark gives some of them meaning. */
const CONTROL = /[\0-\x08\v\f\x0e-\x1f\x7f]/;

/** Whether a line (from its first character) can only open or continue a paragraph. */
function paragraphStart(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 42 || c === 95) {
    // `*` or `_`: emphasis, unless it is a thematic break or (for `*`) a list marker
    if (THEMATIC.test(line)) return false;
    const next = line.charCodeAt(1);
    return !(c === 42 && (Number.isNaN(next) || next === 32 || next === 9));
  }
  // a code fence, or inline code (a backtick) and plain text (a tilde)
  if (c === 96 || c === 126) return !line.startsWith(c === 96 ? '```' : '~~~');
  // blank, indented, heading, quote, HTML, setext underline, list markers
  if (Number.isNaN(c) || c === 32 || c === 9 || c === 35 || c === 62 || c === 60 || c === 61 || c === 45 || c === 43) return false;
  return !ORDERED.test(line);
}

interface Block {
  start: number;
  end: number;
  startLine: number;
  endLine: number;
}

/**
 * The summary of the body starting at `bodyStart` (just past the closing
 * frontmatter fence), or `undefined` when the text holds something this
 * scanner does not read exactly. `snippet` parses one paragraph with remark.
 */
export function quickBody(text: string, bodyStart: number, snippet: (text: string) => Root): BodySummary | undefined {
  if (CONTROL.test(text.slice(bodyStart))) return undefined;
  const sections: BodySection[] = [];
  const links: BodyLink[] = [];
  let current: BodySection | undefined;
  let first: Block | undefined;
  /** The top-level block now open: a paragraph, or a list with its marker. */
  let open: { kind: 'para' | 'code' | number; block: Block } | undefined;
  /** The paragraph (or list item text) now open, for its links. */
  let inline: { start: number; end: number } | undefined;
  let blankSince = false;
  let bad = false;
  /** The fenced code block now open: its fence character and length. */
  let fence: { char: string; size: number } | undefined;

  const closeInline = () => {
    if (inline && !readLinks(text, inline.start, inline.end, links, snippet)) bad = true;
    inline = undefined;
  };
  /** Content columns of the open list items, outermost first. */
  const items: number[] = [];
  const extend = (end: number, line: number) => {
    open!.block.end = end;
    open!.block.endLine = line;
  };
  const openBlock = (kind: 'para' | 'code' | number, start: number, end: number, line: number) => {
    const block = { start, end, startLine: line, endLine: line };
    first ??= block;
    open = { kind, block };
  };

  let pos = bodyStart;
  // The closing fence's line ending belongs to the frontmatter.
  if (text.charCodeAt(pos) === 13) pos += text.charCodeAt(pos + 1) === 10 ? 2 : 1;
  else if (text.charCodeAt(pos) === 10) pos += 1;
  else if (pos < text.length) return undefined;
  let lineNo = 0;
  while (pos < text.length && !bad) {
    let eol = pos;
    while (eol < text.length) {
      const c = text.charCodeAt(eol);
      if (c === 10 || c === 13) break;
      eol++;
    }
    const next = text.charCodeAt(eol) === 13 && text.charCodeAt(eol + 1) === 10 ? eol + 2 : eol + 1;
    const line = text.slice(pos, eol);
    lineNo++;
    const last = line.charCodeAt(line.length - 1);
    if (last === 32 || last === 9) return undefined;
    if (fence) {
      // Inside fenced code nothing is read; the block ends at a closing fence or at the end of the body.
      extend(eol, lineNo);
      const close = CLOSE_FENCE.exec(line);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.size) {
        fence = undefined;
        open = undefined;
      }
    } else if (line.length === 0 || /^[ \t]*$/.test(line)) {
      closeInline();
      if (open?.kind === 'para') open = undefined;
      blankSince = true;
    } else {
      // `]:` may end a link definition's label, which changes how links read everywhere.
      if (line.includes(']:')) return undefined;
      let indent = 0;
      while (line.charCodeAt(indent) === 32) indent++;
      if (line.charCodeAt(indent) === 9) return undefined; // tabs in indentation: column arithmetic not done here
      const s = indent === 0 ? line : line.slice(indent);
      const c = s.charCodeAt(0);
      const item = (c === 45 || c === 42 || c === 43) && s.charCodeAt(1) === 32 && !THEMATIC.test(s) && paragraphStart(s.slice(2));
      const para = !item && paragraphStart(s);
      /** A paragraph is open and may go on. */
      const continues = inline !== undefined && !blankSince;
      // The deepest open list item this line is indented into, and how far past its content column.
      let k = items.length - 1;
      while (k >= 0 && items[k]! > indent) k--;
      const beyond = indent - (k >= 0 ? items[k]! : 0);
      if (para && continues) {
        // paragraph continuation text, lazy or indented: nothing here can interrupt it
        extend(eol, lineNo);
        inline!.end = eol;
        if (current) current.says = true;
      } else if (beyond >= 4) {
        if (!continues || !item) return undefined; // indented code
        extend(eol, lineNo);
        inline!.end = eol;
      } else if (item) {
        closeInline();
        if (k >= 0) {
          // a nested item, or a sibling of one: the top-level list goes on
          extend(eol, lineNo);
          items.length = k + 1;
        } else if (open?.kind === c) {
          extend(eol, lineNo);
          items.length = 0;
        } else {
          openBlock(c, pos + indent, eol, lineNo);
          items.length = 0;
        }
        items.push(indent + 2);
        inline = { start: pos + indent + 2, end: eol };
        if (current) {
          current.says = true;
          current.hasListItem = true;
        }
      } else if (para) {
        closeInline();
        if (k >= 0) {
          // a further paragraph of an open list item
          extend(eol, lineNo);
          items.length = k + 1;
        } else {
          openBlock('para', pos + indent, eol, lineNo);
          items.length = 0;
        }
        inline = { start: pos + indent, end: eol };
        if (current) current.says = true;
      } else if (indent > 0) {
        return undefined; // an indented heading, fence, quote or HTML: not read here
      } else if (c === 96 || c === 126) {
        const opening = OPEN_FENCE.exec(s);
        if (!opening || (c === 96 && opening[2]!.includes('`'))) return undefined;
        closeInline();
        openBlock('code', pos, eol, lineNo);
        items.length = 0;
        fence = { char: opening[1]![0]!, size: opening[1]!.length };
        if (current) current.says = true;
      } else {
        const atx = ATX.exec(s);
        if (!atx || HEADING_SPECIAL.test(atx[2]!)) return undefined;
        closeInline();
        open = undefined;
        items.length = 0;
        first ??= { start: pos, end: eol, startLine: lineNo, endLine: lineNo };
        const depth = atx[1]!.length;
        if (depth <= 2) {
          current = depth === 2 ? { title: normalise(atx[2]!), start: pos, end: eol, says: false, hasListItem: false } : undefined;
          if (current) sections.push(current);
        }
      }
      blankSince = false;
    }
    pos = next;
  }
  // An unclosed fence runs to the end of the text, past a final line ending.
  if (fence && lineNo > 0 && pos === text.length && /[\r\n]$/.test(text)) extend(text.length, lineNo + 1);
  closeInline();
  if (bad) return undefined;
  links.sort(byStart);
  const summary: BodySummary = { sections, links };
  if (first) summary.first = { start: first.start, end: first.startLine === first.endLine ? first.end : first.start };
  return summary;
}

/** The links of one paragraph's text, read directly when that is exact, else by remark on the paragraph alone. */
function readLinks(text: string, start: number, end: number, into: BodyLink[], snippet: (text: string) => Root): boolean {
  const source = text.slice(start, end);
  let opens = source.indexOf('](');
  if (opens === -1) return true; // an inline link or image needs `](`; autolinks always carry a scheme
  if (!INLINE_SPECIAL.test(source)) {
    const found: BodyLink[] = [];
    let count = 0;
    while (opens !== -1) {
      count++;
      opens = source.indexOf('](', opens + 2);
    }
    SIMPLE_LINK.lastIndex = 0;
    let matched = 0;
    for (let m = SIMPLE_LINK.exec(source); m; m = SIMPLE_LINK.exec(source)) {
      matched++;
      if (!NOT_RELATIVE.test(m[2]!)) found.push({ url: m[2]!, start: start + m.index, end: start + m.index + m[0].length });
    }
    // Every `](` accounted for by a simple link: nothing else can be a link.
    if (matched === count) {
      for (const link of found) into.push(link);
      return true;
    }
  }
  const root = snippet(source);
  if (root.children.length !== 1 || root.children[0]!.type !== 'paragraph') return false;
  collectLinks(root, into, start);
  return true;
}
