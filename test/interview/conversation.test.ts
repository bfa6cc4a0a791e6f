// The shape of a conversation: input modes, --refine, the model, tool errors.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { cliAsync, tempDir, writeTree } from '../helpers.js';
import { call, lastUserText, reply, say, startFakeApi, text, toolResults } from './fake-api.js';
import { fakeEnv, interviewInProcess, specMd, transcripts } from './support.js';

test('a write outside the folder is refused with is_error, nothing is written, and the model can go on', async (t) => {
  const cwd = tempDir();
  const escape = join(dirname(cwd), `${cwd.split('/').pop()}-escape.md`);
  const api = await startFakeApi([
    reply(text('Writing.'), call('write_spec', { id: '../escape', markdown: specMd('escape') }), call('write_spec', { id: escape, markdown: specMd('escape') }), call('write_spec', { id: 'ok' })),
    (req) => {
      const results = toolResults(req);
      assert.deepEqual(
        results.map((r) => r.is_error),
        [true, true, true],
      );
      assert.match(results[0]!.content, /'\.\.\/escape' is not a spec id/);
      assert.match(results[2]!.content, /no 'markdown'/);
      return say('Sorry, I will use plain ids.');
    },
    say('Bye.'),
  ]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'write something\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\[write_spec \.\.\/escape\] refused: /);
  assert.equal(existsSync(escape), false);
  assert.equal(existsSync(join(cwd, 'escape.md')), false);
  assert.equal(existsSync(join(cwd, 'specs')), false);
});

test('--refine talks about one existing spec: its text in the first message, the change written (built binary)', async (t) => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/db.md': specMd('db', { phase: 'foundation' }), 'specs/api.md': specMd('api', { dependsOn: ['db'] }) });
  const revised = specMd('api', { title: 'REST API for todos', dependsOn: ['db'] });
  const api = await startFakeApi([
    (req) => {
      const said = lastUserText(req);
      assert.match(said, /this conversation is about one existing spec, `api` in `specs\/api\.md`/);
      assert.ok(said.includes(specMd('api', { dependsOn: ['db'] }).trimEnd()), 'the spec text is in the first message');
      assert.match(said, /Its lint diagnostics now: none/);
      assert.match(said, /Make the title clearer/);
      return reply(call('write_spec', { id: 'api', markdown: revised }));
    },
    say('Renamed it.'),
    say('Done.'),
  ]);
  t.after(() => api.close());
  const r = await cliAsync(['interview', 'specs', '--refine', 'api'], { cwd, env: fakeEnv(api), input: 'Make the title clearer\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(cwd, 'specs/api.md'), 'utf8'), revised);
  assert.match(r.stdout, /specs: 0 written, 1 changed \(api\), 0 deleted/);
  assert.equal(transcripts(cwd)[0]!.data.messages.length, 6);
});

test('--refine of a spec that does not exist, or with --resume, is a usage error before any request', async (t) => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/db.md': specMd('db') });
  const api = await startFakeApi([]);
  t.after(() => api.close());
  const missing = await interviewInProcess({ refine: 'nope' }, { cwd, env: fakeEnv(api), input: 'x\n' });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot refine 'nope': there is no spec 'nope' in specs/);
  const both = await interviewInProcess({ refine: 'db', resume: true }, { cwd, env: fakeEnv(api), input: 'x\n' });
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--resume continues the latest interview/);
  assert.equal(api.requests.length, 0);
});

test('on a TTY: a you> prompt, and /quit leaves at once', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([say('What are we building?')]);
  t.after(() => api.close());
  const stdin = new PassThrough();
  stdin.write('hello\n');
  // /quit arrives only once the model has answered, as a person would type it.
  api.waitFor(1).then(() => setTimeout(() => stdin.end('/quit\n'), 20));
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: stdin, tty: true });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^specdag interview: writing specs in specs with claude-sonnet-5-5\. Type \/done to finish, \/quit to leave\.\n/);
  assert.match(r.stdout, /you> What are we building\?\nyou> /);
  assert.equal(api.requests.length, 1, '/quit sends nothing');
  assert.match(lastUserText(api.requests[0]!), /Input: interactive/);
  assert.equal(transcripts(cwd)[0]!.data.messages.length, 2);
});

