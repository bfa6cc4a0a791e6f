// extractSpec: the positioned frontmatter → a Spec whose every list item
// knows its line:column and end column. Tolerant: values of the wrong type are
// left out (the schema rule reports them), the rest still counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractSpec } from '../../src/spec/extract.js';
import { parseSpecText } from '../../src/spec/parse.js';
import type { Item, Span, Spec } from '../../src/spec/types.js';

function extract(text: string, stem = 'a'): Spec {
  return extractSpec(parseSpecText(text), { file: `specs/${stem}.md`, path: `/tmp/specs/${stem}.md`, stem });
}

/** value, line, column, endLine, endColumn */
type At = [string, number, number, number, number];
const at = (items: Item[]): At[] => items.map((i) => [i.value, i.span.line, i.span.column, i.span.endLine, i.span.endColumn]);
const pos = (s: Span | undefined) => s && [s.line, s.column, s.endLine, s.endColumn];

test('the file reference is carried over and defaults apply', () => {
  const spec = extract('---\nid: a\ntitle: T\n---\n');
  assert.equal(spec.file, 'specs/a.md');
  assert.equal(spec.path, '/tmp/specs/a.md');
  assert.equal(spec.stem, 'a');
  assert.equal(spec.parsed, true);
  assert.equal(spec.phase, 'parallel');
  assert.equal(spec.status, 'ready');
  assert.deepEqual([spec.dependsOn, spec.owns, spec.reads, spec.provides, spec.consumes, spec.tags], [[], [], [], [], [], []]);
  assert.deepEqual(pos(spec.fence), [1, 1, 1, 4]);
});

test('a flow list: every item at its line:column, plain and quoted scalars', () => {
  //                     123456789012345678901234567890123456
  const spec = extract('---\ndepends_on: [db, "auth-api", \'ui\']\n---\n');
  assert.deepEqual(at(spec.dependsOn), [
    ['db', 2, 14, 2, 16],
    ['auth-api', 2, 18, 2, 28],
    ['ui', 2, 30, 2, 34],
  ]);
});

test('a flow list with extra blanks: spans hug the values', () => {
  //                     12345678901234567890123456
  const spec = extract('---\nprovides: [  A ,B,   "C"  ]\n---\n');
  assert.deepEqual(at(spec.provides), [
    ['A', 2, 14, 2, 15],
    ['B', 2, 17, 2, 18],
    ['C', 2, 22, 2, 25],
  ]);
});

test('a flow list over several lines', () => {
  const spec = extract('---\nowns: [\n  src/a/**,\n    "src/b.ts"\n]\n---\n');
  assert.deepEqual(at(spec.owns), [
    ['src/a/**', 3, 3, 3, 11],
    ['src/b.ts', 4, 5, 4, 15],
  ]);
  assert.equal(spec.fields.owns?.listStyle, 'flow');
});

test('a block list: every item at its line:column, plain and quoted scalars', () => {
  const text = ['---', 'owns:', '  - src/auth/**', '  - "test/auth/**"', "  - 'docs/a b.md'", 'reads:', '- src/types/user.ts', '---', ''].join('\n');
  const spec = extract(text);
  assert.deepEqual(at(spec.owns), [
    ['src/auth/**', 3, 5, 3, 16],
    ['test/auth/**', 4, 5, 4, 19],
    ['docs/a b.md', 5, 5, 5, 18],
  ]);
  assert.deepEqual(at(spec.reads), [['src/types/user.ts', 7, 3, 7, 20]]);
});

test('every list key is read, in order', () => {
  const text = '---\ndepends_on: [x]\nowns: [o]\nreads: [r]\nprovides: [P]\nconsumes: [C]\ntags: [t]\n---\n';
  const spec = extract(text);
  assert.deepEqual(
    [spec.dependsOn, spec.owns, spec.reads, spec.provides, spec.consumes, spec.tags].map((l) => l.map((i) => [i.value, i.span.line])),
    [[['x', 2]], [['o', 3]], [['r', 4]], [['P', 5]], [['C', 6]], [['t', 7]]],
  );
});

test('comments after list items and values are not part of their spans', () => {
  const text = ['---', 'id: a # the id', 'depends_on: [b] # after', 'owns:', '  - src/** # mine', '  - "x" #quoted', '---', ''].join('\n');
  const spec = extract(text);
  assert.deepEqual(pos(spec.id?.span), [2, 5, 2, 6]);
  assert.deepEqual(at(spec.dependsOn), [['b', 3, 14, 3, 15]]);
  assert.deepEqual(at(spec.owns), [
    ['src/**', 5, 5, 5, 11],
    ['x', 6, 5, 6, 8],
  ]);
  assert.deepEqual(pos(spec.fields.depends_on?.valueSpan), [3, 13, 3, 16], 'the flow list ends at its bracket');
});

