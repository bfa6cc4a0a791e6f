// parseSpecText: text → frontmatter scan, positioned YAML document, YAML
// errors at their line:column, plain data. Positions are checked by hand
// against the text, so a shift of one line or column fails here first.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMap, isScalar, isSeq } from 'yaml';
import { nodeSpan, parseSpecText, type ParsedFile } from '../../src/spec/parse.js';
import type { Span } from '../../src/spec/types.js';

/** The span of the value of a top-level key. */
function valueSpan(file: ParsedFile, key: string): Span | undefined {
  const root = file.doc?.contents;
  assert.ok(isMap(root), 'the frontmatter is a mapping');
  const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
  assert.ok(pair, `key '${key}' is in the frontmatter`);
  return nodeSpan(file, pair.value as Parameters<typeof nodeSpan>[1]);
}

const pos = (s: Span | undefined) => s && { line: s.line, column: s.column, endLine: s.endLine, endColumn: s.endColumn };

test('a plain spec: block found, data read, no errors', () => {
  const file = parseSpecText('---\nid: a\ntitle: T\n---\n\n# A\n');
  assert.equal(file.bom, false);
  assert.equal(file.scan.kind, 'block');
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, { id: 'a', title: 'T' });
  assert.equal(file.yamlOffset, 4);
  assert.deepEqual(pos(file.fence), { line: 1, column: 1, endLine: 1, endColumn: 4 });
  assert.deepEqual(pos(valueSpan(file, 'title')), { line: 3, column: 8, endLine: 3, endColumn: 9 });
});

test('UTF-8 BOM: stripped, and every position is as if it were absent', () => {
  const body = '---\nid: a\ntitle: Hello\n---\n\n# A\n';
  const withBom = parseSpecText(`\ufeff${body}`);
  const without = parseSpecText(body);
  assert.equal(withBom.bom, true);
  assert.equal(withBom.text, body, 'the text no longer holds the BOM');
  assert.deepEqual(withBom.scan, without.scan);
  assert.equal(withBom.yamlOffset, without.yamlOffset);
  assert.deepEqual(withBom.data, { id: 'a', title: 'Hello' });
  assert.deepEqual(pos(valueSpan(withBom, 'id')), { line: 2, column: 5, endLine: 2, endColumn: 6 });
  assert.deepEqual(pos(valueSpan(withBom, 'title')), { line: 3, column: 8, endLine: 3, endColumn: 13 });
  assert.deepEqual(valueSpan(withBom, 'title'), valueSpan(without, 'title'), 'offsets too');
  assert.deepEqual(pos(withBom.fence), { line: 1, column: 1, endLine: 1, endColumn: 4 });
});

test('UTF-8 BOM: a YAML error is positioned as if the BOM were absent', () => {
  const file = parseSpecText('\ufeff---\nid: a\ntitle: [unclosed\n---\n');
  assert.ok(file.yamlErrors.length > 0);
  assert.equal(file.yamlErrors[0]!.span.line >= 3, true, `error on line 3 or later, got ${JSON.stringify(file.yamlErrors[0])}`);
  const clean = parseSpecText('---\nid: a\ntitle: [unclosed\n---\n');
  assert.deepEqual(file.yamlErrors, clean.yamlErrors);
});

test('UTF-8 BOM: the Markdown body keeps BOM-free positions', () => {
  const file = parseSpecText('\ufeff---\nid: a\n---\n\n## Goal\n');
  const heading = file.mdast().children.find((n) => n.type === 'heading');
  assert.ok(heading?.position);
  assert.deepEqual([heading.position.start.line, heading.position.start.column, heading.position.start.offset], [5, 1, 15]);
  assert.equal(file.text.slice(heading.position.start.offset, heading.position.end.offset), '## Goal');
});

test('a BOM before a file without frontmatter is still missing frontmatter', () => {
  const file = parseSpecText('\ufeff# Title\n');
  assert.equal(file.bom, true);
  assert.equal(file.scan.kind, 'missing');
  assert.equal(file.doc, null);
});

test('CRLF line endings: columns are right on every line, and \\r is never part of a value', () => {
  const text = '---\r\nid: auth-api\r\ntitle: Auth API\r\nphase: parallel\r\nestimate: 2h\r\n---\r\n\r\n# Auth\r\n';
  const file = parseSpecText(text);
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, { id: 'auth-api', title: 'Auth API', phase: 'parallel', estimate: '2h' });
  const expected: Record<string, [number, number, number]> = {
    id: [2, 5, 13],
    title: [3, 8, 16],
    phase: [4, 8, 16],
    estimate: [5, 11, 13],
  };
  for (const [key, [line, column, endColumn]] of Object.entries(expected)) {
    const span = valueSpan(file, key);
    assert.deepEqual(pos(span), { line, column, endLine: line, endColumn }, key);
    assert.equal(text.slice(span!.start, span!.end), (file.data as Record<string, string>)[key], `${key}: the span covers exactly the value`);
  }
});

