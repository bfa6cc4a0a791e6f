// quickBody (the fast scanner) against summariseTree(parseMarkdown(text))
// (remark, the reference). The contract: for every text with a frontmatter
// block, quickBody is either undefined ("I cannot be exact here") or
// deep-equal to the reference. Checked on generated bodies built to hit
// CommonMark's corners, on every Markdown file of the repo's fixtures and
// specs, on the benchmark corpus, and on hand-written bodies whose summary
// is written out by hand.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { test } from 'node:test';
import type { Root } from 'mdast';
import { generate, Rng } from '../../bench/generate.js';
import { quickBody, summariseTree, type BodySummary } from '../../src/spec/body.js';
import { scanFrontmatter } from '../../src/spec/frontmatter.js';
import { parseMarkdown } from '../../src/spec/markdown.js';
import { tempDir } from '../helpers.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

// ---------------------------------------------------------------------------
// The differential check

interface Outcome {
  /** quickBody's answer (undefined: it fell back), or the error it threw. */
  quick: BodySummary | undefined;
  threw?: unknown;
  /** Paragraphs quickBody handed to remark alone. */
  snippets: number;
  /** remark's summary, computed only when quickBody answered. */
  reference?: BodySummary;
  /** quickBody answered and the answer differs from remark's (or it threw). */
  mismatch: boolean;
}

let snippetCalls = 0;
const snippet = (source: string): Root => {
  snippetCalls++;
  return parseMarkdown(source);
};

function bodyStartOf(text: string): number | undefined {
  const scan = scanFrontmatter(text);
  return scan.kind === 'block' ? scan.block.end : undefined;
}

function compare(text: string): Outcome | undefined {
  const start = bodyStartOf(text);
  if (start === undefined) return undefined;
  let quick: BodySummary | undefined;
  const before = snippetCalls;
  try {
    quick = quickBody(text, start, snippet);
  } catch (threw) {
    return { quick: undefined, threw, snippets: snippetCalls - before, mismatch: true };
  }
  const snippets = snippetCalls - before;
  if (quick === undefined) return { quick, snippets, mismatch: false };
  const reference = summariseTree(parseMarkdown(text));
  return { quick, snippets, reference, mismatch: !isDeepStrictEqual(quick, reference) };
}

const mismatches = (text: string): boolean => compare(text)?.mismatch ?? false;

/** Drops body lines, then words, while the text still shows a mismatch: a small text to paste into a report. */
function shrink(text: string): string {
  const start = bodyStartOf(text)!;
  const eol = /^(?:\r\n|\r|\n)?/.exec(text.slice(start))![0];
  const head = text.slice(0, start + eol.length);
  let units: string[] = [...(text.slice(start + eol.length).match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [])];
  const build = (us: string[]) => head + us.join('');
  for (let changed = true, rounds = 0; changed && rounds < 20; rounds++) {
    changed = false;
    for (let i = units.length - 1; i >= 0; i--) {
      const fewer = [...units.slice(0, i), ...units.slice(i + 1)];
      if (mismatches(build(fewer))) {
        units = fewer;
        changed = true;
      }
    }
    for (let i = 0; i < units.length; i++) {
      const words = units[i]!.split(' ');
      for (let w = words.length - 1; w >= 0 && words.length > 1; w--) {
        const shorter = [...words.slice(0, w), ...words.slice(w + 1)];
        const candidate = [...units.slice(0, i), shorter.join(' '), ...units.slice(i + 1)];
        if (mismatches(build(candidate))) {
          words.splice(w, 1);
          units = candidate;
          changed = true;
        }
      }
    }
  }
  return build(units);
}