test('the span of a block list ends at its last item, not at a comment after it', () => {
  const spec = extract('---\nowns:\n  - a\n  - b # c\n---\n');
  assert.deepEqual(pos(spec.fields.owns?.valueSpan), [3, 3, 4, 6]);
});

test('the span of a block list ends at its last item, not at the next key', () => {
  const spec = extract('---\nowns:\n- a\n- b\ntitle: T\n---\n');
  assert.deepEqual(pos(spec.fields.owns?.valueSpan), [3, 1, 4, 4]);
});

test('scalar fields: id, title, estimate, agent with their value spans', () => {
  const text = ['---', 'id: auth-api', 'title: "Auth: API"', 'estimate: 2h', 'agent: claude', '---', ''].join('\n');
  const spec = extract(text, 'auth-api');
  assert.deepEqual([spec.id?.value, ...pos(spec.id?.span)!], ['auth-api', 2, 5, 2, 13]);
  assert.deepEqual([spec.title?.value, ...pos(spec.title?.span)!], ['Auth: API', 3, 8, 3, 19]);
  assert.deepEqual([spec.estimate?.value, ...pos(spec.estimate?.span)!], ['2h', 4, 11, 4, 13]);
  assert.deepEqual([spec.agent?.value, ...pos(spec.agent?.span)!], ['claude', 5, 8, 5, 14]);
});

test('a non-string scalar in depends_on is skipped; the strings around it are kept', () => {
  //                     1234567890123456789012345678901234567890
  const spec = extract('---\ndepends_on: [a, 5, true, null, 1.5, "7", b]\n---\n');
  assert.deepEqual(at(spec.dependsOn), [
    ['a', 2, 14, 2, 15],
    ['7', 2, 37, 2, 40],
    ['b', 2, 42, 2, 43],
  ]);
  assert.equal(spec.parsed, true, 'the spec still takes part in the graph');
});

test('nested lists, maps and empty items in a block list are skipped', () => {
  const spec = extract('---\ndepends_on:\n  - a\n  - [b]\n  - {c: 1}\n  -\n  - ~\n  - d\n---\n');
  assert.deepEqual(at(spec.dependsOn), [
    ['a', 3, 5, 3, 6],
    ['d', 8, 5, 8, 6],
  ]);
});

test('a scalar where a list is expected gives an empty list', () => {
  const spec = extract('---\ndepends_on: db\nowns: 5\n---\n');
  assert.deepEqual(spec.dependsOn, []);
  assert.deepEqual(spec.owns, []);
  assert.equal(spec.fields.depends_on?.listStyle, undefined);
  assert.deepEqual(pos(spec.fields.depends_on?.valueSpan), [2, 13, 2, 15]);
});

test('non-string scalar fields are left out', () => {
  const spec = extract('---\nid: 42\ntitle: true\nestimate: 2\nphase: [parallel]\n---\n');
  assert.equal(spec.id, undefined);
  assert.equal(spec.title, undefined);
  assert.equal(spec.estimate, undefined);
  assert.equal(spec.phase, 'parallel');
  assert.ok(spec.fields.id, 'the field is still recorded for the schema rule');
});

test('phase and status: known values are taken, unknown ones keep the default', () => {
  assert.equal(extract('---\nphase: foundation\nstatus: done\n---\n').phase, 'foundation');
  assert.equal(extract('---\nphase: foundation\nstatus: done\n---\n').status, 'done');
  assert.equal(extract('---\nphase: integration\n---\n').phase, 'integration');
  assert.equal(extract('---\nphase: Foundation\nstatus: finished\n---\n').phase, 'parallel');
  assert.equal(extract('---\nphase: Foundation\nstatus: finished\n---\n').status, 'ready');
});

test('listStyle of fields: flow, block, and none for scalars and empty values', () => {
  const text = ['---', 'id: a', 'depends_on: [b]', 'owns:', '  - src/**', 'reads: []', 'tags:', 'provides: x', '---', ''].join('\n');
  const spec = extract(text);
  assert.equal(spec.fields.depends_on?.listStyle, 'flow');
  assert.equal(spec.fields.owns?.listStyle, 'block');
  assert.equal(spec.fields.reads?.listStyle, 'flow', 'an empty flow list is still a flow list');
  assert.equal(spec.fields.id?.listStyle, undefined);
  assert.equal(spec.fields.tags?.listStyle, undefined, 'a key with no value is not a list');
  assert.equal(spec.fields.provides?.listStyle, undefined);
});

