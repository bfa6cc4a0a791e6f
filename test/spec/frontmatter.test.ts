// scanFrontmatter finds the frontmatter without parsing the Markdown body; the
// body is parsed later by remark-frontmatter. Both must agree on where the
// frontmatter ends, or a line would be read twice or not at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { scanFrontmatter } from '../../src/spec/frontmatter.js';

const remark = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']);

/** What remark-frontmatter says: the yaml node's value and end offset, or undefined when there is none. */
function remarkYaml(text: string): { value: string; end: number } | undefined {
  const tree = remark.parse(text) as Root;
  const first = tree.children[0];
  if (first?.type !== 'yaml') return undefined;
  const end = first.position?.end.offset;
  assert.ok(end !== undefined, 'the yaml node has a position');
  return { value: first.value, end };
}

const TRICKY: Record<string, string> = {
  'plain block': '---\nid: a\n---\nbody\n',
  'opening fence with trailing blanks': '---  \nid: a\n---\nbody\n',
  'opening fence with trailing tab and space': '--- \t\nid: a\n---\n',
  'closing fence with trailing blanks': '---\nid: a\n---  \nbody\n',
  'closing fence with trailing tab': '---\nid: a\n---\t \nbody\n',
  'four dashes open': '----\nid: a\n----\n',
  'four dashes close': '---\nid: a\n----\n',
  'four dashes, then a real close': '---\nid: a\n----\n---\n',
  'closing fence is the last line, no newline': '---\nid: a\n---',
  'CRLF everywhere': '---\r\nid: a\r\n---\r\nbody\r\n',
  'CRLF opening fence only': '---\r\nid: a\n---\n',
  'lone CR line endings': '---\rid: a\r---\rbody\r',
  'no closing fence': '---\nid: a\ntitle: T\n',
  'opening fence alone with newline': '---\n',
  'opening fence alone without newline': '---',
  'opening fence CRLF alone': '---\r\n',
  'closing fence followed by text on the same line': '---\nid: a\n--- text\nbody\n',
  'closing fence glued to text': '---\nid: a\n---text\n',
  'closing fence followed by text on the next line': '---\nid: a\n---\nText right after.\n',
  'empty body': '---\nid: a\n---\n',
  'empty frontmatter': '---\n---\n',
  'empty frontmatter without final newline': '---\n---',
  'frontmatter of one blank line': '---\n\n---\n',
  'empty file': '',
  'leading blank line': '\n---\nid: a\n---\n',
  'indented opening fence': ' ---\nid: a\n---\n',
  'indented dashes inside': '---\nid: a\n ---\n---\n',
  'dashes inside a block scalar': '---\na: |\n  ---\n---\n',
  'a second block after the first': '---\nid: a\n---\n---\nb: 1\n---\n',
  'YAML document end marker instead of a fence': '---\nid: a\n...\n',
  'text glued to the opening fence': '---x\nid: a\n---\n',
  'a thematic break later in the body': '---\nid: a\n---\n\n# T\n\n---\n\nmore\n',
};

for (const [name, text] of Object.entries(TRICKY)) {
  test(`scanFrontmatter agrees with remark-frontmatter: ${name}`, () => {
    const scan = scanFrontmatter(text);
    const yaml = remarkYaml(text);
    if (yaml === undefined) {
      assert.notEqual(scan.kind, 'block', `remark finds no frontmatter in ${JSON.stringify(text)}, the scanner found ${JSON.stringify(scan)}`);
      return;
    }
    assert.equal(scan.kind, 'block', `remark finds frontmatter in ${JSON.stringify(text)}, the scanner says ${JSON.stringify(scan)}`);
    if (scan.kind !== 'block') return;
    assert.equal(scan.block.end, yaml.end, 'end offset of the frontmatter');
    assert.equal(text.slice(scan.block.valueStart, scan.block.valueEnd), yaml.value, 'the YAML text between the fences');
  });
}

test('the tricky inputs cover both outcomes', () => {
  const outcomes = Object.values(TRICKY).map((t) => remarkYaml(t) !== undefined);
  assert.ok(outcomes.includes(true) && outcomes.includes(false));
});

test('a block: value offsets exclude both fences and their line endings', () => {
  const text = '---\nid: a\ntitle: T\n---\nbody\n';
  const scan = scanFrontmatter(text);
  assert.deepEqual(scan, { kind: 'block', block: { valueStart: 4, valueEnd: 18, end: 22 } });
});

test('CRLF: the YAML text holds no stray \\r at either end', () => {
  const text = '---\r\nid: a\r\n---\r\n';
  const scan = scanFrontmatter(text);
  assert.equal(scan.kind, 'block');
  if (scan.kind !== 'block') return;
  assert.equal(text.slice(scan.block.valueStart, scan.block.valueEnd), 'id: a');
  assert.equal(scan.block.end, text.length - 2);
});

test('empty frontmatter is a block with an empty value', () => {
  const scan = scanFrontmatter('---\n---\n');
  assert.deepEqual(scan, { kind: 'block', block: { valueStart: 4, valueEnd: 4, end: 7 } });
});

test('unterminated frontmatter: the opening fence ends at offset 3', () => {
  assert.deepEqual(scanFrontmatter('---\nid: a\ntitle: T\n'), { kind: 'unterminated', openEnd: 3 });
  assert.deepEqual(scanFrontmatter('---  \nid: a\n'), { kind: 'unterminated', openEnd: 5 });
});

test('frontmatter after blank lines is misplaced, with the offset of its fence', () => {
  assert.deepEqual(scanFrontmatter('\n---\nid: a\n---\n'), { kind: 'misplaced', fenceStart: 1 });
  assert.deepEqual(scanFrontmatter('\n  \n---\nid: a\n---\n'), { kind: 'misplaced', fenceStart: 4 });
  assert.deepEqual(scanFrontmatter('\r\n---\r\nid: a\r\n---\r\n'), { kind: 'misplaced', fenceStart: 2 });
});

test('text without a fence is missing frontmatter', () => {
  assert.deepEqual(scanFrontmatter('# Title\n\nbody\n'), { kind: 'missing' });
  assert.deepEqual(scanFrontmatter(''), { kind: 'missing' });
  assert.deepEqual(scanFrontmatter('---'), { kind: 'missing' });
});
