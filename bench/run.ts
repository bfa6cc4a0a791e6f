/**
 * The lint benchmark: `npm run bench` (build first, then this file through tsx).
 *
 *   node --import tsx bench/run.ts [--rounds 5] [--big] [--only 30,1000,10000,50000,suffix,packages] [--seed 1]
 *
 * For each case it generates a spec folder (cached in bench/out/ until the
 * generator changes), then times, in interleaved rounds, child processes:
 * the floor (bench/floor.mjs), `specdag lint DIR --format json` warm and
 * `--no-cache`, and for N = 30 `node -e 0`. The cases: realistic folders of
 * 30, 1,000 and 10,000 specs (10,000 also with 100 injected defects, and 1,000
 * and 10,000 also on one thread, SPECDAG_WORKERS=0), 50,000 specs warm (with
 * `--big` also the floor and `--no-cache`), and the two ownership worst cases
 * of issue 16 (`suffix`, `packages`) at 5,000 and 10,000 tasks. Lint runs with
 * SPECDAG_PROFILE=1 and reports its peak RSS, time per phase and worker count
 * on stderr. Prints a table and the goals, and writes bench/out/results.json.
 * Goals are reported, never enforced: the exit code is 0 unless something
 * could not be measured at all.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cachePath } from '../src/lint/service.js';
import { generate, MANIFEST_FILE, type Manifest, type Shape } from './generate.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const STAMP_FILE = '_bench-stamp.txt';
const DEFECTS_AT_10K = 100;
const MiB = 1024 * 1024;

/**
 * `lint` reuses its cache across rounds (the default); `lint-cold` parses
 * everything (`--no-cache`); `lint-cold-1t` is the same on one thread
 * (SPECDAG_WORKERS=0), against which the default worker count is judged.
 */
type Kind = 'floor' | 'lint' | 'lint-cold' | 'lint-cold-1t' | 'node' | 'lint-defects' | 'lint-defects-cold' | 'plan';

interface Sample {
  ms: number;
  code: number | null;
  /** From the `specdag-profile` line, when there was one. */
  phases?: Record<string, number>;
  maxRssKiB?: number;
  /** From the `specdag-workers` line: how many worker threads lint chose. */
  workers?: number;
}

interface Case {
  /** Unique: `30`, `10000`, `suffix-5000`... */
  key: string;
  n: number;
  shape: Shape;
  dir: string;
  manifest: Manifest;
  kinds: Kind[];
  /** The same N with defects injected (only at 10,000). */
  defects?: { dir: string; manifest: Manifest };
  samples: Partial<Record<Kind, Sample[]>>;
  floorRssKiB?: number;
  /** Bytes of the lint cache file after a warm run. */
  cacheBytes?: number;
}