test('fields: key and value spans of every top-level key, unknown keys included', () => {
  const text = ['---', 'id: a', 'x-note: hi', 'depends-on: [b]', 'empty:', '---', ''].join('\n');
  const spec = extract(text);
  assert.deepEqual(Object.keys(spec.fields), ['id', 'x-note', 'depends-on', 'empty']);
  assert.deepEqual(pos(spec.fields['x-note']?.keySpan), [3, 1, 3, 7]);
  assert.deepEqual(pos(spec.fields['x-note']?.valueSpan), [3, 9, 3, 11]);
  assert.deepEqual(pos(spec.fields['depends-on']?.keySpan), [4, 1, 4, 11]);
  assert.deepEqual(pos(spec.fields['depends-on']?.valueSpan), [4, 13, 4, 16]);
  assert.deepEqual(spec.dependsOn, [], "'depends-on' is not 'depends_on'");
  assert.ok(spec.fields.empty, 'a key with no value is recorded');
});

test('a non-string key is not a field', () => {
  const spec = extract('---\n1: a\ntrue: b\nid: c\n---\n');
  assert.deepEqual(Object.keys(spec.fields), ['id']);
  assert.equal(spec.id?.value, 'c');
});

test('a root that is a list instead of a mapping: parsed, but no fields and no items', () => {
  const spec = extract('---\n- id: a\n- depends_on: [b]\n---\n');
  assert.equal(spec.parsed, true);
  assert.deepEqual(spec.fields, {});
  assert.equal(spec.id, undefined);
  assert.deepEqual(spec.dependsOn, []);
});

test('a root that is a scalar: no fields', () => {
  const spec = extract('---\nhello\n---\n');
  assert.deepEqual(spec.fields, {});
  assert.equal(spec.id, undefined);
});

test('empty frontmatter: parsed, with no fields', () => {
  const spec = extract('---\n---\n');
  assert.equal(spec.parsed, true);
  assert.deepEqual(spec.fields, {});
});

test('broken YAML, unterminated, misplaced or missing frontmatter: not parsed, nothing extracted', () => {
  for (const text of ['---\nid: a\nid: b\n---\n', '---\nid: a\n', '\n---\nid: a\n---\n', '# just a body\n', '']) {
    const spec = extract(text);
    assert.equal(spec.parsed, false, JSON.stringify(text));
    assert.deepEqual(spec.fields, {}, JSON.stringify(text));
    assert.equal(spec.id, undefined, JSON.stringify(text));
  }
});

test('BOM and CRLF together: item positions as if neither were there', () => {
  const lf = extract('---\nid: a\ndepends_on: [b, c]\nowns:\n  - src/**\n---\n');
  const both = extract('\ufeff---\r\nid: a\r\ndepends_on: [b, c]\r\nowns:\r\n  - src/**\r\n---\r\n');
  assert.deepEqual(at(both.dependsOn), at(lf.dependsOn));
  assert.deepEqual(at(both.owns), at(lf.owns));
  assert.deepEqual(at(both.dependsOn), [
    ['b', 3, 14, 3, 15],
    ['c', 3, 17, 3, 18],
  ]);
  assert.deepEqual(at(both.owns), [['src/**', 5, 5, 5, 11]]);
  assert.deepEqual(pos(both.id?.span), [2, 5, 2, 6]);
});

test('columns count UTF-16 code units of the line (an astral character counts 2)', () => {
  const spec = extract('---\ntitle: é 😀\ntags: [😀, b]\n---\n');
  assert.deepEqual(pos(spec.title?.span), [2, 8, 2, 12]);
  assert.deepEqual(at(spec.tags), [
    ['😀', 3, 8, 3, 10],
    ['b', 3, 12, 3, 13],
  ]);
});

test('an alias in a list is the value it stands for, placed where the alias is written', () => {
  const spec = extract('---\nprovides: [&p A]\nconsumes: [*p, B]\n---\n');
  assert.deepEqual(at(spec.provides), [['A', 2, 15, 2, 16]]);
  assert.deepEqual(at(spec.consumes), [
    ['A', 3, 12, 3, 14],
    ['B', 3, 16, 3, 17],
  ]);
});

test('aliases are values wherever a value is read: id, phase, a whole depends_on list, a glob', () => {
  const spec = extract('---\nx-id: &me alpha\nx-deps: &deps [db, api]\nx-p: &p foundation\nid: *me\ntitle: &t Alpha\ndepends_on: *deps\nphase: *p\nowns: [*t, src/**]\n---\n');
  assert.deepEqual(at(spec.id ? [spec.id] : []), [['alpha', 5, 5, 5, 8]], 'at the alias');
  assert.equal(spec.phase, 'foundation');
  // The items of an aliased list stand where the list is written out.
  assert.deepEqual(at(spec.dependsOn), [
    ['db', 3, 16, 3, 18],
    ['api', 3, 20, 3, 23],
  ]);
  assert.deepEqual(spec.owns.map((i) => i.value), ['Alpha', 'src/**']);
  assert.equal(spec.fields.depends_on?.valueSpan.line, 7, 'the field itself is where the alias is');
});
