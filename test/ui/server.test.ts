// `specdag ui` over plain HTTP, from the built binary: the token, the routes,
// the headers, Ctrl-C. The browser tests (live.test.ts) look at the page.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { noBrowserReason } from '../../src/ui/open.js';
import { GIT_ENV } from '../run/helpers.js';
import { tempDir } from '../helpers.js';
import { writeDemo } from './fixture.js';
import { get, serve } from './serve.js';

function demoRepo(): string {
  const dir = tempDir();
  writeDemo(dir);
  execFileSync('git', ['init', '--quiet', '-b', 'main', dir], { env: { ...process.env, ...GIT_ENV } });
  return dir;
}

test('ui: the URL first, 403 without the token on every route, nothing outside its routes, a CSP that names no other host, Ctrl-C stops it', async () => {
  const dir = demoRepo();
  const ui = await serve(dir, { ...process.env, ...GIT_ENV });
  assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/);

  for (const path of ['/', '/events', '/api/task/api', '/api/log/api', '/?token=', `/?token=${ui.token}x`, `/?token=${ui.token.slice(1)}`, '/../', '/nothing']) {
    const r = await get(ui.base, path);
    assert.equal(r.status, 403, `${path} without the right token`);
    assert.doesNotMatch(r.body, /<html|"id"/, 'a refusal shows nothing');
  }
  // The token does not help a page on another site that points a DNS name at 127.0.0.1.
  assert.equal((await get(ui.base, `/?token=${ui.token}`, { Host: 'attacker.example' })).status, 403);

  const t = `token=${ui.token}`;
  for (const path of [`/../?${t}`, `/..%2f?${t}`, `/%2e%2e/?${t}`, `/%2E%2E/%2e%2e/etc/passwd?${t}`, `/api/task/../../specs/PROJECT.md?${t}`, `/api/log/%2e%2e%2fstate?${t}`, `//etc/passwd?${t}`, `/specs/api.md?${t}`, `/index.html?${t}`, `/api/task/nosuch?${t}`, `/api/task/API?${t}`, `http://127.0.0.1/?${t}`]) {
    const r = await get(ui.base, path);
    assert.equal(r.status, 404, path);
    assert.equal(r.body, 'not found\n', path);
  }

  const page = await get(ui.base, `/?${t}`);
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(csp, /https?:|\*|unsafe/, 'no other host, no wildcard, no unsafe-inline');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal((page.body.match(/data-task-id="/g) ?? []).length, 6);

  const task = await get(ui.base, `/api/task/api?${t}`);
  assert.equal(task.status, 200);
  const detail = JSON.parse(task.body) as { id: string; run: unknown; spec: string };
  assert.equal(detail.id, 'api');
  assert.equal(detail.run, null);
  assert.match(detail.spec, /^---\nid: api\n/);
  const log = await get(ui.base, `/api/log/api?${t}`);
  assert.deepEqual([log.status, log.headers['x-log-missing'], log.body], [200, '1', ''], 'no run, no log: said so, without an error');

  const events = await get(ui.base, `/events?${t}`);
  assert.match(String(events.headers['content-type']), /^text\/event-stream/);
  assert.match(events.body, /event: state\ndata: \{"full":true,"run":null,"tasks":\{\}\}\n\n/);

  assert.equal(await ui.stop(), 0);
  assert.match(ui.stderr(), /Ctrl-C stops it/);
});

test('ui: --port takes the port asked for; a taken port is one sentence and exit 2', async () => {
  const dir = demoRepo();
  const first = await serve(dir, { ...process.env, ...GIT_ENV });
  const port = new URL(first.base).port;
  await assert.rejects(serve(dir, { ...process.env, ...GIT_ENV }, ['specs', '--port', port]), /exited \(2\)[\s\S]*port \d+ on 127\.0\.0\.1 is taken; choose another with --port/);
  await first.stop();
  const again = await serve(dir, { ...process.env, ...GIT_ENV }, ['specs', '--port', port]);
  assert.equal(new URL(again.base).port, port);
  await again.stop();
});

test('ui without --no-open, in CI or without a display: it says why no browser opens, and serves', async () => {
  const dir = demoRepo();
  const env = { ...process.env, ...GIT_ENV };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.CI;
  const headless = await serve(dir, env, ['specs'], true);
  assert.equal((await get(headless.base, `/?token=${headless.token}`)).status, 200);
  assert.equal(await headless.stop(), 0);
  assert.match(headless.stderr(), /not opening a browser because there is no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\); open the address yourself/);
  const ci = await serve(dir, { ...env, DISPLAY: ':99', CI: 'true' }, ['specs'], true);
  assert.equal(await ci.stop(), 0);
  assert.match(ci.stderr(), /not opening a browser because CI is set/);
});

test('the browser opens only where someone can see it', () => {
  assert.equal(noBrowserReason({ DISPLAY: ':0' }, 'linux'), undefined);
  assert.equal(noBrowserReason({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux'), undefined);
  assert.match(noBrowserReason({}, 'linux')!, /no display/);
  assert.match(noBrowserReason({ DISPLAY: ':0', CI: 'true' }, 'linux')!, /CI/);
  assert.equal(noBrowserReason({}, 'darwin'), undefined);
  assert.match(noBrowserReason({ CI: '1' }, 'win32')!, /CI/);
});