test('on a TTY, /done asks the model to fix what lint reports, with the lint result, then finishes', async (t) => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/api.md': specMd('api', { dependsOn: ['dbb'] }), 'specs/db.md': specMd('db', { phase: 'foundation' }) });
  const api = await startFakeApi([
    (req) => {
      assert.match(lastUserText(req), /which already holds 2 specs \(api, db\)/);
      return say('Looks fine.');
    },
    (req) => {
      assert.match(lastUserText(req), /the user typed \/done/);
      assert.match(lastUserText(req), /"ruleId":"unknown-dependency"/);
      return reply(call('write_spec', { id: 'api', markdown: specMd('api', { dependsOn: ['db'] }) }));
    },
    say('Fixed the dependency.'),
  ]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'check my specs\n/done\n', tty: true });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /lint: specs is clean/);
});

test('when lint still reports errors after /done, the model is asked once more, then the exit code is 1', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([
    reply(call('write_spec', { id: 'api', markdown: specMd('api', { dependsOn: ['ghost'] }) })),
    say('Written.'),
    say('I will not fix it.'),
    (req) => {
      assert.match(lastUserText(req), /lint still reports errors after your last turn/);
      return say('Still not.');
    },
  ]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'go\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(api.remaining(), 0);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /specs\/api\.md\n\s+\d+:\d+\s+error\s+depends_on names 'ghost'/);
  assert.match(r.stdout, /lint: 1 error, 0 warnings in specs \(specdag lint specs\)/);
});

test('the model: --model, else SPECDAG_MODEL, else the default', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([say('a'), say('b'), say('c'), say('d'), say('e'), say('f')]);
  t.after(() => api.close());
  await interviewInProcess({ model: 'claude-flag' }, { cwd, env: fakeEnv(api, { SPECDAG_MODEL: 'claude-env' }), input: 'x\n' });
  await interviewInProcess({}, { cwd, env: fakeEnv(api, { SPECDAG_MODEL: 'claude-env' }), input: 'x\n' });
  await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'x\n' });
  assert.deepEqual(
    api.requests.map((r) => r.body.model),
    ['claude-flag', 'claude-flag', 'claude-env', 'claude-env', 'claude-sonnet-5-5', 'claude-sonnet-5-5'],
  );
  assert.deepEqual(api.failures, []);
});

test('a tool call cut off at max_tokens is answered with an error, not run', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([
    { kind: 'message', content: [call('write_spec', { id: 'big', markdown: '---\nid: big\n' })], stopReason: 'max_tokens' },
    (req) => {
      const [result] = toolResults(req);
      assert.equal(result!.is_error, true);
      assert.match(result!.content, /cut off at max_tokens/);
      return say('I will write smaller specs.');
    },
    say('Bye.'),
  ]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'x\n' });
  assert.deepEqual(api.failures, []);
  assert.equal(r.code, 0);
  assert.equal(existsSync(join(cwd, 'specs', 'big.md')), false);
});

test('empty standard input on a new interview is a usage error, with no request and no transcript', async (t) => {
  const cwd = tempDir();
  const api = await startFakeApi([]);
  t.after(() => api.close());
  const r = await cliAsync(['interview', 'specs'], { cwd, env: fakeEnv(api), input: '' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /standard input was empty/);
  assert.equal(api.requests.length, 0);
  assert.equal(existsSync(join(cwd, '.specdag')), false);
});

test('in a git repository the transcript goes to the repository root', async (t) => {
  const root = tempDir();
  writeTree(root, { '.git/HEAD': 'ref: refs/heads/main\n' });
  const cwd = join(root, 'sub');
  writeTree(cwd, { 'keep.txt': '' });
  const api = await startFakeApi([say('Hi.'), say('Bye.')]);
  t.after(() => api.close());
  const r = await interviewInProcess({}, { cwd, env: fakeEnv(api), input: 'x\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readdirSync(join(root, '.specdag', 'interviews')).length, 1);
  assert.equal(transcripts(root)[0]!.data.dir, 'sub/specs');
  assert.equal(existsSync(join(cwd, '.specdag')), false);
});