/** JSON, with the characters JSON leaves raw but a terminal hides (DEL, C1 controls, odd blanks) escaped too. */
function show(value: unknown): string {
  return (JSON.stringify(value) ?? 'undefined').replace(/[\x7f-\x9f\u00a0\u2000-\u200f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function describe(label: string, text: string): string {
  const outcome = compare(text)!;
  const small = shrink(text);
  const smallOutcome = compare(small)!;
  const lines = [`${label}: ${show(text)}`, `  minimal text: ${show(small)}`];
  if (smallOutcome.threw !== undefined) lines.push(`  quickBody threw: ${String(smallOutcome.threw)}`);
  else {
    lines.push(`  quickBody: ${show(smallOutcome.quick)}`);
    lines.push(`  remark:    ${show(smallOutcome.reference)}`);
  }
  if (outcome.threw !== undefined && small !== text) lines.push(`  (on the full text quickBody threw: ${String(outcome.threw)})`);
  return lines.join('\n');
}

/** Which parts of the summary differ: failures are grouped by it, so one kind of mismatch does not hide another. */
function kindOf(text: string): string {
  const outcome = compare(text)!;
  if (outcome.threw !== undefined) return 'threw';
  const keys = ['first', 'sections', 'links'] as const;
  return keys.filter((k) => !isDeepStrictEqual(outcome.quick![k], outcome.reference![k])).join('+');
}

/** The shortest failing text of each kind (then the next shortest), shrunk, with both summaries. */
function reportMismatches(failures: { label: string; text: string }[], limit = 6): string {
  const sorted = [...failures].sort((a, b) => a.text.length - b.text.length);
  const kinds = new Map<string, number>();
  for (const f of sorted) kinds.set(kindOf(f.text), (kinds.get(kindOf(f.text)) ?? 0) + 1);
  const seen = new Set<string>();
  const shown = sorted.filter((f) => !seen.has(kindOf(f.text)) && seen.add(kindOf(f.text)));
  for (const f of sorted) if (shown.length < limit && !shown.includes(f)) shown.push(f);
  const summary = [...kinds].map(([kind, n]) => `${n} differ in ${kind}`).join(', ');
  return `${failures.length} text(s) where quickBody answered and disagrees with remark (${summary}):\n${shown.slice(0, limit).map((f) => describe(f.label, f.text)).join('\n')}`;
}

// ---------------------------------------------------------------------------
// A seeded generator of spec texts

/** The benchmark's seeded PRNG, so a failing case is reproduced from its seed; plus the knobs of this generator. */
class Gen extends Rng {
  /** The chance that any one decision takes an unusual turn: 0 writes plain specs only. */
  wild = 0;
  /** An unusual turn, with the document's wildness (scaled). */
  odd(scale = 1): boolean {
    return this.next() < this.wild * scale;
  }
  spaces(lo: number, hi: number): string {
    return ' '.repeat(this.range(lo, hi));
  }
}

const WORDS = [
  'the', 'store', 'keeps', 'one', 'session', 'token', 'per', 'user', 'and', 'checks', 'it', 'on', 'each', 'request',
  'cache', 'queue', 'API', 'v2', 'naïve', 'café', '中文', 'x', 'a.b', 'e.g.', '(see', 'below)', 'C#', '100%', 'x|y',
  "it's", '"q"', 'key:', 'snake_case', '2+2', 'wait!', '[x]', '[ ]', 'a-b', 'end.', 'why?', '{json}', '@user', '$5',
];
const TITLES = ['Goal', 'Acceptance criteria', 'Notes', 'Out of scope', 'Interfaces', 'Context', 'Design', 'Open questions', 'Steps'];
const RELATIVE = ['b.md', './docs/x.md', '../up.md', 'img/x.png', 'a/b/c.md#frag', 'x.md?q=1', 'é.md', '', 'notes.txt', 'dir/', 'a_b.md', 'a*b.md', 'ref', 'x.md:3'];
const ABSOLUTE = ['https://e.x', 'http://e.x/a.md', '/root.md', '#frag', 'mailto:a@b.c', 'HTTPS://E.X/b', '//cdn.x/a.png', 'ftp://x', 'spec:x.md', 'C:/x.md'];

const word = (g: Gen) => g.pick(WORDS);
const words = (g: Gen, lo = 1, hi = 3) => Array.from({ length: g.range(lo, hi) }, () => word(g)).join(' ');
const url = (g: Gen) => (g.chance(0.65) ? g.pick(RELATIVE) : g.pick(ABSOLUTE));
const plainLink = (g: Gen) => `${g.chance(0.2) ? '!' : ''}[${words(g)}](${url(g)})`;

/** Inline fragments at CommonMark's corners; some hold a line ending. */
const WILD_INLINE: ((g: Gen) => string)[] = [
  (g) => `[${words(g)}](${url(g)} "title")`,
  (g) => `[${words(g)}](${url(g)} 'title')`,
  (g) => `[${words(g)}](${url(g)} (title))`,
  (g) => `[${words(g)}](<${url(g)} x.md>)`,
  (g) => `[${words(g)}](<>)`,
  (g) => `[${words(g)}](<${url(g)}>)`,
  () => '[t](a(b)c.md)',
  () => '[t](a(b(c))d.md)',
  () => '[t](a\\)b.md)',
  () => '[t](a(b.md)',
  (g) => `[a [b] c](${url(g)})`,
  (g) => `[a [b](${url(g)}) c](${url(g)})`,
  (g) => `[[a](${url(g)})](${url(g)})`,
  (g) => `![i [x](${url(g)})](${url(g)})`,
  (g) => `[![i](${url(g)})](${url(g)})`,
  () => '<https://x.y/a.md>',
  () => '<a@b.c>',
  () => '<./rel.md>',
  () => '<x.md>',
  () => '`[a](b.md)`',
  () => '``a`[x](y.md)``',
  () => '`unclosed [a](b.md)',
  (g) => `\`a\` [b](${url(g)}) \`d\``,
  () => '\\[not](x.md)',
  () => '[a\\](b.md)',
  () => '[a](b\\_c.md)',
  () => '\\![i](x.png)',
  () => '[a](b.md\\)',
  () => '[a](b&amp;c.md)',
  () => '[a](&#x61;.md)',
  () => '&amp;',
  (g) => `&copy; [a](${url(g)})`,
  () => '[a&amp;b](c.md)',
  () => '[a](b%20c.md)',
  () => '[a](b\u00a0c.md)',
  () => '[a](b\x7fc.md)',
  () => '[a\x7f](b.md)',
  () => '[a](b\u0085c.md)',
  () => '[a](b\u2028c.md)',
  () => '[x][ref]',
  () => '[ref]',
  () => '[x][]',
  () => '[ref][]',
  () => '[Ref]',
  (g) => `[a]( ${url(g)} )`,
  (g) => `[a] (${url(g)})`,
  (g) => `[a](${url(g)}\n)`,
  (g) => `[a\n${word(g)}](${url(g)})`,
  (g) => `[a](\n${url(g)})`,
  (g) => `[a](${url(g)}\n"t")`,
  (g) => `*[a](${url(g)})*`,
  (g) => `**[a](${url(g)})**`,
  (g) => `_[a](${url(g)})_`,
  () => '*a [b](c* d.md)',
  (g) => `<span>[a](${url(g)})</span>`,
  () => '<a href="x.md">y</a>',
  () => '<!-- [a](u.md) -->',
  (g) => `[a](${url(g)})(${url(g)})`,
  (g) => `[a](${url(g)})[b](${url(g)})`,
  (g) => `[a]](${url(g)})`,
  (g) => `[[a]](${url(g)})`,
  (g) => `[a](${url(g)}))`,
  (g) => `[a]((${url(g)})`,
  (g) => `![](${url(g)})`,
  (g) => `[](${url(g)})`,
  (g) => `[x][a](${url(g)})`,
  () => 'note]: x',
  () => 'a]:b',
  () => '~~strike~~',
  () => '| cell |',
  () => 'a\\',
  () => 'hard  \nbreak',
  () => '\u00a0',
];

/** What may open a line of a paragraph: block starters CommonMark reads in place of paragraph text. */
const LINE_STARTS = [
  '1. ', '2) ', '10. ', '1234567890. ', '0. ', '1.', '*', '_', '`', '~~~ ', '```', '+', '-', '=', '#5 ', '<span>', '<div>', '\\# ',
  '&#35; ', '* ', '- ', '+ ', '> ', '#', '# ', '   ', '\t', '    ', '***', '---', '===', '-- ', '***\n', '=\n', '-\n', '~',
];

function inlineLine(g: Gen): string {
  const n = g.range(2, 8);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (g.odd(0.4)) out.push(g.pick(WILD_INLINE)(g));
    else if (g.chance(0.18)) out.push(plainLink(g));
    else out.push(word(g));
  }
  return out.join(g.odd(0.1) ? g.pick(['  ', '\t', '']) : ' ');
}

function paragraph(g: Gen): string[] {
  const out: string[] = [];
  const n = g.range(1, 3);
  for (let i = 0; i < n; i++) {
    const start = g.odd(0.3) ? g.pick(LINE_STARTS) : '';
    const indent = g.odd(i > 0 ? 0.5 : 0.15) ? g.pick(['  ', ' ', '   ', '    ', '      ', '\t', ' \t']) : '';
    out.push(indent + start + inlineLine(g));
  }
  return out;
}

function wildTitle(g: Gen): string {
  const parts = ['*a*', '_b_', '`c`', '[d](e.md)', '&amp;', '\\#', 'a\\', 'C#', '#tag', '<b>x</b>', '![i](x.png)', 'a  b', 'a\tb', 'x*', 'snake_case', '[x]', '\u00a0nb', 'em\u2003', '&#35;', 'a #b', '<https://x>'];
  const out = [g.chance(0.5) ? g.pick(TITLES) : word(g)];
  for (let i = g.range(1, 2); i > 0; i--) out.splice(g.int(out.length + 1), 0, g.pick(parts));
  return out.join(' ');
}

function heading(g: Gen): string[] {
  const depth = g.odd() ? g.range(1, 7) : g.pick([1, 2, 2, 2, 3]);
  if (g.odd(0.15)) return [g.pick(['#', '##', '## #', '#'.repeat(depth) + g.pick(['', ' #', ' ##'])])];
  const indent = g.odd(0.4) ? g.spaces(1, 4) : '';
  const gap = g.odd() ? g.pick(['', '  ', '\t', ' \t', '   ']) : ' ';
  const title = g.odd() ? wildTitle(g) : g.chance(0.6) ? g.pick(TITLES) : words(g, 1, 4);
  const close = g.odd(0.5) ? g.pick([' #', ' ##', '#', ' \\#', ' # x', ' ######', '\t#', ' #\t']) : '';
  return [indent + '#'.repeat(depth) + gap + title + close];
}

function setext(g: Gen): string[] {
  return [...paragraph(g), g.pick(['===', '---', '  ===', '= =', '--', '-', '=====', '   ---', '    ---', '- -', '==='])];
}

function thematic(g: Gen): string[] {
  return [g.pick(['***', '- - -', '___', '* * *', '_ _ _', '---', '  ***', '*\t*\t*', '-- -', '    ***', '_____', '+++'])];
}

function fence(g: Gen, indent = ''): string[] {
  const char = g.chance(0.75) ? '`' : '~';
  const size = g.odd(0.5) ? g.range(3, 6) : 3;
  const open = char.repeat(size);
  const info = g.odd(0.5) ? g.pick(['a`b', '`', ' ts', 'js title="x"', '~~~', '{.x}', 'x ~~~', '  ']) : g.pick(['', 'ts', 'sh', 'md', 'yaml', '']);
  const out = [indent + open + info];
  const bodyLines = ['const x = 1;', '# not a heading', '[x](y.md)', '- item', '', '[x]: y.md', '<div>', '    indented', '> quote', '## Goal', '![i](img.png)', '\tx'];
  const wildLines = ['  ```', '~~~', '````', '``` x', ' ```', '    ```', '~~~~', '```'];
  for (let i = g.range(0, 3); i > 0; i--) out.push(indent + (g.odd(0.3) ? g.pick(wildLines) : g.pick(bodyLines)));
  if (g.odd(0.5)) {
    const other = (char === '`' ? '~' : '`').repeat(size);
    const close = g.pick([char.repeat(size - 1), char.repeat(size + 1), ` ${open}`, `   ${open}`, `    ${open}`, `${open} x`, other, `${open}x`, null, null]);
    if (close !== null) out.push(indent + close);
  } else out.push(indent + open);
  return out;
}

function itemText(g: Gen): string {
  if (g.odd(0.25)) return g.pick(['', '# h', '> q', '```', '- nested', '* nested', '1. x', '***', '[ ]', '    code', '<div>', '[r]: x.md', '---', '=', '~~~', '\tx']);
  const r = g.int(4);
  if (r === 0) return `[ ] ${words(g, 2, 5)}`;
  if (r === 1) return `[x] ${inlineLine(g)}`;
  return inlineLine(g);
}

function list(g: Gen): string[] {
  const out: string[] = [];
  const markers = ['-', '*', '+', '1.', '2)', '10.', '1)'];
  const base = g.odd(0.5) ? g.pick(markers) : g.pick(['-', '-', '*', '+']);
  const cols: number[] = [];
  for (let i = g.range(1, 5); i > 0; i--) {
    let indent = 0;
    if (cols.length > 0 && g.chance(0.4)) indent = Math.max(0, cols[g.int(cols.length)]! + (g.odd() ? g.range(-1, 5) : 0));
    else if (g.odd(0.5)) indent = g.range(1, 7);
    const marker = g.odd(0.3) ? g.pick(markers) : base;
    const gap = g.odd(0.4) ? g.pick(['  ', '\t', '    ', '     ', '   ']) : ' ';
    const content = itemText(g);
    const lead = g.odd(0.1) ? g.pick(['\t', ' \t', '  \t', '\t\t']) : ' '.repeat(indent);
    out.push(lead + marker + (content === '' ? '' : gap + content));
    const col = indent + marker.length + (gap === '\t' ? 2 : gap.length);
    while (cols.length > 0 && cols[cols.length - 1]! > indent) cols.pop();
    cols.push(col);
    // continuation lines: lazy, at the content column, or anywhere
    for (let c = g.chance(0.3) ? g.range(1, 2) : 0; c > 0; c--) {
      const at = g.odd() ? g.range(0, 6) : g.pick([0, col, col]);
      out.push(' '.repeat(at) + inlineLine(g));
    }
    if (g.chance(0.25)) {
      out.push('');
      if (g.chance(0.4)) out.push(' '.repeat(g.odd() ? g.range(0, 7) : col) + inlineLine(g));
      if (g.odd(0.3)) out.push(...fence(g, ' '.repeat(col)));
    }
    if (g.odd(0.2)) out.push('');
  }
  return out;
}

function indentedCode(g: Gen): string[] {
  const out = ['', g.pick(['    code', '\tcode', '     [x](y.md)', '    ## not'])];
  if (g.chance(0.5)) out.push(g.pick(['    more', '', '      deeper']));
  return out;
}

function quote(g: Gen): string[] {
  return g.pick([
    () => [`> ${inlineLine(g)}`],
    () => [`>${inlineLine(g)}`],
    () => ['> - a', '> - b'],
    () => ['> # h'],
    () => [`> ${inlineLine(g)}`, inlineLine(g)],
    () => ['   > q', `> [a](${url(g)})`],
  ])();
}

function html(g: Gen): string[] {
  return g.pick([
    ['<div>'],
    ['<div>', '[a](b.md)', '</div>'],
    ['<!-- comment -->'],
    ['<!--', 'multi [a](b.md)', '-->'],
    ['<!-- c --> trailing'],
    ['<details>', '<summary>x</summary>', '', '[a](b.md)', '', '</details>'],
    ['<span>x</span> y [a](b.md)'],
    ['<br/>'],
    ['</div>'],
    ['<?php x ?>'],
    ['<![CDATA[x]]>'],
    ['<!DOCTYPE html>'],
    ['  <div>', 'x'],
    ['<a href="x.md">', 'y</a>'],
  ]);
}

function definition(g: Gen): string[] {
  return g.pick([
    ['[ref]: ref.md'],
    ['[Ref]: <a b.md> "t"'],
    ['[ref]:', '  https://x'],
    ["[ref]: ref.md 't'"],
    ['   [ref]: x.md'],
    ['[a', 'b]: c.md'],
    ['[ref]: /abs.md'],
    [`[ref]: ${url(g) || 'x.md'}`],
  ]);
}

function table(g: Gen): string[] {
  return ['| a | b |', '|---|---|', `| [x](${url(g)}) | 1 |`];
}

/** The skeleton of a real spec, plain. */
function skeleton(g: Gen): string[] {
  const out = [`# ${words(g, 1, 4)}`, '', '## Goal', '', ...paragraph(g), '', '## Acceptance criteria', ''];
  for (let i = g.range(1, 4); i > 0; i--) out.push(`- [ ] ${inlineLine(g)}`);
  out.push('', '## Notes', '', `See ${plainLink(g)} and ${plainLink(g)}.`);
  return out;
}

const PLAIN_BLOCKS: [number, (g: Gen) => string[]][] = [
  [3, heading],
  [4, paragraph],
  [3, list],
  [1, (g) => fence(g)],
];
const WILD_BLOCKS: [number, (g: Gen) => string[]][] = [
  ...PLAIN_BLOCKS,
  [1, setext],
  [1, thematic],
  [1, indentedCode],
  [1, quote],
  [1, html],
  [0.5, definition],
  [0.5, table],
];

function weighted<T>(g: Gen, options: [number, T][]): T {
  let r = g.int(1000) / 1000 * options.reduce((sum, [w]) => sum + w, 0);
  for (const [w, x] of options) if ((r -= w) < 0) return x;
  return options[options.length - 1]![1];
}

/** A whole spec text: a frontmatter block, then a random body. */
function specFor(seed: number): string {
  const g = new Gen(seed);
  g.wild = g.pick([0, 0, 0, 0.03, 0.1, 0.3, 0.3, 0.7]);
  const lines: string[] = [];
  if (g.chance(0.3)) lines.push('');
  if (g.chance(0.2)) lines.push(...skeleton(g), '');
  for (let b = g.pick([0, 1, 1, 2, 2, 3, 4, 6, 8]); b > 0; b--) {
    lines.push(...weighted(g, g.odd() ? WILD_BLOCKS : PLAIN_BLOCKS)(g));
    if (g.chance(0.8)) lines.push('');
    else if (g.chance(0.3)) lines.push('', '');
  }
  const split = lines.flatMap((l) => l.split('\n'));
  for (let i = 0; i < split.length; i++) if (g.odd(0.04)) split[i] += g.pick([' ', '  ', '\t']);
  if (g.odd(0.1) && split.length > 0) {
    const i = g.int(split.length);
    const at = g.int(split[i]!.length + 1);
    split[i] = split[i]!.slice(0, at) + g.pick(['\x01', '\f', '\v', '\0', '\x1b', '\x7f']) + split[i]!.slice(at);
  }
  const style = g.chance(0.7) ? '\n' : g.pick(['\r\n', '\r', 'mixed']);
  const eol = () => (style === 'mixed' ? g.pick(['\n', '\r\n', '\r']) : style);
  const head = `---${eol()}id: a${eol()}---${g.odd(0.1) ? ' ' : ''}`;
  let body = '';
  for (let i = 0; i < split.length; i++) body += (i === 0 ? '' : eol()) + split[i];
  if (split.length === 0) return g.chance(0.5) ? head : head + eol();
  return head + eol() + body + (g.chance(0.85) ? eol() : '');
}

// ---------------------------------------------------------------------------
// Generated bodies

// SPECDAG_BODY_CASES and SPECDAG_BODY_SEED run a longer or another search by hand.
const CASES = Number(process.env.SPECDAG_BODY_CASES) || 4000;
const BASE_SEED = Number(process.env.SPECDAG_BODY_SEED) || 0x5bd1e995;
const seedOf = (i: number) => (Math.imul(BASE_SEED ^ i, 0x9e3779b1) + i) >>> 0;

interface PropertyRun {
  fast: number;
  fellBack: number;
  snippets: number;
  failures: { label: string; text: string }[];
}
let propertyRun: PropertyRun | undefined;

function runProperty(): PropertyRun {
  if (propertyRun) return propertyRun;
  const run: PropertyRun = { fast: 0, fellBack: 0, snippets: 0, failures: [] };
  for (let i = 0; i < CASES; i++) {
    const seed = seedOf(i);
    const text = specFor(seed);
    const outcome = compare(text);
    assert.ok(outcome, `case ${i} (seed ${seed}): the generator wrote no frontmatter block: ${JSON.stringify(text)}`);
    if (outcome.quick === undefined && outcome.threw === undefined) run.fellBack++;
    else {
      run.fast++;
      run.snippets += outcome.snippets;
    }
    if (outcome.mismatch) run.failures.push({ label: `case ${i} (seed ${seed}, specFor(${seed}))`, text });
  }
  return (propertyRun = run);
}

test('generated bodies: whenever quickBody answers, it equals remark', (t) => {
  const run = runProperty();
  t.diagnostic(`${CASES} generated texts: ${run.fast} took the fast path (${run.snippets} paragraphs handed to remark alone), ${run.fellBack} fell back, ${run.failures.length} mismatched`);
  if (run.failures.length > 0) assert.fail(reportMismatches(run.failures));
});

test('generated bodies: the generator exercises both the fast path and the fallback', (t) => {
  const run = runProperty();
  t.diagnostic(`fast path ${run.fast} / fell back ${run.fellBack}`);
  assert.ok(run.fast >= CASES * 0.3, `only ${run.fast} of ${CASES} generated texts took the fast path`);
  assert.ok(run.fellBack >= CASES * 0.1, `only ${run.fellBack} of ${CASES} generated texts fell back`);
});

test('the generator is deterministic: one seed, one text', () => {
  assert.equal(specFor(seedOf(7)), specFor(seedOf(7)));
  assert.notEqual(specFor(seedOf(7)), specFor(seedOf(8)));
});

// ---------------------------------------------------------------------------
// Corpora

function* markdownFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* markdownFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.md')) yield path;
  }
}

