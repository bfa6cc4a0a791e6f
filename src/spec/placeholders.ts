import type { Nodes } from 'mdast';
import type { ParsedFile } from './parse.js';
import { PLACEHOLDER_PHRASES } from './template.js';

export interface PlaceholderHit {
  kind: 'word' | 'phrase';
  /** As written in the file. */
  text: string;
  start: number;
  end: number;
}

/** TODO, TBD, FIXME (upper case) and ??? as words: not inside a longer word or a longer run of '?'. */
const WORD = /(?<![\p{L}\p{N}_])(?:TODO|TBD|FIXME)(?![\p{L}\p{N}_])|(?<![\p{L}\p{N}_?])\?{3,}(?![\p{L}\p{N}_?])/gu;
/** What every match of WORD holds: a body without it has no placeholder word. */
const CANDIDATE = /TODO|TBD|FIXME|\?\?\?/;
/** A `TODO:` (or `TBD -`) written just before a phrase belongs to it. */
const LEAD = /(?:TODO|TBD|FIXME)[ \t]*[:\-–—]?[ \t]*$/;

/**
 * Placeholder markers and scaffolded phrases in a spec's body, outside code
 * spans and code blocks, in file order. Only a body that holds a candidate
 * is parsed for its code, so clean specs cost one scan.
 */
export function findPlaceholders(parsed: ParsedFile): PlaceholderHit[] {
  if (parsed.scan.kind !== 'block') return [];
  const text = parsed.text;
  const from = parsed.scan.block.end;
  const body = text.slice(from);
  const lower = body.toLowerCase();
  const phrases: PlaceholderHit[] = [];
  for (const phrase of PLACEHOLDER_PHRASES) {
    for (let i = lower.indexOf(phrase); i !== -1; i = lower.indexOf(phrase, i + phrase.length)) {
      const lead = LEAD.exec(body.slice(Math.max(0, i - 12), i));
      const start = from + i - (lead ? lead[0].length : 0);
      const end = from + i + phrase.length;
      phrases.push({ kind: 'phrase', text: text.slice(start, end), start, end });
    }
  }
  phrases.sort((a, b) => a.start - b.start);
  const words: PlaceholderHit[] = [];
  WORD.lastIndex = 0;
  // The word pattern's look-behinds keep irregexp from skipping ahead to a candidate: a plain search first.
  for (let m = CANDIDATE.test(body) ? WORD.exec(body) : null; m; m = WORD.exec(body)) {
    const start = from + m.index;
    words.push({ kind: 'word', text: m[0], start, end: start + m[0].length });
  }
  // A word inside a phrase (the TODO of 'TODO: a first checkable criterion') is part of that finding.
  const hits = [...phrases, ...outside(words, phrases.map((p) => [p.start, p.end]))].sort((a, b) => a.start - b.start);
  if (hits.length === 0) return hits;
  return outside(hits, codeRanges(parsed.mdast().children as Nodes[]));
}

/** The hits (sorted by start) that overlap none of the ranges; both lists in order, so one pass. */
function outside(hits: PlaceholderHit[], ranges: [number, number][]): PlaceholderHit[] {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: PlaceholderHit[] = [];
  let k = 0;
  for (const hit of hits) {
    while (k < ranges.length && ranges[k]![1] <= hit.start) k++;
    let covered = false;
    for (let j = k; j < ranges.length && ranges[j]![0] < hit.end; j++) {
      if (ranges[j]![1] > hit.start) {
        covered = true;
        break;
      }
    }
    if (!covered) out.push(hit);
  }
  return out;
}

/** [start, end) of every code block and code span; iterative, since the input decides how deep the tree is. */
function codeRanges(roots: Nodes[]): [number, number][] {
  const out: [number, number][] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type === 'code' || node.type === 'inlineCode') {
      const pos = node.position;
      if (pos?.start.offset !== undefined && pos.end.offset !== undefined) out.push([pos.start.offset, pos.end.offset]);
    } else if ('children' in node) {
      for (const child of node.children as Nodes[]) stack.push(child);
    }
  }
  return out;
}
