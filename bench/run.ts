/**
 * The benchmark: `npm run bench` (build first, then this file through tsx).
 *
 *   node --import tsx bench/run.ts [--rounds 5] [--big] [--only 30,1000,10000,50000] [--seed 1]
 *
 * For each size it generates a spec folder (cached in bench/out/ until the
 * generator changes), then times, in interleaved rounds, child processes:
 * the floor (bench/floor.mjs), `specdag lint DIR --format json`, and for
 * N = 30 `node -e 0`. At N = 10,000 it also lints the same folder with 100
 * injected defects. Lint runs with SPECDAG_PROFILE=1 and reports its peak RSS
 * and time per phase on stderr. Prints a table and the goals, and writes
 * bench/out/results.json. Goals are reported, never enforced: the exit code
 * is 0 unless something could not be measured at all.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generate, MANIFEST_FILE, type Manifest } from './generate.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const STAMP_FILE = '_bench-stamp.txt';
const DEFECTS_AT_10K = 100;
const MiB = 1024 * 1024;

/** `lint` reuses its cache across rounds (the default); `lint-cold` parses everything (`--no-cache`). */
type Kind = 'floor' | 'lint' | 'lint-cold' | 'node' | 'lint-defects' | 'lint-defects-cold' | 'plan';

interface Sample {
  ms: number;
  code: number | null;
  /** From the `specdag-profile` line, when there was one. */
  phases?: Record<string, number>;
  maxRssKiB?: number;
}

interface Case {
  n: number;
  dir: string;
  manifest: Manifest;
  /** The same N with defects injected (only at 10,000). */
  defects?: { dir: string; manifest: Manifest };
  samples: Partial<Record<Kind, Sample[]>>;
  floorRssKiB?: number;
}