function readSpec(path: string): string {
  const text = readFileSync(path, 'utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function checkCorpus(dirs: string[]): { files: number; fast: number; fellBack: number; noBlock: number; fastFiles: Set<string>; failures: { label: string; text: string }[] } {
  const result = { files: 0, fast: 0, fellBack: 0, noBlock: 0, fastFiles: new Set<string>(), failures: [] as { label: string; text: string }[] };
  for (const dir of dirs) {
    for (const path of markdownFiles(dir)) {
      result.files++;
      const text = readSpec(path);
      const outcome = compare(text);
      if (!outcome) {
        result.noBlock++;
        continue;
      }
      if (outcome.quick === undefined && outcome.threw === undefined) result.fellBack++;
      else {
        result.fast++;
        result.fastFiles.add(path);
      }
      if (outcome.mismatch) result.failures.push({ label: path, text });
    }
  }
  return result;
}

test('every Markdown file under test/fixtures/ and specs/: quickBody is undefined or equals remark', (t) => {
  const run = checkCorpus([join(repoRoot, 'test', 'fixtures'), join(repoRoot, 'specs')]);
  t.diagnostic(`${run.files} files: ${run.fast} fast path, ${run.fellBack} fell back, ${run.noBlock} without a frontmatter block`);
  assert.ok(run.files >= 100, `expected the fixtures and specs, found ${run.files} Markdown files`);
  assert.ok(run.fast > 0, 'no fixture took the fast path');
  if (run.failures.length > 0) assert.fail(reportMismatches(run.failures));
});

test('the benchmark corpus: every file takes the fast path and equals remark', (t) => {
  const out = join(tempDir('specdag-body-bench-'), 'corpus');
  generate({ n: 300, seed: 1, defects: 11, out });
  const run = checkCorpus([out]);
  t.diagnostic(`${run.files} benchmark files: ${run.fast} fast path, ${run.fellBack} fell back`);
  assert.ok(run.files >= 300, `expected 300 specs, found ${run.files}`);
  assert.equal(run.noBlock, 0, 'every benchmark file has a frontmatter block');
  if (run.failures.length > 0) assert.fail(reportMismatches(run.failures));
  const slow = [...markdownFiles(out)].filter((p) => !run.fastFiles.has(p));
  assert.deepEqual(slow, [], `benchmark files that fell back: ${slow.slice(0, 3).map((p) => JSON.stringify(readSpec(p))).join('\n')}`);
});

// ---------------------------------------------------------------------------
// Hand-written bodies, their summaries written out

const FM = '---\nid: a\n---\n';

/** Offsets of the `n`-th occurrence (from 0) of `needle`, checked to exist. */
function span(text: string, needle: string, n = 0): { start: number; end: number } {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `${JSON.stringify(needle)} (#${n}) is in the text`);
  }
  return { start: at, end: at + needle.length };
}

