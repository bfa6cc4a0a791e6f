/**
 * The picture benchmark (build first: it runs dist/cli/bin.js, as a user would).
 *
 *   node --import tsx bench/html.ts [--rounds 5] [--only 100,1000] [--seed 1]
 *
 * For each size, on the folders bench/generate.ts makes (shared with
 * bench/run.ts in bench/out/): `plan DIR --format html` against `plan DIR
 * --format json`, child processes timed in interleaved rounds after one
 * untimed round (lint cache warm for both), medians; goal html ≤ 3× json at
 * 1,000 tasks. The layout alone, in this process (layoutPlan on the plan).
 * Then, in headless chromium (Debian's /usr/bin/chromium), the time from
 * navigation to the graph drawn for the 1,000-task file: the page sets
 * `data-drawn` on <html> to `performance.now()` two animation frames after
 * its script has laid the view out; goal ≤ 2 s. Goals are reported, never
 * enforced. Writes bench/out/html-results.json.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { RunPlan } from '../src/plan/types.js';
import { layoutPlan } from '../src/ui/layout.js';
import { generate, MANIFEST_FILE } from './generate.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const CHROMIUM = '/usr/bin/chromium';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, only: { type: 'string', default: '100,1000' }, seed: { type: 'string', default: '1' } } });
const ROUNDS = Number(values.rounds);
const SIZES = values.only.split(',').map(Number);
const SEED = Number(values.seed);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const spread = (xs: number[]) => `${ms(median(xs))} (${ms(Math.min(...xs))}-${ms(Math.max(...xs))})`;
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The same folders and stamp as bench/run.ts: generated once per generator version. */
function folder(n: number): string {
  const hash = createHash('sha256').update(readFileSync(join(ROOT, 'bench', 'generate.ts'))).digest('hex').slice(0, 16);
  const dir = join(OUT, `n${n}-s${SEED}`);
  const stamp = `${hash} n=${n} seed=${SEED} defects=0\n`;
  const stampPath = join(dir, '_bench-stamp.txt');
  if (!(existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp && existsSync(join(dir, MANIFEST_FILE)))) {
    generate({ n, seed: SEED, out: dir });
    writeFileSync(stampPath, stamp);
    log(`generated ${dir}`);
  }
  return dir;
}

function plan(dir: string, format: 'json' | 'html'): { ms: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, 'plan', dir, '--format', format], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const took = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`plan --format ${format} ${dir} exited ${r.status}: ${r.stderr}`);
  return { ms: took, stdout: r.stdout };
}

mkdirSync(OUT, { recursive: true });
log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const results: Record<string, unknown> = { date: new Date().toISOString(), rounds: ROUNDS, load: loadavg() };
const files = new Map<number, string>();

for (const n of SIZES) {
  const dir = folder(n);
  // Untimed: warms the lint cache and the file cache for both commands, and keeps one of each output.
  const json = plan(dir, 'json');
  const html = plan(dir, 'html');
  const file = join(OUT, `plan-n${n}.html`);
  writeFileSync(file, html.stdout);
  files.set(n, file);
  const times: Record<'json' | 'html', number[]> = { json: [], html: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const format of round % 2 ? (['html', 'json'] as const) : (['json', 'html'] as const)) times[format].push(plan(dir, format).ms);
  }
  const ratios = times.html.map((h, i) => h / times.json[i]!);
  const planJson = JSON.parse(json.stdout) as RunPlan;
  const layout: number[] = [];
  let mode = '';
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    mode = layoutPlan(planJson).mode;
    layout.push(performance.now() - t0);
  }
  const ratio = median(times.html) / median(times.json);
  log(
    `n=${n}: plan --format json ${spread(times.json)}, --format html ${spread(times.html)}: ${ratio.toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x); layout alone (${mode}) ${spread(layout)}; html ${(html.stdout.length / 1024 / 1024).toFixed(1)} MiB${n === 1000 ? `; goal ≤ 3x: ${ratio <= 3 ? 'met' : 'NOT met'}` : ''}`,
  );
  results[`n${n}`] = { json: times.json, html: times.html, ratio, layoutMs: layout, layoutMode: mode, htmlBytes: html.stdout.length };
}

const big = files.get(1000);
if (big && existsSync(CHROMIUM)) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const drawn: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    for (let round = 0; round <= ROUNDS; round++) {
      const page = await context.newPage();
      await page.goto(pathToFileURL(big).href);
      await page.waitForSelector('html[data-drawn]', { timeout: 60_000 });
      const at = Number(await page.getAttribute('html', 'data-drawn'));
      // The first navigation compiles and caches: reported apart.
      if (round > 0) drawn.push(at);
      else log(`chromium, 1,000 tasks, first navigation: graph drawn ${ms(at)} after navigation start`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const m = median(drawn);
  log(`chromium, 1,000 tasks: navigation to graph drawn ${spread(drawn)}; goal ≤ 2 s: ${m <= 2000 ? 'met' : 'NOT met'}`);
  results.drawn1000 = drawn;
} else if (big) {
  log(`${CHROMIUM} is missing: the browser measure is skipped`);
}
writeFileSync(join(OUT, 'html-results.json'), `${JSON.stringify(results, null, 2)}\n`);
