// `plan --format html` opened from disk in Debian's chromium: one file,
// no request anywhere else, the contract's data-* attributes on one node per
// task, every value from the specs shown as text.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { generate } from '../../bench/generate.js';
import { cli, tempDir } from '../helpers.js';
import { artifact, launcher, noBrowser, type Watched } from './browser.js';
import { EVIL_TITLE, writeDemo } from './fixture.js';

interface PlanJson {
  tasks: { id: string; phase: string; status: string; title: string; dependsOn: string[] }[];
  criticalPath: { tasks: string[] };
}

function planOf(specs: string, cwd: string): { json: PlanJson; file: string } {
  const json = cli(['plan', specs, '--format', 'json'], { cwd });
  assert.equal(json.code, 0, json.stderr);
  const html = cli(['plan', specs, '--format', 'html'], { cwd });
  assert.equal(html.code, 0, html.stderr);
  const file = join(cwd, 'plan.html');
  writeFileSync(file, html.stdout);
  return { json: JSON.parse(json.stdout) as PlanJson, file };
}

/** Opens the file and waits for the graph to be drawn. */
async function show(watched: Watched, file: string): Promise<void> {
  await watched.page.goto(pathToFileURL(file).href);
  await watched.page.waitForSelector('html[data-drawn]');
}

