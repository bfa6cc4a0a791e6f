import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliAsync, tempDir } from '../helpers.js';
import { call, FAKE_KEY, lastUserText, reply, say, startFakeApi, text, thinking, toolResults, type ApiRequest, type Step } from './fake-api.js';
import { fakeEnv, specMd, transcripts } from './support.js';

const dbSchema = specMd('db-schema', { title: 'Database schema', phase: 'foundation', owns: ['src/db/**'], provides: ['TodoStore'] });
const todoApi = (dep: string) => specMd('todo-api', { title: 'Todo API', dependsOn: [dep], owns: ['src/api/**'], consumes: ['TodoStore'], provides: ['TodoApi'] });
const integrate = specMd('integrate', { title: 'Integration', phase: 'integration', dependsOn: ['todo-api'], owns: ['src/app.ts'], consumes: ['TodoApi'] });

const lintOf = (content: string) => JSON.parse(content) as { errorCount: number; warningCount: number; diagnostics: { ruleId: string; file: string; message: string }[] };

/**
 * The model of a whole interview: it plans (with a thinking block, which must
 * come back unchanged), writes three specs, misspells one dependency, reads
 * `unknown-dependency` in the lint answer and fixes it, then closes.
 */
const wholeInterview = (): Step[] => [
  (req) => {
    assert.match(lastUserText(req), /A todo app/);
    assert.match(lastUserText(req), /Input: piped/);
    assert.match(lastUserText(req), /does not exist yet/);
    assert.equal(req.body.tools.map((t: { name: string }) => t.name).join(','), 'list_specs,read_spec,write_spec,delete_spec,lint_specs');
    return reply(thinking('Three tasks: schema first, then the API, then integration.'), text('Plan: db-schema (foundation), todo-api (parallel), integrate.'), call('list_specs', {}));
  },
  (req) => {
    assert.equal(toolResults(req)[0]!.content, '[]');
    return reply(text('Writing the foundation.'), call('write_spec', { id: 'db-schema', markdown: dbSchema }));
  },
  (req) => {
    assert.equal(lintOf(toolResults(req)[0]!.content).errorCount, 0);
    return reply(call('write_spec', { id: 'todo-api', markdown: todoApi('db-shema') }));
  },
  (req) => {
    const lint = lintOf(toolResults(req)[0]!.content);
    const typo = lint.diagnostics.find((d) => d.ruleId === 'unknown-dependency');
    assert.ok(typo, 'the lint answer reports the typo');
    assert.match(typo.message, /did you mean 'db-schema'/);
    assert.equal(typo.file, 'specs/todo-api.md');
    return reply(text('Fixing the dependency typo.'), call('write_spec', { id: 'todo-api', markdown: todoApi('db-schema') }));
  },
  (req) => {
    assert.equal(lintOf(toolResults(req)[0]!.content).errorCount, 0);
    return reply(call('write_spec', { id: 'integrate', markdown: integrate }));
  },
  (req) => {
    const lint = lintOf(toolResults(req)[0]!.content);
    assert.deepEqual([lint.errorCount, lint.warningCount], [0, 0]);
    return say('All three specs are written and lint is clean.');
  },
  (req) => {
    assert.match(lastUserText(req), /input has ended/);
    assert.match(lastUserText(req), /"errorCount":0/);
    return say('Done: db-schema, then todo-api, then integrate. Next: specdag plan specs.');
  },
];

test('a whole interview through the built binary writes three specs, fixes a typo lint found, and exits 0', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi(wholeInterview());
  t.after(() => api.close());
  const r = await cliAsync(['interview', 'specs'], { cwd, env: fakeEnv(api), input: 'A todo app for a small team, in TypeScript.\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(api.remaining(), 0);
  assert.equal(api.requests.length, 7);

  // Streamed text reached stdout, and each tool call has a line.
  assert.match(r.stdout, /Plan: db-schema \(foundation\)/);
  assert.match(r.stdout, /\[write_spec todo-api\] lint: 1 error/);
  assert.match(r.stdout, /specs: 3 written \(db-schema, integrate, todo-api\), 0 changed, 0 deleted/);
  assert.match(r.stdout, /lint: specs is clean \(3 files checked\)/);
  assert.match(r.stdout, /7 requests/);
  assert.equal(readFileSync(join(cwd, 'specs', 'todo-api.md'), 'utf8'), todoApi('db-schema'));

  const lint = cli(['lint', 'specs'], { cwd });
  assert.equal(lint.code, 0, lint.stdout);

  // The thinking block went back unchanged (the fake checks its signature), and every request after the first
  // read the whole previous conversation from the prompt cache: tools, system prompt and earlier turns.
  const perRequest = api.requests.map((q: ApiRequest) => q.usage!);
  assert.equal(perRequest[0]!.cache_read_input_tokens, 0);
  for (let i = 1; i < perRequest.length; i++) {
    assert.ok(perRequest[i]!.cache_read_input_tokens >= perRequest[i - 1]!.cache_read_input_tokens + perRequest[i - 1]!.cache_creation_input_tokens, `request ${i + 1} reads the cache`);
  }
  const saved = transcripts(cwd);
  assert.equal(saved.length, 1);
  assert.ok(!saved[0]!.text.includes(FAKE_KEY), 'the transcript never holds the key');
  assert.equal(saved[0]!.data.dir, 'specs');
  assert.equal(saved[0]!.data.usage.requests, 7);
  assert.equal(saved[0]!.data.usage.cache_read_input_tokens, api.usage.cache_read_input_tokens);
  t.diagnostic(`whole interview: ${api.requests.length} requests; totals ${JSON.stringify(api.usage)}`);
  perRequest.forEach((u, i) => t.diagnostic(`request ${i + 1}: ${u.input_tokens} uncached in, ${u.cache_read_input_tokens} cache read, ${u.cache_creation_input_tokens} cache write, ${u.output_tokens} out`));
});

test('without ANTHROPIC_API_KEY it exits 2 before any request and points to specdag new', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([]);
  t.after(() => api.close());
  const r = await cliAsync(['interview', 'specs'], { cwd, env: { ...fakeEnv(api), ANTHROPIC_API_KEY: '' }, input: 'A todo app\n' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /ANTHROPIC_API_KEY is not set/);
  assert.match(r.stderr, /specdag new <id> specs/);
  assert.equal(api.requests.length, 0);
  assert.equal(existsSync(join(cwd, '.specdag')), false);
});