test('CRLF line endings: a YAML error has the same line:column as with LF', () => {
  const lf = parseSpecText('---\nid: a\nowns:\n\t- x\n---\n');
  const crlf = parseSpecText('---\r\nid: a\r\nowns:\r\n\t- x\r\n---\r\n');
  assert.ok(crlf.yamlErrors.length > 0);
  assert.deepEqual(pos(crlf.yamlErrors[0]!.span), pos(lf.yamlErrors[0]!.span));
});

test('lone CR line endings: positions count lines like remark does', () => {
  const file = parseSpecText('---\rid: a\rtitle: T\r---\r');
  assert.equal(file.scan.kind, 'block');
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, { id: 'a', title: 'T' });
  assert.deepEqual(pos(valueSpan(file, 'title')), { line: 3, column: 8, endLine: 3, endColumn: 9 });
});

test('empty frontmatter (---\\n---\\n): a block whose data is {} and no error', () => {
  const file = parseSpecText('---\n---\n\n# Body\n');
  assert.equal(file.scan.kind, 'block');
  assert.ok(file.doc, 'there is a document');
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, {});
});

test('frontmatter holding only a comment is empty too', () => {
  const file = parseSpecText('---\n# nothing yet\n---\n');
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, {});
});

test('unterminated frontmatter: no document, no YAML parsed, the scan says so', () => {
  const file = parseSpecText('---\nid: a\ntitle: T\n\n# Body\n');
  assert.deepEqual(file.scan, { kind: 'unterminated', openEnd: 3 });
  assert.equal(file.doc, null);
  assert.equal(file.data, undefined);
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(pos(file.fence), { line: 1, column: 1, endLine: 1, endColumn: 4 });
});

test('frontmatter not at offset 0 (a leading blank line) is misplaced, not parsed', () => {
  const file = parseSpecText('\n---\nid: a\ntitle: T\n---\n');
  assert.deepEqual(file.scan, { kind: 'misplaced', fenceStart: 1 });
  assert.equal(file.doc, null);
  assert.equal(file.data, undefined);
  const at = file.lines.span(file.scan.kind === 'misplaced' ? file.scan.fenceStart : 0, 4);
  assert.deepEqual(pos(at), { line: 2, column: 1, endLine: 2, endColumn: 4 });
});

test('no frontmatter at all: missing, fence anchored at 1:1', () => {
  const file = parseSpecText('# Title\n\nSome text.\n');
  assert.equal(file.scan.kind, 'missing');
  assert.equal(file.doc, null);
  assert.deepEqual(pos(file.fence), { line: 1, column: 1, endLine: 1, endColumn: 4 });
});

test('an empty file: missing frontmatter, an empty fence span at 1:1', () => {
  const file = parseSpecText('');
  assert.equal(file.scan.kind, 'missing');
  assert.deepEqual(pos(file.fence), { line: 1, column: 1, endLine: 1, endColumn: 1 });
});

test('tabs used as indentation: a YAML error at the tab', () => {
  const file = parseSpecText('---\nid: a\nowns:\n\t- src/**\n---\n');
  assert.equal(file.yamlErrors.length > 0, true);
  const [first] = file.yamlErrors;
  assert.match(first!.message, /^invalid YAML: .*[Tt]ab/);
  assert.deepEqual([first!.span.line, first!.span.column], [4, 1]);
  assert.equal(first!.message.includes('\n'), false, 'one line, no code excerpt');
  assert.equal(file.data, undefined, 'no data from a broken document');
});

test('a tab between a key and its value is not an error', () => {
  const file = parseSpecText('---\nid:\ta\ntitle: T\n---\n');
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, { id: 'a', title: 'T' });
});

test('duplicate keys: an error at the second key, not the first', () => {
  const file = parseSpecText('---\nid: a\ntitle: T\nid: b\n---\n');
  assert.equal(file.yamlErrors.length, 1);
  const [e] = file.yamlErrors;
  assert.match(e!.message, /^invalid YAML: .*unique/);
  assert.deepEqual([e!.span.line, e!.span.column], [4, 1]);
  assert.ok(e!.span.endLine > 4 || e!.span.endColumn > 1, 'the span is not empty');
  assert.equal(file.data, undefined);
});

test('duplicate keys with CRLF and a BOM: still at the second key', () => {
  const file = parseSpecText('\ufeff---\r\nid: a\r\ntitle: T\r\n  \r\ntitle: U\r\n---\r\n');
  assert.equal(file.yamlErrors.length, 1);
  assert.deepEqual([file.yamlErrors[0]!.span.line, file.yamlErrors[0]!.span.column], [5, 1]);
});