/* ---------------------------------------------------------------- stats */

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
function median(xs: number[]): number {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const spread = (xs: number[]) => `${fmtMs(median(xs))} (${fmtMs(Math.min(...xs))}-${fmtMs(Math.max(...xs))})`;
const times = (xs: Sample[] | undefined) => (xs ?? []).map((s) => s.ms);

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

function profileOf(stderr: string): Pick<Sample, 'phases' | 'maxRssKiB'> {
  const line = stderr.split('\n').find((l) => l.startsWith('specdag-profile '));
  if (!line) return {};
  try {
    const data = JSON.parse(line.slice('specdag-profile '.length)) as { phases?: Record<string, number>; maxRssKiB?: number };
    return { ...(data.phases ? { phases: data.phases } : {}), ...(typeof data.maxRssKiB === 'number' ? { maxRssKiB: data.maxRssKiB } : {}) };
  } catch {
    return {};
  }
}

function commandOf(kind: Kind, c: Case): { args: string[]; env?: NodeJS.ProcessEnv } {
  switch (kind) {
    case 'floor':
      return { args: [FLOOR, c.dir] };
    case 'node':
      return { args: ['-e', '0'] };
    case 'lint':
      return { args: [BIN, 'lint', c.dir, '--format', 'json'], env: { SPECDAG_PROFILE: '1' } };
    case 'lint-cold':
      return { args: [BIN, 'lint', c.dir, '--format', 'json', '--no-cache'], env: { SPECDAG_PROFILE: '1' } };
    case 'lint-defects':
      return { args: [BIN, 'lint', c.defects!.dir, '--format', 'json'], env: { SPECDAG_PROFILE: '1' } };
    case 'lint-defects-cold':
      return { args: [BIN, 'lint', c.defects!.dir, '--format', 'json', '--no-cache'], env: { SPECDAG_PROFILE: '1' } };
    case 'plan':
      return { args: [BIN, 'plan', c.dir, '--format', 'json'] };
  }
}

function kindsOf(c: Case): Kind[] {
  return [
    ...(c.n === 30 ? (['node'] as const) : []),
    'floor',
    'lint',
    'lint-cold',
    ...(c.defects ? (['lint-defects', 'lint-defects-cold'] as const) : []),
    ...(c.n === 10_000 ? (['plan'] as const) : []),
  ];
}

/* ----------------------------------------------------------- generation */

const generatorHash = createHash('sha256').update(readFileSync(join(ROOT, 'bench', 'generate.ts'))).digest('hex').slice(0, 16);

/** Generates the folder unless an identical one (same options, same generator source) is already there. */
function folder(n: number, seed: number, defects: number): { dir: string; manifest: Manifest } {
  const dir = join(OUT, `n${n}-s${seed}${defects ? `-d${defects}` : ''}`);
  const stamp = `${generatorHash} n=${n} seed=${seed} defects=${defects}\n`;
  const stampPath = join(dir, STAMP_FILE);
  if (existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stamp && existsSync(join(dir, MANIFEST_FILE))) {
    return { dir, manifest: JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Manifest };
  }
  const t0 = performance.now();
  const manifest = generate({ n, seed, defects, out: dir });
  writeFileSync(stampPath, stamp);
  log(`generated ${rel(dir)}: ${n} specs, ${(manifest.bytes / MiB).toFixed(1)} MiB, ${defects} defects (${fmtMs(performance.now() - t0)})`);
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

/** The first, untimed round: warms the file cache and checks that every command does what it should. */
function checkRound(c: Case): void {
  const floor = run([FLOOR, c.dir]);
  if (floor.code !== 0 || !floor.stdout.startsWith(`${c.n} specs`)) warn(`floor at N=${c.n} printed '${floor.stdout.trim()}' (exit ${floor.code}), expected ${c.n} specs`);
  const hook = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss '+process.resourceUsage().maxRSS+'\\n'))`;
  const rss = /maxrss (\d+)/.exec(run(['--import', hook, FLOOR, c.dir]).stderr);
  if (rss) c.floorRssKiB = Number(rss[1]);

  const clean = run(commandOf('lint', c).args, commandOf('lint', c).env);
  const result = parseLint(clean.stdout);
  if (!result) warn(`lint at N=${c.n} did not print JSON (exit ${clean.code}): ${clean.stderr.trim().split('\n')[0] ?? ''}`);
  else if (clean.code !== 0 || result.diagnostics.length > 0) {
    warn(`the clean folder at N=${c.n} does not lint clean (exit ${clean.code}): ${countByRule(result)}; first: ${result.diagnostics[0]?.file}: ${result.diagnostics[0]?.message}`);
  }
  if (!profileOf(clean.stderr).phases) warn(`lint printed no 'specdag-profile' line with SPECDAG_PROFILE=1: RSS and phases are n/a`);

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
  let sizes = [30, 1000, 10_000, ...(values.big ? [50_000] : [])];
  if (values.only) {
    const only = values.only.split(',').map((s) => Number(s.replace(/_/g, '')));
    sizes = only;
  }
  mkdirSync(OUT, { recursive: true });

  const cases: Case[] = sizes.map((n) => {
    const clean = folder(n, seed, 0);
    const c: Case = { n, ...clean, samples: {} };
    if (n === 10_000) c.defects = folder(n, seed, DEFECTS_AT_10K);
    return c;
  });

  const load0 = loadavg();
  log(`node ${process.version}, ${cpus().length} cpus, load ${load0.map((x) => x.toFixed(2)).join(' ')}; ${rounds} rounds`);
  for (const c of cases) checkRound(c);

  // Every round runs every command once; the order rotates so that none always runs right after another.
  const plan = cases.flatMap((c) => kindsOf(c).map((kind) => ({ c, kind })));
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
  goal: string;
  value: string;
  pass: boolean | undefined;
}

function report(cases: Case[], rounds: number, load: { before: number[]; after: number[] }): void {
  const rows: string[][] = [['N', 'floor median (min-max)', 'lint median (min-max)', 'lint/floor (per round)', 'peak RSS MiB (floor)', 'phase shares % (of profiled time)']];
  const results: Record<string, unknown>[] = [];
  const byN = new Map(cases.map((c) => [c.n, c]));
  for (const c of cases) {
    const lines: { label: string; kind: Kind }[] = [{ label: String(c.n), kind: 'lint' }];
    if (c.samples['lint-cold']) lines.push({ label: `${c.n} cold (--no-cache)`, kind: 'lint-cold' });
    if (c.defects) lines.push({ label: `${c.n} +${c.defects.manifest.defects.length} defects`, kind: 'lint-defects' });
    if (c.samples['lint-defects-cold']) lines.push({ label: `${c.n} +${c.defects!.manifest.defects.length} defects, cold`, kind: 'lint-defects-cold' });
    if (c.samples.plan) lines.push({ label: `${c.n} plan --format json`, kind: 'plan' });
    for (const { label, kind } of lines) {
      const floor = times(c.samples.floor);
      const lint = times(c.samples[kind]);
      const perRound = lint.map((x, i) => x / floor[i]!);
      const rss = peakRss(c.samples[kind]);
      const phases = phaseShares(c.samples[kind] ?? []);
      rows.push([
        label,
        spread(floor),
        spread(lint),
        `${(median(lint) / median(floor)).toFixed(2)}x (${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)})`,
        `${rss === undefined ? 'n/a' : rss.toFixed(0)} (${c.floorRssKiB ? (c.floorRssKiB / 1024).toFixed(0) : 'n/a'})`,
        phases.text,
      ]);
      results.push({
        n: c.n,
        kind,
        defects: kind.startsWith('lint-defects') ? c.defects!.manifest.defects.length : 0,
        floorMs: floor,
        lintMs: lint,
        floorMedianMs: median(floor),
        lintMedianMs: median(lint),
        ratio: median(lint) / median(floor),
        peakRssMiB: rss ?? null,
        floorRssMiB: c.floorRssKiB ? c.floorRssKiB / 1024 : null,
        phaseSharesPercent: phases.shares,
        profiledPercentOfWall: phases.profiledOfWall ?? null,
        phasesMs: (c.samples[kind] ?? []).map((s) => s.phases ?? null),
        exitCodes: (c.samples[kind] ?? []).map((s) => s.code),
        ...(c.n === 30 ? { nodeMs: times(c.samples.node), nodeMedianMs: median(times(c.samples.node)) } : {}),
      });
    }
  }

  const goals: Goal[] = [];
  const lintMed = (n: number, kind: Kind = 'lint') => {
    const xs = times(byN.get(n)?.samples[kind]);
    return xs.length ? median(xs) : undefined;
  };
  const ratioGoal = (goal: string, a: number | undefined, b: number | undefined, max: number) =>
    goals.push(a === undefined || b === undefined ? { goal, value: 'not run', pass: undefined } : { goal, value: `${(a / b).toFixed(2)}x`, pass: a / b <= max });
  const rssGoal = (goal: string, n: number, maxMiB: number, kind: Kind = 'lint') => {
    const c = byN.get(n);
    const rss = c ? peakRss(c.samples[kind]) : undefined;
    goals.push(!c ? { goal, value: 'not run', pass: undefined } : rss === undefined ? { goal, value: 'n/a', pass: undefined } : { goal, value: `${rss.toFixed(0)} MiB`, pass: rss <= maxMiB });
  };
  ratioGoal('10,000 clean specs: lint <= 5x floor', lintMed(10_000), byN.get(10_000) ? median(times(byN.get(10_000)!.samples.floor)) : undefined, 5);
  ratioGoal('10,000 clean specs, no cache (--no-cache): lint <= 5x floor', lintMed(10_000, 'lint-cold'), byN.get(10_000) ? median(times(byN.get(10_000)!.samples.floor)) : undefined, 5);
  rssGoal('10,000 clean specs: peak RSS <= 400 MiB', 10_000, 400);
  rssGoal('10,000 clean specs, no cache: peak RSS <= 400 MiB', 10_000, 400, 'lint-cold');
  ratioGoal('10,000 specs: plan --format json <= 1.2x lint', lintMed(10_000, 'plan'), lintMed(10_000), 1.2);
  ratioGoal('30 specs: lint <= 3x `node -e 0`', lintMed(30), byN.get(30) ? median(times(byN.get(30)!.samples.node)) : undefined, 3);
  ratioGoal('30 specs, no cache: lint <= 3x `node -e 0`', lintMed(30, 'lint-cold'), byN.get(30) ? median(times(byN.get(30)!.samples.node)) : undefined, 3);
  ratioGoal('10,000 specs + 100 defects: <= 1.3x clean', lintMed(10_000, 'lint-defects'), lintMed(10_000), 1.3);
  ratioGoal('10,000 specs + 100 defects, no cache: <= 1.3x clean', lintMed(10_000, 'lint-defects-cold'), lintMed(10_000, 'lint-cold'), 1.3);
  rssGoal('50,000 specs: peak RSS <= 1 GiB', 50_000, 1024);
  rssGoal('50,000 specs, no cache: peak RSS <= 1 GiB', 50_000, 1024, 'lint-cold');
  ratioGoal('50,000 specs: time <= 5.5x the 10,000 time', lintMed(50_000), lintMed(10_000), 5.5);
  ratioGoal('50,000 specs, no cache: time <= 5.5x the 10,000 time', lintMed(50_000, 'lint-cold'), lintMed(10_000, 'lint-cold'), 5.5);

  const c30 = byN.get(30);
  const out: string[] = [];
  out.push(`specdag lint benchmark: ${rounds} interleaved rounds, node ${process.version}, ${cpus().length} cpus, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, load ${load.before[0]!.toFixed(2)} -> ${load.after[0]!.toFixed(2)}`);
  out.push('');
  out.push(table(rows));
  if (c30?.samples.node) out.push('', `node -e 0: ${spread(times(c30.samples.node))}`);
  out.push('', 'Goals (reported, not enforced):');
  for (const g of goals) out.push(`  ${g.pass === undefined ? '-   ' : g.pass ? 'PASS' : 'FAIL'}  ${g.goal}: ${g.value}`);
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