function section(text: string, heading: string, title: string, says: boolean, hasListItem: boolean) {
  return { title, ...span(text, heading), says, hasListItem };
}

function link(text: string, source: string, url: string, n = 0) {
  return { url, ...span(text, source, n) };
}

/** quickBody must answer (the body is plain) with exactly `expected`, and remark must agree. */
function assertFast(text: string, expected: BodySummary): void {
  const start = bodyStartOf(text);
  assert.ok(start !== undefined, 'the text has a frontmatter block');
  assert.deepEqual(summariseTree(parseMarkdown(text)), expected, 'remark gives the summary written out');
  assert.deepEqual(quickBody(text, start, snippet), expected, 'quickBody gives the summary written out');
}

function specBody(eol: string): string {
  return [
    '---', 'id: a', '---',
    '# Title', '',
    '## Goal', '', 'Ship the  thing.', '',
    '## Acceptance criteria', '', '- [ ] x', '',
    '## Notes', '', 'See [a](b.md) and ![i](img/x.png) and <https://e.x>, not [w](https://w.x).', '',
  ].join(eol);
}

function specSummary(text: string): BodySummary {
  return {
    first: span(text, '# Title'),
    sections: [
      section(text, '## Goal', 'Goal', true, false),
      section(text, '## Acceptance criteria', 'Acceptance criteria', true, true),
      section(text, '## Notes', 'Notes', true, false),
    ],
    links: [link(text, '[a](b.md)', 'b.md'), link(text, '![i](img/x.png)', 'img/x.png')],
  };
}