describe('plan --format html in chromium', { skip: noBrowser }, () => {
  const browser = launcher();

  test('one self-contained file: no request but the file itself, no console error, one node per task with its data-*', async () => {
    const dir = tempDir();
    const { json, file } = planOf(writeDemo(dir), dir);
    const w = await browser.open('light');
    await show(w, file);
    const url = pathToFileURL(file).href;
    assert.deepEqual(
      w.requests.filter((r) => r !== url),
      [],
      'the page asked for something besides itself',
    );
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.dialogs, [], 'a title or spec ran as a script');

    const nodes = await w.page.$$eval('[data-task-id]', (els) =>
      els.map((e) => ({ id: e.getAttribute('data-task-id'), phase: e.getAttribute('data-phase'), critical: e.getAttribute('data-critical'), status: e.getAttribute('data-status') })),
    );
    const critical = new Set(json.criticalPath.tasks);
    assert.deepEqual(
      [...nodes].sort((a, b) => a.id!.localeCompare(b.id!)),
      json.tasks
        .map((t) => ({ id: t.id, phase: t.phase, critical: String(critical.has(t.id)), status: t.status === 'done' ? 'done' : 'planned' }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
    assert.deepEqual([...critical].sort(), ['api', 'base', 'integrate']);
    assert.equal(nodes.find((n) => n.id === 'docs')!.status, 'done');
    // One edge per depends_on, drawn between the right nodes.
    const edges = await w.page.$$eval('path.edge:not(.implicit)', (els) => els.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`).sort());
    assert.deepEqual(edges, json.tasks.flatMap((t) => t.dependsOn.map((d) => `${d}>${t.id}`)).sort());

    // The hostile title is text in the node and its tooltip, and no element came out of it.
    assert.equal(await w.page.textContent('[data-task-id="evil"] title'), `evil: ${EVIL_TITLE}`);
    assert.equal(await w.page.locator('img').count(), 0);
    assert.equal(await w.page.locator('script').count(), 3, 'the data, the code, the specs');
    await w.page.screenshot({ path: artifact('static-light.png') });
  });

  test('hover traces what a task waits on and what waits on it; click and Enter show its spec; dark follows the system', async () => {
    const dir = tempDir();
    const { file } = planOf(writeDemo(dir), dir);
    const w = await browser.open('dark');
    await show(w, file);
    assert.equal(await w.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches"), true);

    await w.page.hover('[data-task-id="evil"]');
    const lit = await w.page.$$eval('g.node.lit', (els) => els.map((e) => `${e.getAttribute('data-task-id')}:${e.classList.contains('up') ? 'up' : e.classList.contains('down') ? 'down' : 'self'}`).sort());
    assert.deepEqual(lit, ['base:up', 'evil:self', 'integrate:down', 'web:up']);
    assert.equal(await w.page.locator('path.edge.lit').count(), 3);

    await w.page.click('[data-task-id="evil"]');
    await w.page.waitForSelector('#panel:not([hidden])');
    assert.equal(await w.page.textContent('#panel-id'), 'evil');
    assert.equal(await w.page.textContent('#panel .subtitle'), EVIL_TITLE);
    const spec = await w.page.textContent('#panel-spec');
    assert.match(spec!, /<script>alert\('body'\)<\/script> stays text/);
    await w.page.screenshot({ path: artifact('static-dark-panel.png') });

    // Keyboard only: Escape closes, Tab reaches the nodes, Enter opens the focused one.
    await w.page.keyboard.press('Escape');
    assert.equal(await w.page.locator('#panel').isHidden(), true);
    await w.page.focus('[data-task-id="base"]');
    await w.page.keyboard.press('Tab');
    const focused = await w.page.evaluate<string | null>("document.activeElement.getAttribute('data-task-id')");
    assert.ok(focused && focused !== 'base', `Tab moved to ${focused}`);
    await w.page.keyboard.press('Enter');
    assert.equal(await w.page.textContent('#panel-id'), focused);
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.dialogs, []);
  });

  test('zoom and pan change the view, not the page', async () => {
    const dir = tempDir();
    const { file } = planOf(writeDemo(dir), dir);
    const w = await browser.open('light');
    await show(w, file);
    // The view changes on the next animation frame: wait for two before reading it.
    const viewBox = async () => {
      await w.page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
      return w.page.getAttribute('#graph', 'viewBox');
    };
    const before = await viewBox();
    await w.page.click('#zoom-in');
    const zoomed = await viewBox();
    assert.notEqual(zoomed, before);
    assert.ok(Number(zoomed!.split(' ')[2]) < Number(before!.split(' ')[2]), 'zooming in shows less');
    await w.page.mouse.move(600, 500);
    await w.page.mouse.down();
    await w.page.mouse.move(500, 450, { steps: 5 });
    await w.page.mouse.up();
    const panned = (await viewBox())!.split(' ').map(Number);
    const z = zoomed!.split(' ').map(Number);
    assert.ok(panned[0]! > z[0]! && panned[1]! > z[1]!, `dragging left and up moves the view right and down: ${z} → ${panned}`);
    await w.page.keyboard.press('0');
    assert.equal(await viewBox(), before);
  });

  test('1,000 tasks: drawn, one node each, readable once zoomed in', async () => {
    const dir = tempDir();
    const specs = join(dir, 'specs');
    generate({ n: 1000, seed: 1, out: specs });
    const { json, file } = planOf(specs, dir);
    const w = await browser.open('light');
    await show(w, file);
    assert.equal(await w.page.locator('[data-task-id]').count(), 1000);
    assert.equal(new Set(await w.page.$$eval('[data-task-id]', (els) => els.map((e) => e.getAttribute('data-task-id')))).size, json.tasks.length);
    assert.deepEqual(w.errors, []);
    await w.page.screenshot({ path: artifact('static-1000.png') });
    // Find a task on the critical path: the view moves to it and its text shows.
    const target = json.criticalPath.tasks[Math.floor(json.criticalPath.tasks.length / 2)]!;
    await w.page.fill('#find', target);
    await w.page.press('#find', 'Enter');
    await w.page.waitForSelector(`#panel[data-chosen="${target}"]`);
    // Zoomed in far enough to show the labels (the view changes on the next frame).
    await w.page.waitForSelector('#graph:not(.far)');
    const box = await w.page.locator(`[data-task-id="${target}"]`).boundingBox();
    const view = await w.page.locator('#viewport').boundingBox();
    assert.ok(box && view && box.x >= view.x && box.x + box.width <= view.x + view.width, 'the task found is in view');
    await w.page.screenshot({ path: artifact('static-1000-found.png') });
  });
});