/* ---------------------------------------------------------------- stats */

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
function median(xs: number[]): number {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const spread = (xs: number[]) => (xs.length ? `${fmtMs(median(xs))} (${fmtMs(Math.min(...xs))}-${fmtMs(Math.max(...xs))})` : 'n/a');
const times = (xs: Sample[] | undefined) => (xs ?? []).map((s) => s.ms);
const thousands = (n: number) => n.toLocaleString('en-US');

/* ------------------------------------------------------------ processes */

function run(args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; code: number | null; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 512 * MiB,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function profileOf(stderr: string): Pick<Sample, 'phases' | 'maxRssKiB' | 'workers'> {
  const out: Pick<Sample, 'phases' | 'maxRssKiB' | 'workers'> = {};
  const workers = /^specdag-workers (\d+)$/m.exec(stderr);
  if (workers) out.workers = Number(workers[1]);
  const line = stderr.split('\n').find((l) => l.startsWith('specdag-profile '));
  if (!line) return out;
  try {
    const data = JSON.parse(line.slice('specdag-profile '.length)) as { phases?: Record<string, number>; maxRssKiB?: number };
    if (data.phases) out.phases = data.phases;
    if (typeof data.maxRssKiB === 'number') out.maxRssKiB = data.maxRssKiB;
  } catch {
    // no profile: RSS and phases are n/a
  }
  return out;
}

function commandOf(kind: Kind, c: Case): { args: string[]; env?: NodeJS.ProcessEnv } {
  const lint = (dir: string, ...more: string[]) => [BIN, 'lint', dir, '--format', 'json', ...more];
  const profiled = { SPECDAG_PROFILE: '1' };
  switch (kind) {
    case 'floor':
      return { args: [FLOOR, c.dir] };
    case 'node':
      return { args: ['-e', '0'] };
    case 'lint':
      return { args: lint(c.dir), env: profiled };
    case 'lint-cold':
      return { args: lint(c.dir, '--no-cache'), env: profiled };
    case 'lint-cold-1t':
      return { args: lint(c.dir, '--no-cache'), env: { ...profiled, SPECDAG_WORKERS: '0' } };
    case 'lint-defects':
      return { args: lint(c.defects!.dir), env: profiled };
    case 'lint-defects-cold':
      return { args: lint(c.defects!.dir, '--no-cache'), env: profiled };
    case 'plan':
      return { args: [BIN, 'plan', c.dir, '--format', 'json'] };
  }
}

/* ----------------------------------------------------------- generation */

const generatorHash = createHash('sha256').update(readFileSync(join(ROOT, 'bench', 'generate.ts'))).digest('hex').slice(0, 16);

/** Generates the folder unless an identical one (same options, same generator source) is already there. */
function folder(n: number, seed: number, defects: number, shape: Shape): { dir: string; manifest: Manifest } {
  const dir = join(OUT, `${shape === 'realistic' ? '' : `${shape}-`}n${n}-s${seed}${defects ? `-d${defects}` : ''}`);
  const stamp = `${generatorHash} n=${n} seed=${seed} defects=${defects} shape=${shape}\n`;
  const stampPath = join(dir, STAMP_FILE);
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp && existsSync(join(dir, MANIFEST_FILE))) {
    return { dir, manifest: JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest };
  }
  const t0 = performance.now();
  const manifest = generate({ n, seed, defects, shape, out: dir });
  writeFileSync(stampPath, stamp);
  log(`generated ${rel(dir)}: ${thousands(n)} specs, ${(manifest.bytes / MiB).toFixed(1)} MiB, ${defects} defects (${fmtMs(performance.now() - t0)})`);
  return { dir, manifest };
}

const rel = (p: string) => relative(ROOT, p).split(sep).join('/');
const log = (s: string) => process.stderr.write(`${s}\n`);

/* --------------------------------------------------------------- checks */

interface LintJson {
  errorCount: number;
  warningCount: number;
  diagnostics: { ruleId: string; file: string; message: string }[];
}

function parseLint(stdout: string): LintJson | undefined {
  try {
    return JSON.parse(stdout) as LintJson;
  } catch {
    return undefined;
  }
}

const warnings: string[] = [];
function warn(s: string): void {
  warnings.push(s);
  log(`WARNING: ${s}`);
}

/** The first, untimed round: warms the file and lint caches and checks that every command does what it should. */
function checkRound(c: Case): void {
  if (c.kinds.includes('floor')) {
    const floor = run([FLOOR, c.dir]);
    if (floor.code !== 0 || !floor.stdout.startsWith(`${c.n} specs`)) warn(`floor on ${c.key} printed '${floor.stdout.trim()}' (exit ${floor.code}), expected ${c.n} specs`);
    const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n'))`;
    const rss = /maxrss (\d+)/.exec(run(['--import', hook, FLOOR, c.dir]).stderr);
    if (rss) c.floorRssKiB = Number(rss[1]);
  }

  const clean = run(commandOf('lint', c).args, commandOf('lint', c).env);
  const result = parseLint(clean.stdout);
  const expected = new Set(c.manifest.expected ?? []);
  if (!result) warn(`lint on ${c.key} did not print JSON (exit ${clean.code}): ${clean.stderr.trim().split('\n')[0] ?? ''}`);
  else {
    const unexpected = result.diagnostics.filter((d) => !expected.has(d.ruleId));
    if (clean.code !== 0 || unexpected.length > 0) {
      warn(`the clean folder ${c.key} does not lint clean (exit ${clean.code}): ${countByRule(result)}; first: ${unexpected[0]?.file}: ${unexpected[0]?.message}`);
    }
  }
  if (!profileOf(clean.stderr).phases) warn(`lint printed no 'specdag-profile' line with SPECDAG_PROFILE=1: RSS and phases are n/a`);
  try {
    c.cacheBytes = statSync(cachePath(c.dir)).size;
  } catch {
    warn(`no lint cache for ${c.key} at ${rel(cachePath(c.dir))}`);
  }

  if (c.defects) {
    const d = run(commandOf('lint-defects', c).args, commandOf('lint-defects', c).env);
    const got = parseLint(d.stdout);
    if (!got) {
      warn(`lint of the defect folder did not print JSON (exit ${d.code})`);
      return;
    }
    const seen = new Set(got.diagnostics.map((x) => `${x.ruleId}\0${x.file}`));
    const missing = c.defects.manifest.defects.filter((x) => !seen.has(`${x.ruleId}\0${rel(join(c.defects!.dir, x.file))}`));
    const expectedRules = new Set(c.defects.manifest.defects.map((x) => x.ruleId));
    const unexpected = got.diagnostics.filter((x) => !expectedRules.has(x.ruleId));
    log(`defect folder: ${c.defects.manifest.defects.length} injected, ${got.diagnostics.length} diagnostics (${countByRule(got)})`);
    if (missing.length > 0) {
      warn(`${missing.length} of ${c.defects.manifest.defects.length} injected defects got no diagnostic of their rule on their file:\n` + missing.map((x) => `  ${x.ruleId} ${x.file}: ${x.note}`).join('\n'));
    }
    if (unexpected.length > 0) warn(`${unexpected.length} diagnostics from rules no defect was injected for: ${[...new Set(unexpected.map((x) => x.ruleId))].join(', ')}`);
  }
}

function countByRule(r: LintJson): string {
  const counts = new Map<string, number>();
  for (const d of r.diagnostics) counts.set(d.ruleId, (counts.get(d.ruleId) ?? 0) + 1);
  return [...counts].sort().map(([k, v]) => `${k} ×${v}`).join(', ') || 'none';
}

/* ----------------------------------------------------------------- main */

function main(): void {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      big: { type: 'boolean', default: false },
      only: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const rounds = Number(values.rounds);
  const seed = Number(values.seed);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  if (!existsSync(BIN)) throw new Error(`${rel(BIN)} is missing: run 'npm run build' first`);
  const wanted = (values.only ?? '30,1000,10000,50000,suffix,packages').split(',').map((s) => s.trim().replace(/_/g, ''));
  mkdirSync(OUT, { recursive: true });

  const cases: Case[] = [];
  const add = (n: number, shape: Shape, kinds: Kind[]) => {
    const c: Case = { key: shape === 'realistic' ? String(n) : `${shape}-${n}`, n, shape, ...folder(n, seed, 0, shape), kinds, samples: {} };
    if (shape === 'realistic' && n === 10_000) c.defects = folder(n, seed, DEFECTS_AT_10K, shape);
    cases.push(c);
  };
  for (const token of wanted) {
    if (token === 'suffix' || token === 'packages') {
      for (const n of [5000, 10_000]) add(n, token, ['floor', 'lint', 'lint-cold']);
      continue;
    }
    const n = Number(token);
    if (!Number.isInteger(n) || n < 3) throw new Error(`--only: '${token}' is neither a size nor suffix/packages`);
    if (n === 30) add(n, 'realistic', ['node', 'floor', 'lint', 'lint-cold']);
    else if (n === 10_000) add(n, 'realistic', ['floor', 'lint', 'lint-cold', 'lint-cold-1t', 'lint-defects', 'lint-defects-cold', 'plan']);
    // 50,000 warm is an issue-16 goal (peak RSS, cache size); the floor and --no-cache take minutes each, so only with --big.
    else if (n === 50_000) add(n, 'realistic', values.big ? ['floor', 'lint', 'lint-cold'] : ['lint']);
    else add(n, 'realistic', ['floor', 'lint', 'lint-cold', ...(n === 1000 ? (['lint-cold-1t'] as const) : [])]);
  }

  const load0 = loadavg();
  log(`node ${process.version}, ${cpus().length} cpus, load ${load0.map((x) => x.toFixed(2)).join(' ')}; ${rounds} rounds`);
  for (const c of cases) checkRound(c);

  // Every round runs every command once; the order rotates so that none always runs right after another.
  const plan = cases.flatMap((c) => c.kinds.map((kind) => ({ c, kind })));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < plan.length; i++) {
      const { c, kind } = plan[(i + r) % plan.length]!;
      const { args, env } = commandOf(kind, c);
      const res = run(args, env);
      const sample: Sample = { ms: res.ms, code: res.code, ...(kind.startsWith('lint') ? profileOf(res.stderr) : {}) };
      (c.samples[kind] ??= []).push(sample);
    }
    log(`round ${r + 1}/${rounds} done`);
  }
  const load1 = loadavg();

  report(cases, rounds, { before: load0, after: load1 });
}