test('a typical spec: sections, offsets and relative links, exactly', () => {
  const text = specBody('\n');
  assertFast(text, specSummary(text));
});

test('the same spec with CRLF and with lone CR line endings', () => {
  for (const eol of ['\r\n', '\r']) {
    const text = specBody(eol);
    assertFast(text, specSummary(text));
  }
});

test('a section says nothing when only headings follow it; `#` ends a section; deeper headings do not', () => {
  const text = `${FM}\n## Empty\n\n### Sub\n\n## Listed\n\n### Deeper\n\n* one\n* two\n\n# Top\n\nUnder the top heading.\n\n##   Spaced    out   title\n`;
  assertFast(text, {
    first: span(text, '## Empty'),
    sections: [
      section(text, '## Empty', 'Empty', false, false),
      section(text, '## Listed', 'Listed', true, true),
      section(text, '##   Spaced    out   title', 'Spaced out title', false, false),
    ],
    links: [],
  });
});

test('a multi-line first block starts and ends at its start; a paragraph continues lazily', () => {
  const text = `${FM}First line\nsecond line with [l](l.md)\n\n## S\n+ item\nlazy [m](m.md)\n`;
  assertFast(text, {
    first: { start: span(text, 'First line').start, end: span(text, 'First line').start },
    sections: [section(text, '## S', 'S', true, true)],
    links: [link(text, '[l](l.md)', 'l.md'), link(text, '[m](m.md)', 'm.md')],
  });
});

