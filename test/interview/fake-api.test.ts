// The fake Messages API must refuse what the real one refuses, or the
// interview tests would pass with requests the real API turns down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { requestParams } from '../../src/interview/api.js';
import { SpecTools } from '../../src/interview/tools.js';
import { tempDir } from '../helpers.js';
import { call, FAKE_KEY, reply, say, startFakeApi, text, validate } from './fake-api.js';

const headers = { 'anthropic-version': '2023-06-01' };
const base = { model: 'claude-test', max_tokens: 100, stream: true };
const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });
const toolUse = (id: string) => ({ type: 'tool_use', id, name: 'lint_specs', input: {} });
const cc = { cache_control: { type: 'ephemeral' } };

test('the fake refuses malformed requests the way the real API does', () => {
  const cases: [string, unknown, RegExp][] = [
    ['no model', { max_tokens: 10, stream: true, messages: [user('hi')] }, /model: Field required/],
    ['no max_tokens', { model: 'm', stream: true, messages: [user('hi')] }, /max_tokens: Field required/],
    ['no messages', { ...base, messages: [] }, /at least one message/],
    ['starts with assistant', { ...base, messages: [assistant('hi'), user('x')] }, /first message must use the 'user' role/],
    ['not alternating', { ...base, messages: [user('a'), user('b')] }, /roles must alternate/],
    ['empty text block', { ...base, messages: [user([{ type: 'text', text: '' }])] }, /text content blocks must be non-empty/],
    ['blank text block', { ...base, messages: [user([{ type: 'text', text: ' \n' }])] }, /text content blocks must be non-empty/],
    ['tool_use without tool_result', { ...base, messages: [user('a'), assistant([toolUse('t1')]), user('next')] }, /`tool_use` ids were found without `tool_result` blocks immediately after: t1/],
    [
      'tool_result for an unknown tool_use',
      { ...base, messages: [user('a'), assistant('b'), user([{ type: 'tool_result', tool_use_id: 'zz', content: 'x' }])] },
      /unexpected `tool_use_id`/,
    ],
    [
      'tool_result after text',
      { ...base, messages: [user('a'), assistant([toolUse('t1')]), user([{ type: 'text', text: 'hm' }, { type: 'tool_result', tool_use_id: 't1', content: 'x' }])] },
      /tool_result blocks must come before/,
    ],
    ['ends with the assistant', { ...base, messages: [user('a'), assistant('b')] }, /must end with a user message/],
    [
      'five cache breakpoints',
      {
        ...base,
        system: [{ type: 'text', text: 's', ...cc }],
        tools: [1, 2, 3].map((i) => ({ name: `t${i}`, input_schema: { type: 'object' }, ...cc })),
        messages: [user([{ type: 'text', text: 'x', ...cc }])],
      },
      /A maximum of 4 blocks with cache_control may be provided. Found 5/,
    ],
    ['cache_control on an empty text block', { ...base, system: [{ type: 'text', text: 'sys' }], messages: [user([{ type: 'text', text: '', ...cc }])] }, /cannot be set on an empty text block/],
    ['thinking without signature', { ...base, messages: [user('a'), assistant([{ type: 'thinking', thinking: 'hm' }, { type: 'text', text: 'b' }]), user('c')] }, /signature: Field required/],
  ];
  for (const [name, body, message] of cases) {
    const problems = validate(body, headers);
    assert.ok(problems.some((p) => message.test(p)), `${name}: ${JSON.stringify(problems)}`);
  }
  assert.deepEqual(validate({ ...base, messages: [user('hi')] }, {}), ['anthropic-version: header is required']);
});

test('a request the interview builds passes: three breakpoints, tools and system cached', () => {
  const tools = new SpecTools('specs', { stdout: { write: () => true }, stderr: { write: () => true }, cwd: tempDir(), env: {} });
  const body = {
    ...requestParams({
      model: 'claude-test',
      system: 'You interview.',
      tools: tools.definitions,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'A todo app' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Listing.' }, { type: 'tool_use', id: 't1', name: 'list_specs', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '[]' }] },
      ],
    }),
    stream: true,
  };
  assert.deepEqual(validate(body, headers), []);
  const json = JSON.stringify(body);
  assert.equal(json.split('"cache_control"').length - 1, 3);
  const b = body as unknown as { tools: { cache_control?: unknown }[]; messages: { content: { cache_control?: unknown }[] }[] };
  assert.ok(b.tools.at(-1)!.cache_control);
  assert.equal(b.tools[0]!.cache_control, undefined);
  assert.ok(b.messages.at(-1)!.content.at(-1)!.cache_control);
  assert.equal(b.messages[0]!.content[0]!.cache_control, undefined, 'earlier turns carry no breakpoint');
});

test('the real SDK streams text and tool input from the fake, and gets 400s and 401s as its own errors', async (t) => {
  const api = await startFakeApi([reply(text('Hello there, '), text('world.'), call('read_spec', { id: 'a-b' })), say('again')]);
  t.after(() => api.close());
  const client = new Anthropic({ apiKey: FAKE_KEY, baseURL: api.url, maxRetries: 0 });
  const stream = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
  let streamed = '';
  stream.on('text', (d) => (streamed += d));
  const message = await stream.finalMessage();
  assert.equal(streamed, 'Hello there, world.');
  assert.equal(message.stop_reason, 'tool_use');
  assert.deepEqual(message.content.at(-1), { type: 'tool_use', id: 'toolu_fake_1', name: 'read_spec', input: { id: 'a-b' } });
  assert.ok(message.usage.cache_creation_input_tokens === 0 && message.usage.input_tokens > 0);

  const bad = client.messages.stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] });
  await assert.rejects(bad.finalMessage(), (err: unknown) => err instanceof Anthropic.BadRequestError);
  assert.equal(api.failures.length, 1);
  api.failures.length = 0;

  const wrongKey = new Anthropic({ apiKey: 'sk-wrong', baseURL: api.url, maxRetries: 0 });
  await assert.rejects(wrongKey.messages.create({ model: 'claude-test', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }), (err: unknown) => err instanceof Anthropic.AuthenticationError);
  assert.deepEqual(api.failures, []);
  assert.equal(api.remaining(), 1);
});
