// The live page in chromium: a real `specdag run` (the built binary, a slow
// stand-in agent, a temp git repo) turns nodes running then merged without a
// reload; the side panel shows a task's log, its failure, checks and files
// outside its owns; a state.json written by hand with fields this version
// does not know is shown, not trusted.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, ROOT } from '../helpers.js';
import { makeRepo } from '../run/helpers.js';
import type { Page } from 'playwright-core';
import { artifact, launcher, noBrowser } from './browser.js';
import { serve } from './serve.js';

/** Says hello on stdout (the task's log), writes its file, sleeps and exits as its control files say. */
const SLOW_AGENT = `#!/bin/sh
id="$SPECDAG_TASK_ID"
echo "hello from $id"
mkdir -p out
echo "$id" > "out/$id.txt"
if [ -f "$AGENT_CTL/$id.sleep" ]; then sleep "$(cat "$AGENT_CTL/$id.sleep")"; fi
echo "bye from $id"
if [ -f "$AGENT_CTL/$id.exit" ]; then echo "failing on purpose" >&2; exit "$(cat "$AGENT_CTL/$id.exit")"; fi
exit 0
`;

const status = (id: string, s: string) => `[data-task-id="${id}"][data-status="${s}"]`;

/**
 * Waits until the element's text matches. A function, not a string: the
 * page's Content-Security-Policy forbids eval, which string predicates use.
 */
async function textMatches(page: Page, selector: string, pattern: RegExp, timeout = 30_000): Promise<unknown> {
  return page.waitForFunction(
    ([sel, source, flags]) => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(sel!);
      return el !== null && new RegExp(source!, flags).test(el.textContent ?? '');
    },
    [selector, pattern.source, pattern.flags],
    { timeout },
  ).catch(async (err: unknown) => {
    await page.screenshot({ path: artifact('failed-wait.png') });
    throw new Error(`${selector} never matched ${pattern}; it says ${JSON.stringify(await page.textContent(selector))} (picture: ${artifact('failed-wait.png')})`, { cause: err });
  });
}
const LONG = { timeout: 120_000 };