/* --------------------------------------------------------------- report */

const PHASE_ORDER = ['read', 'parse', 'schema', 'body', 'graph', 'ownership'];

/**
 * Each phase's share of the profiled time (the sum of all phases), so that
 * shares add up to 100 even when phases are summed over worker threads;
 * `profiled` says how that sum compares with the process's wall time (start-up
 * and module loading are outside every phase; workers can push it over 100).
 */
function phaseShares(samples: Sample[]): { shares: Record<string, number>; profiledOfWall?: number; text: string } {
  const withPhases = samples.filter((s) => s.phases);
  if (withPhases.length === 0) return { shares: {}, text: 'n/a' };
  const names = [...new Set(withPhases.flatMap((s) => Object.keys(s.phases!)))];
  names.sort((a, b) => (PHASE_ORDER.indexOf(a) + 1 || 99) - (PHASE_ORDER.indexOf(b) + 1 || 99) || (a < b ? -1 : 1));
  const medians = names.map((name) => median(withPhases.map((s) => s.phases![name] ?? 0)));
  const total = medians.reduce((a, b) => a + b, 0) || 1;
  const shares: Record<string, number> = {};
  names.forEach((name, i) => (shares[name] = (100 * medians[i]!) / total));
  const profiledOfWall = (100 * total) / median(times(samples));
  const text = `${names.filter((name) => PHASE_ORDER.includes(name) || shares[name]! >= 0.5).map((name) => `${name} ${shares[name]!.toFixed(0)}`).join(' ')} | profiled ${profiledOfWall.toFixed(0)}% of wall`;
  return { shares, profiledOfWall, text };
}