test('each of several duplicate keys is reported at its own line', () => {
  const file = parseSpecText('---\nid: a\ntitle: T\nid: b\ntitle: U\n---\n');
  assert.deepEqual(file.yamlErrors.map((e) => [e.span.line, e.span.column]), [[4, 1], [5, 1]]);
});

test('an unclosed flow list: a YAML error inside the frontmatter, not past its end', () => {
  const file = parseSpecText('---\nid: a\ndepends_on: [b, c\ntitle: T\n---\n\n# Body\n');
  assert.ok(file.yamlErrors.length > 0);
  for (const e of file.yamlErrors) {
    assert.ok(e.span.line >= 2 && e.span.endLine <= 5, `error within lines 2..5: ${JSON.stringify(e)}`);
  }
});

test('comments after values are not part of the value span', () => {
  const text = '---\nid: a   # the id\ntitle: "Quoted" # c\nestimate: 2h#not-a-comment\n---\n';
  const file = parseSpecText(text);
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(pos(valueSpan(file, 'id')), { line: 2, column: 5, endLine: 2, endColumn: 6 });
  assert.deepEqual(pos(valueSpan(file, 'title')), { line: 3, column: 8, endLine: 3, endColumn: 16 });
  // Without a space before it, `#` belongs to the plain scalar.
  assert.deepEqual(file.data, { id: 'a', title: 'Quoted', estimate: '2h#not-a-comment' });
  assert.deepEqual(pos(valueSpan(file, 'estimate')), { line: 4, column: 11, endLine: 4, endColumn: 27 });
});

test('a root that is a list parses (schema reports it), with the list as data', () => {
  const file = parseSpecText('---\n- a\n- b\n---\n');
  assert.deepEqual(file.yamlErrors, []);
  assert.ok(isSeq(file.doc?.contents));
  assert.deepEqual(file.data, ['a', 'b']);
});

test('a root that is a plain scalar parses to that scalar', () => {
  const file = parseSpecText('---\njust words\n---\n');
  assert.deepEqual(file.yamlErrors, []);
  assert.equal(file.data, 'just words');
});

test('a YAML alias bomb is refused fast with one error at the start of the YAML', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
  }
  const started = performance.now();
  const file = parseSpecText(`---\n${lines.join('\n')}\n---\n`);
  const ms = performance.now() - started;
  assert.ok(ms < 1000, `parsing took ${ms.toFixed(0)} ms`);
  assert.equal(file.yamlErrors.length, 1);
  assert.match(file.yamlErrors[0]!.message, /alias/i);
  assert.deepEqual([file.yamlErrors[0]!.span.line, file.yamlErrors[0]!.span.column], [2, 1]);
  assert.equal(file.data, undefined);
});

test('a few aliases are fine', () => {
  const file = parseSpecText('---\nid: a\nowns: &o [src/a/**]\nreads: *o\n---\n');
  assert.deepEqual(file.yamlErrors, []);
  assert.deepEqual(file.data, { id: 'a', owns: ['src/a/**'], reads: ['src/a/**'] });
});

test('nodeSpan of a missing node is undefined', () => {
  const file = parseSpecText('---\nid: a\n---\n');
  assert.equal(nodeSpan(file, null), undefined);
  assert.equal(nodeSpan(file, undefined), undefined);
});

test('the Markdown body is parsed lazily and only once', () => {
  const file = parseSpecText('---\nid: a\n---\n\n# A\n');
  const tree = file.mdast();
  assert.equal(file.mdast(), tree);
  assert.equal(tree.children[0]?.type, 'yaml', 'the frontmatter is a yaml node, not a heading or a thematic break');
});

test('indentation mistakes: one error per line, saying how to fix it', () => {
  const cases: [string, number, RegExp][] = [
    // A key indented by one space continues the value above it.
    ['id: a\n title: T\n', 2, /start it at the column of this key/],
    // A list item less indented than its siblings.
    ['id: a\nowns:\n  - a\n - b\n', 5, /indent every '- ' item of one list by the same number of spaces/],
    // A key out of line with the others of its mapping.
    ['id: a\nx-map:\n  b: 1\n c: 2\n', 5, /start this line at the column of the other keys/],
    ['id: a\nx-map:\n\tb: 1\n', 4, /indent with spaces, not tabs/],
  ];
  for (const [yaml, line, hint] of cases) {
    const file = parseSpecText(`---\n${yaml}---\n`);
    assert.equal(file.yamlErrors.length, 1, `${JSON.stringify(yaml)}: ${file.yamlErrors.map((e) => e.message).join(' | ')}`);
    const [error] = file.yamlErrors;
    assert.equal(error!.span.line, line, JSON.stringify(yaml));
    assert.match(error!.message, /^invalid YAML: /);
    assert.match(error!.message, hint);
  }
});