describe('specdag ui, live, in chromium', { skip: noBrowser }, () => {
  const browser = launcher();

  test('a run turns a node running, then merged, without a reload; clicking a task shows its log', async () => {
    const repo = makeRepo(
      [
        { id: 'alpha', phase: 'foundation', estimate: '2h' },
        { id: 'beta', deps: ['alpha'], estimate: '8h' },
        { id: 'gamma', deps: ['alpha'], estimate: '3h' },
        { id: 'delta', deps: ['alpha'] },
        { id: 'epsilon', deps: ['delta'] },
        { id: 'omega', phase: 'integration', deps: ['beta', 'gamma'] },
      ],
      { project: { agents: { slow: 'sh scripts/slow-agent.sh' } }, files: { 'scripts/slow-agent.sh': SLOW_AGENT } },
    );
    repo.control('beta', 'sleep', '8');
    repo.control('delta', 'exit', '3');
    const ui = await serve(repo.root, repo.env);
    const w = await browser.open('light', { width: 1600, height: 900 });
    await w.page.goto(ui.url);
    await w.page.waitForSelector('html[data-drawn]');
    assert.equal(await w.page.locator('[data-task-id]').count(), 6);
    assert.equal(await w.page.locator('[data-status="planned"]').count(), 6);
    assert.match((await w.page.textContent('#run'))!, /no run yet/);
    await w.page.evaluate('window.sameDocument = true');

    const run = spawn(process.execPath, [BIN, 'run', 'specs'], { cwd: repo.root, env: repo.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let runOutput = '';
    run.stdout.setEncoding('utf8').on('data', (s: string) => (runOutput += s));
    run.stderr.setEncoding('utf8').on('data', (s: string) => (runOutput += s));
    const ran = new Promise<number | null>((done) => run.once('exit', done));
    after(() => {
      if (run.exitCode === null) run.kill('SIGKILL');
    });

    await w.page.waitForSelector(status('beta', 'running'), LONG);
    await w.page.click('[data-task-id="beta"]');
    await textMatches(w.page, '#panel-log', /hello from beta/, LONG.timeout);
    await w.page.waitForSelector(status('delta', 'failed'), LONG);
    await w.page.waitForSelector(status('gamma', 'merged'), LONG);
    // The picture for the README: every state in view, none dimmed by tracing the chosen task.
    await w.page.mouse.move(5, 890);
    await w.page.evaluate('document.activeElement.blur()');
    await w.page.screenshot({ path: artifact('live-running.png') });
    // The README's picture is this one: SPECDAG_UPDATE_DOCS=1 npm test writes it.
    if (process.env.SPECDAG_UPDATE_DOCS === '1') {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      copyFileSync(artifact('live-running.png'), join(ROOT, 'docs', 'ui.png'));
    }

    await w.page.waitForSelector(status('beta', 'merged'), LONG);
    // The log kept growing in place: the end of the agent's output is there too.
    await textMatches(w.page, '#panel-log', /bye from beta/, LONG.timeout);
    assert.equal(await w.page.evaluate('window.sameDocument'), true, 'the page was not reloaded');
    assert.equal(await ran, 1, runOutput);
    await w.page.waitForSelector(status('omega', 'merged'), LONG);
    await w.page.waitForSelector(status('epsilon', 'skipped'), LONG);
    assert.match((await w.page.textContent('#run'))!, /finished/);

    await w.page.click('[data-task-id="delta"]');
    await textMatches(w.page, '#panel-run', /exit code\s*3/, LONG.timeout);
    await textMatches(w.page, '#panel-log', /failing on purpose/, LONG.timeout);
    await w.page.screenshot({ path: artifact('live-finished.png') });
    assert.deepEqual(w.errors, []);
    assert.equal(w.requests.every((r) => r.startsWith(`${ui.base}/`)), true, `only its own server: ${w.requests.filter((r) => !r.startsWith(ui.base))}`);
    await w.page.close();
    assert.equal(await ui.stop(), 0);
  });

  test('a state.json written by hand: failures, checks, files outside owns, unknown statuses and fields, a newer run', async () => {
    const repo = makeRepo([{ id: 'alpha', phase: 'foundation' }, { id: 'beta', deps: ['alpha'] }, { id: 'gamma', deps: ['alpha'] }]);
    const runs = join(repo.root, '.specdag', 'runs');
    const specDir = realpathSync(join(repo.root, 'specs'));
    const write = (runId: string, tasks: Record<string, unknown>[], extra: Record<string, unknown> = {}) => {
      mkdirSync(join(runs, runId), { recursive: true });
      const path = join(runs, runId, 'state.json');
      // As the runner writes it: whole, then renamed into place.
      writeFileSync(`${path}.tmp`, JSON.stringify({ version: 1, runId, status: 'finished', specDir, repoRoot: repo.root, pid: 0, tasks, ...extra }));
      renameSync(`${path}.tmp`, path);
    };
    const first = '20260101T000000000Z-aaaaaa';
    write(first, [
      { id: 'alpha', status: 'merged', attempts: 1, exitCode: 0 },
      { id: 'beta', status: 'running', attempts: 1, futureField: { anything: [1, 2] } },
      { id: 'gamma', status: 'pending' },
    ]);
    writeFileSync(join(runs, first, 'beta.log'), 'line one\n');
    // Another folder's run in the same repository is not this page's run.
    write('20260101T000000000Z-ffffff', [{ id: 'alpha', status: 'failed' }], { specDir: '/elsewhere/specs' });

    const ui = await serve(repo.root, repo.env);
    const w = await browser.open('dark', { width: 1280, height: 800 });
    await w.page.goto(ui.url);
    await w.page.waitForSelector(status('beta', 'running'));
    assert.equal(await w.page.getAttribute('[data-task-id="alpha"]', 'data-status'), 'merged');
    await w.page.evaluate('window.sameDocument = true');
    await w.page.click('[data-task-id="beta"]');
    await textMatches(w.page, '#panel-log', /line one/);

    // The run goes on: beta fails its check, gamma stops on Ctrl-C, and a status no version knows yet.
    write(first, [
      { id: 'alpha', status: 'merged', attempts: 1, exitCode: 0 },
      {
        id: 'beta',
        status: 'failed',
        failure: 'verify',
        reason: 'its check `npm test` exited with code 1 <b>twice</b>',
        attempts: 2,
        exitCode: 0,
        outsideOwns: ['README.md', 'src/<script>.ts'],
        checks: [{ kind: 'verify', where: '/tmp/x/beta', command: 'npm test', exitCode: 1, log: '/tmp/x/beta.verify.log', durationMs: 1200, nested: { a: 1 } }],
      },
      { id: 'gamma', status: 'interrupted', failure: 'interrupted', reason: 'stopped by Ctrl-C' },
    ]);
    writeFileSync(join(runs, first, 'beta.log'), 'line one\nline two <script>alert(1)</script>\n');
    await w.page.waitForSelector(status('beta', 'failed'));
    await w.page.waitForSelector(status('gamma', 'interrupted'));
    await textMatches(w.page, '#panel-run', /verify/);
    const panel = (await w.page.textContent('#panel-run'))!;
    assert.match(panel, /its check `npm test` exited with code 1 <b>twice<\/b>/);
    assert.match(panel, /README\.md/);
    assert.match(panel, /src\/<script>\.ts/);
    assert.match(panel, /verify: npm test → exit 1/);
    assert.match(panel, /where: \/tmp\/x\/beta/);
    assert.match(panel, /nested: \{"a":1\}/);
    await textMatches(w.page, '#panel-log', /line two <script>alert\(1\)<\/script>/);
    await w.page.screenshot({ path: artifact('live-by-hand-dark.png') });

    // A newer run of the folder takes over; a status this version does not know is shown as unknown.
    write('20260102T000000000Z-bbbbbb', [
      { id: 'alpha', status: 'merged' },
      { id: 'beta', status: 'exploded</text><script>' },
    ]);
    await w.page.waitForSelector(status('beta', 'unknown'));
    await w.page.waitForSelector(status('gamma', 'planned'));
    assert.match((await w.page.textContent('#run'))!, /20260102T000000000Z-bbbbbb/);
    assert.equal(await w.page.evaluate('window.sameDocument'), true);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.dialogs, []);
    await w.page.close();
    assert.equal(await ui.stop(), 0);
  });
});