function peakRss(samples: Sample[] | undefined): number | undefined {
  const xs = (samples ?? []).map((s) => s.maxRssKiB).filter((x): x is number => x !== undefined);
  return xs.length ? Math.max(...xs) / 1024 : undefined;
}

interface Goal {
  group: string;
  goal: string;
  value: string;
  pass: boolean | undefined;
}

const LABEL: Record<Kind, string> = {
  floor: 'floor',
  node: 'node -e 0',
  lint: 'warm',
  'lint-cold': 'cold (--no-cache)',
  'lint-cold-1t': 'cold, one thread (SPECDAG_WORKERS=0)',
  'lint-defects': `+${DEFECTS_AT_10K} defects, warm`,
  'lint-defects-cold': `+${DEFECTS_AT_10K} defects, cold`,
  plan: 'plan --format json',
};

function report(cases: Case[], rounds: number, load: { before: number[]; after: number[] }): void {
  const rows: string[][] = [['case', 'floor median (min-max)', 'median (min-max)', 'x floor (per round)', 'peak RSS MiB (floor)', 'phase shares % (of profiled time)']];
  const results: Record<string, unknown>[] = [];
  const byKey = new Map(cases.map((c) => [c.key, c]));
  for (const c of cases) {
    const name = `${c.shape === 'realistic' ? '' : `${c.shape} `}${thousands(c.n)}`;
    for (const kind of c.kinds) {
      if (kind === 'floor' || kind === 'node') continue;
      const floor = times(c.samples.floor);
      const mine = times(c.samples[kind]);
      const perRound = floor.length ? mine.map((x, i) => x / floor[i]!) : [];
      const rss = peakRss(c.samples[kind]);
      const phases = phaseShares(c.samples[kind] ?? []);
      const workers = [...new Set((c.samples[kind] ?? []).map((s) => s.workers).filter((w) => w !== undefined))];
      rows.push([
        `${name} ${LABEL[kind]}${workers.length && workers.some((w) => w! > 0) ? ` [${workers.join('/')} workers]` : ''}`,
        spread(floor),
        spread(mine),
        floor.length ? `${(median(mine) / median(floor)).toFixed(2)}x (${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)})` : '',
        `${rss === undefined ? 'n/a' : rss.toFixed(0)} (${c.floorRssKiB ? (c.floorRssKiB / 1024).toFixed(0) : 'n/a'})`,
        phases.text,
      ]);
      results.push({
        case: c.key,
        n: c.n,
        shape: c.shape,
        kind,
        floorMs: floor,
        ms: mine,
        floorMedianMs: floor.length ? median(floor) : null,
        medianMs: median(mine),
        ratioToFloor: floor.length ? median(mine) / median(floor) : null,
        peakRssMiB: rss ?? null,
        floorRssMiB: c.floorRssKiB ? c.floorRssKiB / 1024 : null,
        workers: (c.samples[kind] ?? []).map((s) => s.workers ?? null),
        phaseSharesPercent: phases.shares,
        profiledPercentOfWall: phases.profiledOfWall ?? null,
        phasesMs: (c.samples[kind] ?? []).map((s) => s.phases ?? null),
        exitCodes: (c.samples[kind] ?? []).map((s) => s.code),
        ...(c.n === 30 ? { nodeMs: times(c.samples.node), nodeMedianMs: median(times(c.samples.node)) } : {}),
        ...(c.cacheBytes !== undefined ? { cacheBytes: c.cacheBytes, corpusBytes: c.manifest.bytes } : {}),
      });
    }
  }

  const goals: Goal[] = [];
  const med = (key: string, kind: Kind) => {
    const xs = times(byKey.get(key)?.samples[kind]);
    return xs.length ? median(xs) : undefined;
  };
  const ratio = (group: string, goal: string, a: number | undefined, b: number | undefined, max: number, note = '') =>
    goals.push(a === undefined || b === undefined ? { group, goal, value: 'not run', pass: undefined } : { group, goal, value: `${(a / b).toFixed(2)}x${note}`, pass: a / b <= max });
  const rssGoal = (group: string, goal: string, key: string, kind: Kind, maxMiB: number) => {
    const c = byKey.get(key);
    const rss = c?.samples[kind] ? peakRss(c.samples[kind]) : undefined;
    goals.push(!c?.samples[kind] ? { group, goal, value: 'not run', pass: undefined } : rss === undefined ? { group, goal, value: 'n/a', pass: undefined } : { group, goal, value: `${rss.toFixed(0)} MiB`, pass: rss <= maxMiB });
  };

  const I16 = 'Issue 16';
  for (const shape of ['suffix', 'packages'] as const) {
    const what = shape === 'suffix' ? "src/**/mNNNNN.ts + **/mNNNNN.test.ts" : 'packages/*/src/<name>/**';
    for (const kind of ['lint', 'lint-cold'] as const) {
      const k = kind === 'lint' ? 'warm' : 'cold';
      ratio(I16, `ownership worst case (${what}), 10,000 tasks, ${k}: lint <= 3x the floor`, med(`${shape}-10000`, kind), med(`${shape}-10000`, 'floor'), 3);
      ratio(I16, `the same, ${k}: 10,000 / 5,000 <= 2.3`, med(`${shape}-10000`, kind), med(`${shape}-5000`, kind), 2.3);
    }
  }
  ratio(I16, '10,000 specs + 100 defects, warm: <= 1.3x the clean time', med('10000', 'lint-defects'), med('10000', 'lint'), 1.3);
  ratio(I16, '10,000 specs + 100 defects, cold: <= 1.3x the clean time', med('10000', 'lint-defects-cold'), med('10000', 'lint-cold'), 1.3);
  rssGoal(I16, '50,000 specs, warm: peak RSS <= 600 MiB', '50000', 'lint', 600);
  const c50 = byKey.get('50000');
  goals.push(
    c50?.cacheBytes === undefined
      ? { group: I16, goal: '50,000 specs: cache <= 0.6x the corpus', value: 'not run', pass: undefined }
      : { group: I16, goal: '50,000 specs: cache <= 0.6x the corpus', value: `${(c50.cacheBytes / c50.manifest.bytes).toFixed(2)}x (${(c50.cacheBytes / MiB).toFixed(0)} of ${(c50.manifest.bytes / MiB).toFixed(0)} MiB)`, pass: c50.cacheBytes / c50.manifest.bytes <= 0.6 },
  );
  for (const key of ['1000', '10000']) {
    const chosen = [...new Set((byKey.get(key)?.samples['lint-cold'] ?? []).map((s) => s.workers))];
    const a = med(key, 'lint-cold');
    const b = med(key, 'lint-cold-1t');
    const goal = `default workers vs SPECDAG_WORKERS=0, ${thousands(Number(key))} cold: <= 1.0x`;
    // When the default chose no worker in every round both commands are the same: not slower by construction.
    if (a !== undefined && b !== undefined && chosen.length === 1 && chosen[0] === 0) {
      goals.push({ group: I16, goal, value: `${(a / b).toFixed(2)}x (the default chose 0 workers here: both ran on one thread)`, pass: true });
    } else ratio(I16, goal, a, b, 1.0, chosen.length ? ` (the default chose ${chosen.join('/')} workers)` : '');
  }
  ratio(I16, '30 specs, --no-cache: <= 2.5x `node -e 0`', med('30', 'lint-cold'), med('30', 'node'), 2.5);
  ratio(I16, '30 specs, warm: <= 2.0x `node -e 0`', med('30', 'lint'), med('30', 'node'), 2.0);

  const EARLIER = 'Earlier goals (bench/README.md)';
  ratio(EARLIER, '10,000 clean specs, warm: lint <= 5x floor', med('10000', 'lint'), med('10000', 'floor'), 5);
  ratio(EARLIER, '10,000 clean specs, --no-cache: lint <= 5x floor', med('10000', 'lint-cold'), med('10000', 'floor'), 5);
  rssGoal(EARLIER, '10,000 clean specs, warm: peak RSS <= 400 MiB', '10000', 'lint', 400);
  rssGoal(EARLIER, '10,000 clean specs, --no-cache: peak RSS <= 400 MiB', '10000', 'lint-cold', 400);
  ratio(EARLIER, '10,000 specs: plan --format json <= 1.2x lint', med('10000', 'plan'), med('10000', 'lint'), 1.2);
  ratio(EARLIER, '30 specs, warm: lint <= 3x `node -e 0`', med('30', 'lint'), med('30', 'node'), 3);
  ratio(EARLIER, '30 specs, --no-cache: lint <= 3x `node -e 0`', med('30', 'lint-cold'), med('30', 'node'), 3);
  rssGoal(EARLIER, '50,000 specs, warm: peak RSS <= 1 GiB', '50000', 'lint', 1024);
  rssGoal(EARLIER, '50,000 specs, --no-cache (--big): peak RSS <= 1 GiB', '50000', 'lint-cold', 1024);
  ratio(EARLIER, '50,000 specs, warm: time <= 5.5x the 10,000 time', med('50000', 'lint'), med('10000', 'lint'), 5.5);
  ratio(EARLIER, '50,000 specs, --no-cache (--big): time <= 5.5x the 10,000 time', med('50000', 'lint-cold'), med('10000', 'lint-cold'), 5.5);

  const c30 = byKey.get('30');
  const out: string[] = [];
  out.push(`specdag lint benchmark: ${rounds} interleaved rounds, node ${process.version}, ${cpus().length} cpus, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, load ${load.before[0]!.toFixed(2)} -> ${load.after[0]!.toFixed(2)}`);
  out.push('');
  out.push(table(rows));
  if (c30?.samples.node) out.push('', `node -e 0: ${spread(times(c30.samples.node))}`);
  for (const group of [I16, EARLIER]) {
    out.push('', `${group} (reported, not enforced):`);
    for (const g of goals.filter((x) => x.group === group)) out.push(`  ${g.pass === undefined ? '-   ' : g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.value}`);
  }
  if (warnings.length) out.push('', `${warnings.length} warning(s) above (stderr).`);
  process.stdout.write(`${out.join('\n')}\n`);

  const file = join(OUT, 'results.json');
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: load, rounds, results, goals, warnings }, null, 2)}\n`,
  );
  process.stdout.write(`\nresults: ${rel(file)}\n`);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

try {
  main();
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
