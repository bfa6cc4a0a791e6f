// A body parsed in pieces (planPieces + parseInPieces, how lint keeps remark
// fast on long bodies) gives exactly remark's tree of the whole text,
// positions included. Checked on every Markdown file of the repository, and
// on seeded bodies made of the blocks that can run past a blank line (lists,
// quotes, fenced code, HTML blocks, indented code, lazy lines, link
// definitions), cut at every point the plan allows.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Root } from 'mdast';
import { Rng } from '../../bench/generate.js';
import { scanFrontmatter } from '../../src/spec/frontmatter.js';
import { parseInPieces, parseMarkdown, planPieces } from '../../src/spec/markdown.js';
import { ROOT } from '../helpers.js';

/** The tree as JSON, children of the root only (the root's own end is not compared). */
const shape = (root: Root) => JSON.stringify(root.children);

function check(raw: string, target = 1): number {
  // As parseSpecText gives it: without a BOM.
  const text = raw.replace(/^\ufeff/, '');
  const scan = scanFrontmatter(text);
  const from = scan.kind === 'block' ? scan.block.end : 0;
  const { cuts } = planPieces(text, from, target);
  const whole = shape(parseMarkdown(text));
  const pieces = shape(parseInPieces(text, cuts));
  assert.ok(whole === pieces, `pieces differ from the whole (cuts at ${cuts.join(', ')}):\n${text}`);
  return cuts.length;
}

/** The repository's own Markdown files, as git tracks them: not what a benchmark generated beside them (bench/out). */
function markdownFiles(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--', '*.md'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  return listed.map((name) => join(root, name)).filter((path) => existsSync(path) && statSync(path).size < 200_000);
}

test('every Markdown file of the repository: the same tree in pieces', () => {
  let cut = 0;
  const files = markdownFiles(ROOT);
  assert.ok(files.length > 50);
  for (const file of files) cut += check(readFileSync(file, 'utf8')) > 0 ? 1 : 0;
  assert.ok(cut > 20, `most files are cut somewhere (${cut} of ${files.length})`);
});

const BLOCKS = [
  'A paragraph\nrunning over two lines.',
  '## A heading',
  '- a list\n- of two',
  '- a loose list\n\n- with a gap\n\n  and a second paragraph',
  '1. ordered\n2. list',
  '> a quote\nwith a lazy line',
  '> a quote\n>\n> of two paragraphs',
  '```\ncode\n\n# not a heading\n```',
  '~~~\nunclosed fence',
  '    indented code\n\n    after a gap',
  '<div>\nhtml block\n</div>',
  '<!--\ncomment\n\nstill comment\n-->',
  '<pre>\npre\n\nstill pre\n</pre>',
  '<script>\nx\n\n</script>',
  '[ref]: ./a.md',
  'See [ref] and [x][ref] and [y](./b.md).',
  'Setext\n===',
  '***',
  '---',
  '* star item\n\n  continued',
  '+ plus',
  '\tA tab-led line',
  '  two spaces',
  '<?php\n\n?>',
  '- [ ] task\n  - nested',
];

test('seeded bodies: the same tree in pieces, cut wherever the plan allows', () => {
  const rng = new Rng(2024);
  let cuts = 0;
  for (let n = 0; n < 600; n++) {
    const count = rng.range(2, 14);
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(rng.pick(BLOCKS));
    const sep = () => rng.pick(['\n\n', '\n\n', '\n', '\n\n\n', '\r\n\r\n']);
    let body = parts[0]!;
    for (let i = 1; i < parts.length; i++) body += sep() + parts[i];
    const front = rng.chance(0.8) ? '---\nid: a\ntitle: A\n---\n' : '';
    cuts += check(`${front}${body}\n`);
  }
  assert.ok(cuts > 1000, `the bodies were cut (${cuts} cuts)`);
});