test('nested list items and links in them; absolute, root-relative and fragment URLs are left out', () => {
  const text = `${FM}## Steps\n\n- one [a](one.md)\n  - two [h](https://x.y)\n    [b](../two.md#x) [r](/root.md) [f](#frag)\n- three ![](pic.png)\n`;
  assertFast(text, {
    first: span(text, '## Steps'),
    sections: [section(text, '## Steps', 'Steps', true, true)],
    links: [link(text, '[a](one.md)', 'one.md'), link(text, '[b](../two.md#x)', '../two.md#x'), link(text, '![](pic.png)', 'pic.png')],
  });
});

test('fenced code hides headings, links and definitions, and says something', () => {
  const text = `${FM}## A\n\n\`\`\`md\n## Not a section\n[x](y.md)\n[d]: d.md\n\`\`\`\n\n~~~\nstill [code](c.md)\n~~~\n`;
  assertFast(text, {
    first: span(text, '## A'),
    sections: [section(text, '## A', 'A', true, false)],
    links: [],
  });
});

test('code spans and angle brackets: the paragraph is read by remark alone, still exactly', () => {
  const text = `${FM}See \`[no](x.md)\` but [yes](y.md) and [<z>](<z.md>).\n`;
  const first = span(text, 'See');
  assertFast(text, {
    first: { start: first.start, end: text.length - 1 },
    sections: [],
    links: [link(text, '[yes](y.md)', 'y.md'), link(text, '[<z>](<z.md>)', 'z.md')],
  });
});

