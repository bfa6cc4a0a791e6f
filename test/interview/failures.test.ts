// Nothing lost: retries, a broken network, a bad key, Ctrl-C, and --resume.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, cliAsync, tempDir } from '../helpers.js';
import { call, drop, FAKE_KEY, hang, lastUserText, midStreamError, overloaded, reply, say, startFakeApi, status, toolResults } from './fake-api.js';
import { fakeEnv, interviewInProcess, specMd, transcripts } from './support.js';

test('a 529 is retried by the SDK and the interview goes on (built binary)', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([overloaded(), say('What is the todo app for?'), say('Nothing to write yet.')]);
  t.after(() => api.close());
  const r = await cliAsync(['interview', 'specs'], { cwd, env: fakeEnv(api), input: 'A todo app\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(api.requests.length, 3);
  assert.deepEqual(api.requests[1]!.body, api.requests[0]!.body, 'the retry sends the same request');
  assert.match(r.stdout, /What is the todo app for\?/);
  assert.match(r.stdout, /3 requests/);
});

test('a 429 is retried too', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([status(429, 'rate_limit_error', { 'retry-after-ms': '1' }), say('Go on.'), say('Bye.')]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'hello\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(api.requests.length, 3);
});

test('an overloaded_error in the middle of a stream is retried, and the partial turn is dropped', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([
    midStreamError('Let me th'),
    (req) => {
      assert.deepEqual(req.body.messages, api.requests[0]!.body.messages, 'the retry holds no trace of the partial answer');
      return say('Let me think. Which stack?');
    },
    say('Closing.'),
  ]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'A todo app\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /failed in the middle of an answer \(overloaded_error/);
  assert.match(r.stderr, /trying again/);
  assert.match(r.stdout, /Let me think\. Which stack\?/);
  const [saved] = transcripts(cwd);
  const said = saved!.data.messages.filter((m) => m.role === 'assistant').map((m) => m.content.map((b) => b.text).join(''));
  assert.deepEqual(said, ['Let me think. Which stack?', 'Closing.']);
});

test('a stream cut off half-way is retried like an overload', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([drop('Half an ans'), say('A whole answer.'), say('Bye.')]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'hi\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /broke off/);
  assert.equal(api.requests.length, 3);
});

test('an overload that does not pass: exit 2, the conversation saved, a sentence on how to resume', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([midStreamError('a'), midStreamError('b'), midStreamError('c'), midStreamError('d')]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'A todo app\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 2);
  assert.equal(api.requests.length, 4, 'one try and three retries');
  assert.match(r.stderr, /nothing is lost: the conversation is saved in \.specdag\/interviews\/.*\.json/);
  assert.match(r.stderr, /specdag interview --resume/);
  const [saved] = transcripts(cwd);
  assert.equal(saved!.data.messages.length, 1);
  assert.match(saved!.data.messages[0]!.content.at(-1)!.text!, /A todo app/);
});

test('a refused connection after the SDK retries: exit 2 with how to resume', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([drop(), drop()]);
  t.after(() => api.close());
  const r = await interviewInProcess({ maxRetries: 1 }, { cwd, env: fakeEnv(api), input: 'A todo app\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot reach the Anthropic API at http:\/\/127\.0\.0\.1:\d+/);
  assert.match(r.stderr, /continue later with 'specdag interview --resume'/);
  assert.equal(api.requests.length, 2);
  assert.equal(transcripts(cwd).length, 1);
});

test('a 401: one clear sentence, exit 2, no retry, and the key appears nowhere', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([say('never sent')], { apiKey: 'sk-ant-the-right-one' });
  t.after(() => api.close());
  const r = await cliAsync(['interview', 'specs'], { cwd, env: fakeEnv(api), input: 'A todo app\n' });
  assert.equal(r.code, 2);
  assert.equal(api.requests.length, 0, 'the server refused before reading the conversation');
  assert.match(r.stderr, /^specdag: the Anthropic API rejected the key in ANTHROPIC_API_KEY \(401: invalid x-api-key\); check ANTHROPIC_API_KEY/m);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(!r.stderr.includes(FAKE_KEY) && !r.stdout.includes(FAKE_KEY));
  const [saved] = transcripts(cwd);
  assert.ok(!saved!.text.includes(FAKE_KEY));
});

test('resume after an interrupted session: the model answers the message it missed, then the interview ends well', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([
    say('Who is it for?'),
    overloaded(),
    overloaded(),
    overloaded(),
    (req) => {
      const texts = req.body.messages.map((m: { role: string; content: { text?: string }[] }) => `${m.role}: ${m.content.map((b) => b.text ?? '').join('')}`);
      assert.equal(texts.length, 3);
      assert.match(texts[1], /^assistant: Who is it for\?$/);
      assert.equal(texts[2], 'user: For a team of three');
      return reply(call('write_spec', { id: 'todo', markdown: specMd('todo') }));
    },
    (req) => {
      assert.equal(toolResults(req)[0]!.is_error, false);
      return say('Written.');
    },
    (req) => {
      assert.match(lastUserText(req), /input has ended/);
      return say('Done.');
    },
  ]);
  t.after(() => api.close());
  const first = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'A todo app\nFor a team of three\n' });
  assert.equal(first.code, 2);
  assert.match(first.stderr, /unavailable or overloaded \(529/);
  const saved = transcripts(cwd);
  assert.equal(saved.length, 1);
  assert.equal(saved[0]!.data.messages.at(-1)!.role, 'user');

  const second = await cliAsync(['interview', '--resume'], { cwd, env: fakeEnv(api), input: '' });
  assert.deepEqual(api.failures, []);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /resuming \.specdag\/interviews\//);
  assert.match(second.stdout, /specs: 1 written \(todo\)/);
  const after = transcripts(cwd);
  assert.equal(after.length, 1, 'the same transcript goes on');
  assert.equal(after[0]!.data.messages.length, 8);
  assert.equal(after[0]!.data.usage.requests, api.requests.length);
  assert.ok(existsSync(join(cwd, 'specs', 'todo.md')));
});

test('--resume with nothing to resume is a usage error', async () => {
  const cwd = tempDir();
  const r = await interviewInProcess({ resume: true }, { cwd, env: fakeEnv({ url: 'http://127.0.0.1:9' }) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /there is no interview to resume/);
});

test('Ctrl-C while the model is answering: the conversation is saved and the binary exits 130', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([hang()]);
  t.after(() => api.close());
  const child = spawn(process.execPath, [BIN, 'interview', 'specs'], { cwd, env: { ...process.env, ...fakeEnv(api) } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.end('A todo app\n');
  await api.waitFor(1);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 130);
  assert.match(stderr, /interrupted; the conversation is saved in \.specdag\/interviews\/.*; continue it with 'specdag interview --resume'/);
  const [saved] = transcripts(cwd);
  assert.match(readFileSync(saved!.path, 'utf8'), /A todo app/);
});
