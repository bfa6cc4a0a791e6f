// `specdag run --ui`: the live page is served while the run goes on, and only then.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { makeRepo } from './helpers.js';

test('run --ui serves the live page beside the run and closes it when the run ends', async () => {
  const repo = makeRepo([{ id: 'slow' }, { id: 'after', deps: ['slow'] }]);
  repo.control('slow', 'sleep', '2');
  let stderr = '';
  const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, cwd: repo.root, env: { ...repo.env, CI: '1' } };
  const running = main(['run', 'specs', '--ui'], io);

  // The URL is on stderr before the first agent starts.
  let url: string | undefined;
  for (let waited = 0; url === undefined && waited < 60_000; waited += 50) {
    url = /the run, live: (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(stderr)?.[1];
    if (url === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(url, `a URL on stderr: ${stderr}`);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /data-task-id="slow"/);
  assert.match(html, /data-task-id="after"/);
  assert.equal((await fetch(url.replace(/\?token=.*/, ''))).status, 403, 'no token, no page');

  assert.equal(await running, 0, stderr);
  await assert.rejects(fetch(url), 'the page is gone once the run has ended');
});