test('an empty body: no first block, no sections, no links', () => {
  for (const text of [`${FM}`, '---\nid: a\n---', `${FM}\n\n`]) assertFast(text, { sections: [], links: [] });
});

test('what quickBody does not read: it falls back', () => {
  const cases: [string, string][] = [
    ['a link definition', '## A\n\nSee [x].\n\n[x]: y.md\n'],
    ['indented code', '## A\n\nText.\n\n    code [x](y.md)\n'],
    ['an HTML block', '## A\n\n<div>\n[x](y.md)\n</div>\n'],
    ['an HTML comment block', '## A\n\n<!-- nothing here -->\n'],
    ['a setext heading (=)', 'Title\n=====\n\nText.\n'],
    ['a setext heading (-)', 'Title\n---\n\nText.\n'],
    ['a block quote', '## A\n\n> quoted [x](y.md)\n'],
    ['an ordered list', '## A\n\n1. one\n2. two\n'],
    ['trailing blanks', '## A  \n\nText.\n'],
    ['a control character', '## A\n\nText\f.\n'],
  ];
  for (const [what, body] of cases) {
    const text = FM + body;
    assert.equal(quickBody(text, bodyStartOf(text)!, snippet), undefined, `${what}: ${JSON.stringify(text)}`);
  }
});

// ---------------------------------------------------------------------------
// Texts that disagreed once (minimal repros): quickBody undefined or equal to remark

const REGRESSIONS: [string, string][] = [
  // A first block indented 1-3 spaces: remark's node starts after the indentation, not at the line start.
  ['an indented first paragraph', `${FM} foo\n`],
  ['an indented first list', `${FM}  - a\n`],
  ['an indented multi-line first paragraph', `${FM}   foo\nbar\n`],
  // An unclosed fence as the first block, on the last line, with a final line ending:
  // remark's code node ends past that line ending (on the next line), so `first.end` is its start.
  ['an unclosed fence, last line, LF', `${FM}\`\`\`\n`],
  ['an unclosed fence with info, last line, LF', `${FM}~~~ x\n`],
  ['an unclosed fence, last line, CRLF', '---\r\nid: a\r\n---\r\n```js\r\n'],
  ['an unclosed fence, last line, CR', '---\rid: a\r---\r```\r'],
  // DEL (U+007F) is an ASCII control character: CommonMark allows none in a link destination.
  ['DEL in a link destination', `${FM}[t](u\x7f.md)\n`],
  ['DEL in a list item link', `${FM}- [t](u.md\x7f)\n`],
];

test('regressions: texts that once made quickBody disagree with remark', () => {
  const failures = REGRESSIONS.filter(([, text]) => mismatches(text)).map(([label, text]) => ({ label, text }));
  if (failures.length > 0) assert.fail(reportMismatches(failures, REGRESSIONS.length));
});
