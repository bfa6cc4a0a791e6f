/**
 * Generates a realistic spec folder of N task specs for the benchmark, and
 * optionally injects K known defects (a manifest says which rule should fire
 * on which file).
 *
 *   node --import tsx bench/generate.ts --n 10000 --seed 1 [--defects K] [--shape suffix|packages] --out DIR
 *
 * The realistic shape: ~4% foundation tasks in a chain-like tree, ~95% parallel tasks
 * grouped by area (each depends on 0-3 earlier tasks of its area, now and then
 * on a root task of another area), ~1% integration tasks that together depend
 * on every parallel sink. With no defects the folder lints clean: owns never
 * overlap between tasks that may run concurrently, reads only name
 * foundation-owned paths, every consumed name is provided upstream, no
 * dependency is implied by another one, every link points at a spec file.
 *
 * Everything random comes from a seeded PRNG: the same options always give
 * the same bytes. The text of a task does not depend on the defects, so a
 * folder with defects differs from the clean one only where they were put.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

export interface Defect {
  ruleId: string;
  /** Relative to the generated folder, `/` separators: the file the rule must report on. */
  file: string;
  /** What was done, for a human. */
  note: string;
}

export interface GenerateOptions {
  n: number;
  seed: number;
  defects?: number;
  /** `realistic` (the default), or one of the ownership worst cases (see SHAPES). */
  shape?: Shape;
  out: string;
}

/**
 * The ownership worst cases of issue 16: N parallel tasks with no
 * dependencies whose globs all share a base or start with `**`, so an index
 * on static bases alone compares every pair.
 * - `suffix`: each owns `src/**` + `/mNNNNN.ts` and `**` + `/mNNNNN.test.ts` (a monorepo's habit);
 * - `packages`: each owns `packages/*` + `/src/mNNNNN/**` (all under one base).
 * Bodies are the realistic ones. No integration task: the folder lints with
 * one `no-integration` warning and nothing else.
 */
export const SHAPES = ['realistic', 'suffix', 'packages'] as const;
export type Shape = (typeof SHAPES)[number];

export interface Manifest {
  n: number;
  seed: number;
  shape: Shape;
  /** Rules a lint of the folder reports without any injected defect. */
  expected: string[];
  counts: { foundation: number; parallel: number; integration: number; areas: number };
  bytes: number;
  defects: Defect[];
}

/** The file beside the specs that marks a folder as ours (specdag skips names starting with `_`). */
export const MANIFEST_FILE = '_bench-manifest.json';

/* ------------------------------------------------------------------ PRNG */

/** A Weyl sequence through a murmur3-style finaliser: small, fast, good enough for test data. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
    for (let i = 0; i < 4; i++) this.next();
  }
  next(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  /** k distinct elements, in random order. */
  sample<T>(list: readonly T[], k: number): T[] {
    const copy = [...list];
    const out: T[] = [];
    while (out.length < k && copy.length > 0) out.push(copy.splice(this.int(copy.length), 1)[0]!);
    return out;
  }
  /** Index by weights. */
  weighted(weights: readonly number[]): number {
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) < 0) return i;
    return weights.length - 1;
  }
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x27d4eb2d, 0x165667b1) ^ Math.imul(b + 0x3c6ef372, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/* ------------------------------------------------------------- vocabulary */

// Area names never collide with the shared folders foundation tasks own
// (src/shared, src/core, test/helpers, test/e2e, docs/releases, ...).
const AREAS = [
  'auth', 'billing', 'catalog', 'search', 'orders', 'payments', 'inventory', 'shipping', 'notifications', 'analytics',
  'reporting', 'admin', 'accounts', 'profiles', 'reviews', 'recommendations', 'pricing', 'promotions', 'cart', 'checkout',
  'media', 'uploads', 'messaging', 'chat', 'audit', 'compliance', 'privacy', 'i18n', 'themes', 'onboarding',
  'support', 'tickets', 'webhooks', 'scheduler', 'jobs', 'exports', 'imports', 'feeds', 'sitemap', 'seo',
  'cms', 'blog', 'comments', 'moderation', 'wallet', 'loyalty', 'subscriptions', 'invoices', 'tax', 'ledger',
  'fraud', 'risk', 'kyc', 'maps', 'geo', 'calendar', 'bookings', 'forms', 'surveys', 'teams',
];

const NOUNS = [
  'session', 'token', 'login', 'profile', 'invoice', 'export', 'report', 'cache', 'queue', 'worker', 'schema', 'model',
  'client', 'gateway', 'adapter', 'handler', 'router', 'policy', 'rule', 'filter', 'index', 'feed', 'digest', 'batch',
  'ledger', 'entry', 'account', 'balance', 'refund', 'charge', 'coupon', 'discount', 'price', 'quote', 'order', 'item',
  'cart', 'address', 'carrier', 'label', 'parcel', 'stock', 'warehouse', 'supplier', 'product', 'variant', 'image',
  'thumbnail', 'upload', 'message', 'thread', 'channel', 'template', 'email', 'sms', 'push', 'webhook', 'event',
  'metric', 'dashboard', 'chart', 'audit', 'consent', 'locale', 'theme', 'widget', 'form', 'field', 'survey', 'answer',
  'ticket', 'comment', 'review', 'rating', 'badge', 'reward', 'plan', 'seat', 'team', 'role', 'permission', 'slot',
  'booking', 'calendar', 'reminder', 'map', 'region', 'tax', 'rate', 'currency', 'wallet', 'payout', 'score', 'alert',
];

const VERBS = [
  'add', 'build', 'wire', 'expose', 'store', 'sync', 'validate', 'render', 'import', 'export', 'migrate', 'index',
  'cache', 'schedule', 'notify', 'track', 'compute', 'refresh', 'archive', 'publish', 'resolve', 'score', 'merge',
];

const ADJECTIVES = [
  'incremental', 'paginated', 'idempotent', 'cached', 'versioned', 'localised', 'batched', 'signed', 'audited',
  'throttled', 'streaming', 'retryable', 'nightly', 'per-tenant', 'read-only', 'optimistic', 'deterministic',
];

const FOUNDATION_TOPICS = [
  'config', 'logging', 'errors', 'db', 'http', 'auth-core', 'money', 'time', 'ids', 'events', 'queue', 'cache',
  'storage', 'mail', 'i18n-core', 'feature-flags', 'telemetry', 'validation', 'pagination', 'tenancy', 'crypto',
  'rate-limit', 'search-core', 'files', 'jobs-core', 'api-client', 'ui-kit', 'forms-core', 'permissions', 'audit-core',
];

const FOUNDATION_VERBS = ['set up', 'define', 'scaffold', 'introduce', 'standardise', 'lay down'];

const KINDS = ['Service', 'Api', 'Store', 'Client', 'Events', 'Model', 'Schema', 'Handler', 'Repository', 'View'];

const SENTENCE_OPENERS = [
  'The {noun} {verbs} every {noun} that reaches the {noun} {kind}',
  'Each {adj} {noun} is kept apart from the {noun} so that the {noun} {kind} stays small',
  'When the {noun} changes, the {noun} {verbs} its {noun} within one request',
  'A {adj} {noun} replaces the old {noun} lookup, which used to {verb} the whole {noun} table',
  'Callers see the {noun} only through the {noun} {kind}; nothing reads the {noun} rows directly',
  'Errors from the {noun} {kind} surface as typed results instead of exceptions',
  'The {noun} must stay {adj}: two runs over the same {noun} give the same {noun}',
  'Keep the {noun} logic out of the {noun} handlers; they only {verb} and return',
  'Migrations for the {noun} are {adj} and can run twice without harm',
  'Logging names the {noun} and the {noun} id, never the raw {noun} payload',
];

const CONDITIONS = [
  'for an empty {noun}', 'when the {noun} is missing', 'with 10,000 {noun}s', 'after a retry', 'under a second',
  'for a {adj} {noun}', 'when two {noun}s arrive at once', 'on a cold cache', 'for a deleted {noun}', 'in every locale',
];

/* ---------------------------------------------------------------- model */

type Phase = 'foundation' | 'parallel' | 'integration';

interface Task {
  /** Global position (generation order); dependencies always point to smaller positions. */
  index: number;
  id: string;
  phase: Phase;
  area: string;
  /** Folder of the spec, relative to the output folder. */
  folder: string;
  /** Module folder name for parallel tasks. */
  slug: string;
  title: string;
  words: [string, string];
  deps: string[];
  owns: string[];
  reads: string[];
  provides: string[];
  consumes: string[];
  /** Parallel only: 0 for a task with no dependencies. */
  level: number;
  /** Parallel only: transitive parallel dependencies (by index). */
  ancestors: Set<number>;
  /** How many parallel tasks depend on it. */
  dependents: number;
  /** Position within its area. */
  areaPos: number;
  /** A foundation task whose files this one reads, linked from the notes. */
  background?: string;
  // Defect knobs: set only by inject().
  extraKeys: string[];
  dropGoal?: boolean;
  extraLinks: { text: string; href: string }[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const pascal = (s: string) => s.split(/[-\s]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function fileOf(t: Task): string {
  return `${t.folder}/${t.id}.md`;
}

function linkFrom(from: Task, toFile: string): string {
  return posix.relative(from.folder, toFile);
}

/** A YAML scalar that is safe plain in a block list, else single-quoted. */
function yamlScalar(s: string): string {
  return /^[A-Za-z0-9_.][A-Za-z0-9_./*-]*$/.test(s) ? s : `'${s.replace(/'/g, "''")}'`;
}

/* ------------------------------------------------------------ structure */

function buildTasks(n: number, rng: Rng): { tasks: Task[]; byId: Map<string, Task>; areas: string[] } {
  if (!Number.isInteger(n) || n < 3) throw new Error(`--n must be an integer >= 3 (got ${n})`);
  const nFoundation = Math.max(1, Math.round(n * 0.04));
  const nIntegration = Math.max(1, Math.round(n * 0.01));
  const nParallel = n - nFoundation - nIntegration;
  const nAreas = Math.max(Math.min(4, nParallel), Math.round(nParallel / 120));
  const areas = Array.from({ length: nAreas }, (_, i) => (i < AREAS.length ? AREAS[i]! : `${AREAS[i % AREAS.length]}-${Math.floor(i / AREAS.length) + 1}`));
  const width = String(n).length;
  const tasks: Task[] = [];
  const byId = new Map<string, Task>();
  const blank = (index: number, phase: Phase, area: string): Task => ({
    index, id: '', phase, area, folder: '', slug: '', title: '', words: ['', ''], deps: [], owns: [], reads: [], provides: [], consumes: [],
    level: 0, ancestors: new Set(), dependents: 0, areaPos: 0, extraKeys: [], extraLinks: [],
  });
  const add = (t: Task) => {
    tasks.push(t);
    byId.set(t.id, t);
  };

  // Foundation: a chain that now and then branches off a few steps back (a tree, so no dependency is ever implied by another).
  const readable: string[] = [];
  const ownerOf = new Map<string, Task>();
  const barrels = new Map<string, string[]>();
  const topicUse = new Map<string, number>();
  for (let i = 0; i < nFoundation; i++) {
    const t = blank(i, 'foundation', 'foundation');
    const base = rng.pick(FOUNDATION_TOPICS);
    const use = (topicUse.get(base) ?? 0) + 1;
    topicUse.set(base, use);
    const topic = use === 1 ? base : `${base}-${use}`;
    t.words = [base, rng.pick(NOUNS)];
    t.id = `fnd-${pad(i + 1, width)}-${topic}`;
    t.folder = 'foundation';
    t.title = `${capital(rng.pick(FOUNDATION_VERBS))} the shared ${base.replace(/-/g, ' ')} layer${use > 1 ? ` (part ${use})` : ''}`;
    if (i > 0) {
      const back = rng.chance(0.85) || i < 2 ? 1 : rng.range(2, Math.min(4, i));
      t.deps.push(tasks[i - back]!.id);
    }
    if (i === 0) t.owns.push('package.json', 'tsconfig.json', '.github/workflows/ci.yml');
    t.owns.push(`src/shared/${topic}/**`, `src/core/${topic}.ts`);
    if (rng.chance(0.5)) t.owns.push(`config/${topic}.yaml`);
    if (rng.chance(0.4)) t.owns.push(`db/migrations/${pad(i + 1, 4)}-${topic}.sql`);
    if (rng.chance(0.3)) t.owns.push(`test/helpers/${topic}.ts`);
    readable.push(...t.owns.filter((p) => !p.startsWith('.') && p !== 'package.json'));
    // Area barrels (src/<area>/index.ts, types.ts) belong to the foundation too, spread over its tasks.
    for (let a = i; a < nAreas; a += nFoundation) {
      const paths = [`src/${areas[a]}/index.ts`, `src/${areas[a]}/types.ts`];
      t.owns.push(...paths);
      barrels.set(areas[a]!, paths);
    }
    const count = rng.range(1, 3);
    for (let k = 0; k < count; k++) t.provides.push(`Shared.${pascal(topic)}${KINDS[(i + k) % KINDS.length]}`);
    t.provides = [...new Set(t.provides)];
    // Foundation consumes from its parent and grandparent only (both upstream through explicit edges).
    const parent = t.deps[0] ? byId.get(t.deps[0]) : undefined;
    const grand = parent?.deps[0] ? byId.get(parent.deps[0]) : undefined;
    const upstream = [...(parent?.provides ?? []), ...(grand?.provides ?? [])];
    t.consumes = rng.sample(upstream, rng.range(0, Math.min(2, upstream.length)));
    const parentReads = parent ? parent.owns.filter((p) => p.startsWith('src/')) : [];
    t.reads = rng.sample(parentReads, rng.range(0, Math.min(2, parentReads.length)));
    for (const path of t.owns) ownerOf.set(path, t);
    add(t);
  }
  const foundationProvides = tasks.flatMap((t) => t.provides);

  // Parallel: areas are contiguous blocks; dependencies stay in the area, plus an occasional root task of an earlier area.
  const perArea = Math.ceil(nParallel / nAreas);
  const areaTasks: Task[][] = areas.map(() => []);
  const roots: Task[] = [];
  const MAX_LEVEL = 4;
  for (let p = 0; p < nParallel; p++) {
    const a = Math.min(nAreas - 1, Math.floor(p / perArea));
    const area = areas[a]!;
    const t = blank(tasks.length, 'parallel', area);
    const mine = areaTasks[a]!;
    t.areaPos = mine.length;
    const num = pad(p + 1, width);
    t.words = [rng.pick(VERBS), rng.pick(NOUNS)];
    t.id = `${area}-${num}-${t.words[0]}-${t.words[1]}`;
    t.slug = `m${num}-${t.words[1]}`;
    t.folder = area;
    t.title = `${capital(t.words[0])} the ${area} ${t.words[1]}${rng.chance(0.4) ? ` (${rng.pick(ADJECTIVES)})` : ''}`;

    // Candidates: recent tasks of the area below the level cap.
    const want = mine.length === 0 ? 0 : rng.weighted([30, 35, 20, 15]);
    const recent = mine.slice(-40).filter((c) => c.level < MAX_LEVEL);
    const chosen = rng.sample(recent, want).sort((x, y) => y.level - x.level || x.index - y.index);
    const kept: Task[] = [];
    for (const c of chosen) if (!kept.some((k) => k.ancestors.has(c.index))) kept.push(c);
    if (a > 0 && rng.chance(0.1)) {
      const other = roots[rng.int(roots.length)];
      if (other && other.area !== area && !kept.some((k) => k.ancestors.has(other.index))) kept.push(other);
    }
    for (const k of kept) {
      t.deps.push(k.id);
      t.ancestors.add(k.index);
      for (const x of k.ancestors) t.ancestors.add(x);
      t.level = Math.max(t.level, k.level + 1);
      k.dependents++;
    }
    t.deps.sort();

    if (rng.chance(0.7)) t.owns.push(`src/${area}/${t.slug}/**`);
    else t.owns.push(`src/${area}/${t.slug}/{api,model}/**`, `src/${area}/${t.slug}/*.ts`);
    t.owns.push(rng.chance(0.8) ? `test/${area}/${t.slug}/**` : `test/${area}/${t.slug}.test.ts`);
    if (rng.chance(0.3)) t.owns.push(`docs/${area}/${t.slug}.md`);
    if (rng.chance(0.15)) t.owns.push(`db/migrations/${area}/${t.slug}-*.sql`);
    if (rng.chance(0.1)) t.owns.push(`public/${area}/${t.slug}/*.{png,svg}`);

    const pool = [...(barrels.get(area) ?? []), ...rng.sample(readable, 3)];
    t.reads = [...new Set(rng.sample(pool, rng.range(0, 3)))];
    const owner = t.reads[0] === undefined ? undefined : ownerOf.get(t.reads[0]);
    if (owner) t.background = owner.id;

    const kinds = rng.sample(KINDS, rng.range(1, 2));
    t.provides = kinds.map((k) => `${pascal(area)}.${pascal(t.words[1])}${k}${p + 1}`);
    const upstream = [...foundationProvides.length ? rng.sample(foundationProvides, 2) : [], ...[...t.ancestors].flatMap((x) => tasks[x]!.provides)];
    t.consumes = [...new Set(rng.sample(upstream, rng.range(0, Math.min(3, upstream.length))))];

    if (t.level === 0) roots.push(t);
    mine.push(t);
    add(t);
  }

  // Integration: the sinks (no task depends on them) are pairwise independent, so a set of them is never redundant.
  const sinks = tasks.filter((t) => t.phase === 'parallel' && t.dependents === 0);
  const chunk = Math.ceil(sinks.length / nIntegration);
  const iwidth = Math.max(3, String(nIntegration).length);
  for (let i = 0; i < nIntegration; i++) {
    const t = blank(tasks.length, 'integration', 'integration');
    const mine = sinks.slice(i * chunk, (i + 1) * chunk);
    const firstArea = mine[0]?.area ?? areas[0]!;
    t.words = ['merge', firstArea];
    t.id = `int-${pad(i + 1, iwidth)}-${firstArea}`;
    t.folder = 'integration';
    t.title = `Integrate and verify ${[...new Set(mine.map((m) => m.area))].slice(0, 3).join(', ') || 'the modules'}`;
    t.deps = mine.map((m) => m.id).sort();
    t.owns = [`test/e2e/${t.id}/**`, `docs/releases/${t.id}.md`];
    t.reads = rng.sample(readable, rng.range(0, 2));
    const upstream = mine.flatMap((m) => m.provides);
    t.consumes = rng.sample(upstream, Math.min(4, upstream.length));
    t.provides = [`Release.${pascal(firstArea)}Bundle${i + 1}`];
    add(t);
  }
  return { tasks, byId, areas };
}

/** The ownership worst cases (see SHAPES): parallel tasks only, no dependencies, in one folder. */
function shapeTasks(n: number, shape: Exclude<Shape, 'realistic'>, rng: Rng): { tasks: Task[]; byId: Map<string, Task>; areas: string[] } {
  const width = Math.max(5, String(n).length);
  const tasks: Task[] = [];
  const byId = new Map<string, Task>();
  for (let i = 0; i < n; i++) {
    const name = `m${pad(i, width)}`;
    const words: [string, string] = [rng.pick(VERBS), rng.pick(NOUNS)];
    const t: Task = {
      index: i, id: `${name}-${words[0]}-${words[1]}`, phase: 'parallel', area: 'modules', folder: 'tasks', slug: name,
      title: `${capital(words[0])} the ${words[1]} module ${name}`, words, deps: [],
      owns: shape === 'suffix' ? [`src/**/${name}.ts`, `**/${name}.test.ts`] : [`packages/*/src/${name}/**`],
      reads: [], provides: [], consumes: [], level: 0, ancestors: new Set(), dependents: 0, areaPos: i, extraKeys: [], extraLinks: [],
    };
    tasks.push(t);
    byId.set(t.id, t);
  }
  return { tasks, byId, areas: ['modules'] };
}

/* -------------------------------------------------------------- defects */

export const DEFECT_KINDS = [
  'unknown-dependency',
  'self-dependency',
  'dependency-cycle',
  'ownership-conflict',
  'read-write-race',
  'interface-unprovided',
  'interface-duplicate-provider',
  'schema',
  'section-missing',
  'broken-link',
  'redundant-dependency',
] as const;

/** A typo that is not an existing name: one letter dropped, from the last word when it is long enough. */
function typo(value: string, taken: (s: string) => boolean, rng: Rng): string | undefined {
  const last = value.search(/[^-.]+$/);
  const from = last >= 1 && value.length - last >= 3 ? last : 1;
  const positions = rng.sample(Array.from({ length: value.length - from }, (_, i) => from + i), value.length - from);
  for (const at of positions) {
    const out = value.slice(0, at) + value.slice(at + 1);
    if (!out.endsWith('-') && !out.endsWith('.') && !out.includes('--') && !taken(out)) return out;
  }
  return undefined;
}

function inject(tasks: Task[], byId: Map<string, Task>, k: number, rng: Rng): Defect[] {
  const used = new Set<number>();
  const parallel = tasks.filter((t) => t.phase === 'parallel');
  const provided = new Set(tasks.flatMap((t) => t.provides));
  const existingFiles = new Set(tasks.map(fileOf));
  const foundationProvides = tasks.filter((t) => t.phase === 'foundation').flatMap((t) => t.provides);
  const free = (t: Task | undefined) => t !== undefined && !used.has(t.index);
  const claim = (...ts: Task[]) => ts.forEach((t) => used.add(t.index));
  // Parallel tasks no parallel task depends on: no two of them are ordered, so any two may run concurrently.
  const sinks = parallel.filter((t) => t.dependents === 0);
  const draw = <T>(list: T[], ok: (x: T) => boolean): T | undefined => {
    for (let tries = 0; tries < 200; tries++) {
      const x = list[rng.int(list.length)];
      if (x !== undefined && ok(x)) return x;
    }
    return list.find(ok);
  };
  // Who depends on whom, and how many parallel tasks come after each one, before any defect changes it.
  const children = new Map<string, Task[]>();
  const descendants = new Map<number, number>();
  for (const t of parallel) {
    for (const id of t.deps) children.set(id, [...(children.get(id) ?? []), t]);
    for (const a of t.ancestors) descendants.set(a, (descendants.get(a) ?? 0) + 1);
  }
  const defects: Defect[] = [];
  const fail = (kind: string) => {
    throw new Error(`cannot inject a '${kind}' defect: the folder is too small for ${k} defects`);
  };

  for (let d = 0; d < k; d++) {
    const kind = DEFECT_KINDS[d % DEFECT_KINDS.length]!;
    switch (kind) {
      case 'unknown-dependency': {
        const t = draw(parallel, (x) => free(x) && x.areaPos > 0);
        if (!t) return fail(kind);
        const meant = draw(parallel, (x) => x.area === t.area && x.index < t.index) ?? fail(kind);
        const bad = typo(meant.id, (s) => byId.has(s), rng) ?? fail(kind);
        t.deps.push(bad);
        claim(t);
        defects.push({ ruleId: kind, file: fileOf(t), note: `depends_on '${bad}' (typo of '${meant.id}')` });
        break;
      }
      case 'self-dependency': {
        const t = draw(parallel, free) ?? fail(kind);
        t.deps.push(t.id);
        claim(t);
        defects.push({ ruleId: kind, file: fileOf(t), note: `depends_on its own id` });
        break;
      }
      case 'dependency-cycle': {
        // The mistake as it happens: a task comes to depend on work that comes after it, so everything
        // downstream sits behind the cycle (the case that once cost redundant-dependency its pruning). The
        // chain below `first` depends on nothing else, so no other dependency becomes implied.
        const size = Math.floor(d / DEFECT_KINDS.length) % 2 === 0 ? 2 : 3;
        const chainBelow = (x: Task): Task[] | undefined => {
          const members = [x];
          while (members.length < size) {
            const last = members[members.length - 1]!;
            const next = (children.get(last.id) ?? []).find((c) => free(c) && c.deps.length === 1 && !members.includes(c));
            if (!next) return undefined;
            members.push(next);
          }
          return members;
        };
        const first = draw(parallel, (x) => free(x) && (descendants.get(x.index) ?? 0) >= 10 && chainBelow(x) !== undefined) ?? fail(kind);
        const members = chainBelow(first)!;
        first.deps.push(members[members.length - 1]!.id);
        claim(...members);
        defects.push({ ruleId: kind, file: fileOf(first), note: `cycle ${[...members, first].map((m) => m.id).join(' ← ')}, ${descendants.get(first.index)} tasks behind it` });
        break;
      }
      case 'ownership-conflict': {
        const owner = draw(sinks, free) ?? fail(kind);
        const intruder = draw(sinks, (x) => free(x) && x.area !== owner.area) ?? fail(kind);
        const path = `src/${owner.area}/${owner.slug}/index.ts`;
        intruder.owns.push(path);
        claim(owner, intruder);
        defects.push({ ruleId: kind, file: fileOf(intruder), note: `owns '${path}', inside '${owner.id}''s folder` });
        break;
      }
      case 'read-write-race': {
        const owner = draw(sinks, free) ?? fail(kind);
        const reader = draw(sinks, (x) => free(x) && x.area !== owner.area) ?? fail(kind);
        const path = `src/${owner.area}/${owner.slug}/**`;
        reader.reads.push(path);
        claim(owner, reader);
        defects.push({ ruleId: kind, file: fileOf(reader), note: `reads '${path}', owned by concurrent '${owner.id}'` });
        break;
      }
      case 'interface-unprovided': {
        const t = draw(parallel, free) ?? fail(kind);
        const meant = rng.pick(foundationProvides);
        const bad = typo(meant, (s) => provided.has(s), rng) ?? fail(kind);
        t.consumes.push(bad);
        claim(t);
        defects.push({ ruleId: kind, file: fileOf(t), note: `consumes '${bad}', which nobody provides` });
        break;
      }
      case 'interface-duplicate-provider': {
        const original = draw(parallel, free) ?? fail(kind);
        const copy = draw(parallel, (x) => free(x) && x !== original) ?? fail(kind);
        const name = original.provides[0]!;
        copy.provides.push(name);
        claim(original, copy);
        defects.push({ ruleId: kind, file: fileOf(copy), note: `provides '${name}', already provided by '${original.id}'` });
        break;
      }
      case 'schema': {
        const t = draw(parallel, (x) => free(x) && x.deps.length === 0 && x.areaPos > 0) ?? fail(kind);
        const meant = draw(parallel, (x) => x.area === t.area && x.index < t.index) ?? fail(kind);
        t.extraKeys.push(`depends-on: [${meant.id}]`);
        claim(t);
        defects.push({ ruleId: kind, file: fileOf(t), note: `unknown key 'depends-on'` });
        break;
      }
      case 'section-missing': {
        const t = draw(tasks, (x) => free(x) && x.phase !== 'integration') ?? fail(kind);
        t.dropGoal = true;
        claim(t);
        defects.push({ ruleId: kind, file: fileOf(t), note: `no '## Goal' section` });
        break;
      }
      case 'broken-link': {
        const t = draw(parallel, free) ?? fail(kind);
        const target = draw(tasks, (x) => x !== t) ?? fail(kind);
        const bad = typo(target.id, (s) => existingFiles.has(`${target.folder}/${s}.md`), rng) ?? fail(kind);
        t.extraLinks.push({ text: `the earlier ${target.words[1]} notes`, href: linkFrom(t, `${target.folder}/${bad}.md`) });
        claim(t);
        defects.push({ ruleId: kind, file: fileOf(t), note: `links to '${target.folder}/${bad}.md', which does not exist` });
        break;
      }
      case 'redundant-dependency': {
        const t = draw(parallel, (x) => {
          if (!free(x)) return false;
          return x.deps.some((id) => {
            const mid = byId.get(id);
            return free(mid) && mid!.phase === 'parallel' && mid!.deps.some((e) => free(byId.get(e)) && !x.deps.includes(e));
          });
        });
        if (!t) return fail(kind);
        const mid = t.deps.map((id) => byId.get(id)!).find((m) => free(m) && m.phase === 'parallel' && m.deps.some((e) => free(byId.get(e)) && !t.deps.includes(e)))!;
        const implied = byId.get(mid.deps.find((e) => free(byId.get(e)) && !t.deps.includes(e))!)!;
        t.deps.push(implied.id);
        claim(t, mid, implied);
        defects.push({ ruleId: kind, file: fileOf(t), note: `depends_on '${implied.id}', already implied through '${mid.id}'` });
        break;
      }
    }
  }
  return defects;
}

/* ------------------------------------------------------------ rendering */

function thirdPerson(verb: string): string {
  return /(?:sh|ch|x|s)$/.test(verb) ? `${verb}es` : `${verb}s`;
}

function fill(template: string, rng: Rng, t: Task): string {
  return template.replace(/\{(noun|verbs|verb|adj|kind)\}/g, (_, what: string) => {
    if (what === 'noun') return rng.chance(0.15) ? t.words[1] : rng.pick(NOUNS);
    if (what === 'verb') return rng.pick(VERBS);
    if (what === 'verbs') return thirdPerson(rng.pick(VERBS));
    if (what === 'adj') return rng.pick(ADJECTIVES);
    return rng.pick(KINDS).toLowerCase();
  });
}

function sentence(rng: Rng, t: Task): string {
  const main = fill(rng.pick(SENTENCE_OPENERS), rng, t);
  return `${main}${rng.chance(0.4) ? `, ${fill(rng.pick(CONDITIONS), rng, t)}` : ''}.`;
}

function paragraph(rng: Rng, t: Task, min = 2, max = 4): string {
  const out: string[] = [];
  for (let i = rng.range(min, max); i > 0; i--) out.push(sentence(rng, t));
  return out.join(' ');
}

function frontmatter(t: Task, rng: Rng): string {
  const lines = ['---', `id: ${t.id}`, `title: ${t.title}`];
  if (t.phase !== 'parallel' || rng.chance(0.8)) lines.push(`phase: ${t.phase}`);
  const list = (key: string, values: string[], flowOk: boolean) => {
    if (values.length === 0) return;
    if (flowOk && values.length <= 4 && rng.chance(0.6)) lines.push(`${key}: [${values.join(', ')}]`);
    else lines.push(`${key}:`, ...values.map((v) => `  - ${yamlScalar(v)}`));
  };
  if (t.deps.length > 0) list('depends_on', t.deps, true);
  else if (rng.chance(0.2)) lines.push('depends_on: []');
  lines.push(...t.extraKeys);
  list('owns', t.owns, false);
  list('reads', t.reads, false);
  list('provides', t.provides, true);
  list('consumes', t.consumes, true);
  lines.push(`status: ${rng.weighted([90, 7, 3]) === 0 ? 'ready' : rng.chance(0.7) ? 'done' : 'draft'}`);
  if (rng.chance(0.85)) lines.push(`estimate: ${rng.pick(['30m', '1h', '2h', '3h', '4h', '1d', '1.5d', '2d', '1w'])}`);
  if (rng.chance(0.1)) lines.push(`agent: ${rng.pick(['claude', 'codex'])}`);
  lines.push(`tags: [${t.phase === 'parallel' ? t.area : t.phase}, ${rng.pick(['backend', 'frontend', 'data', 'infra', 'api'])}]`);
  if (rng.chance(0.15)) lines.push(`x-owner: team-${t.area}`);
  lines.push('---', '');
  return lines.join('\n');
}

function render(t: Task, seed: number, byId: Map<string, Task>): string {
  // The body's randomness depends only on the seed and the task, not on what came before or on the defects.
  const rng = new Rng(mix(seed, t.index));
  const minBytes = rng.range(2048, 5600);
  const out: string[] = [frontmatter(t, rng), `# ${t.title}`, ''];
  if (!t.dropGoal) {
    out.push('## Goal', '', paragraph(rng, t, 2, 4), '');
    if (rng.chance(0.5)) out.push(paragraph(rng, t, 1, 3), '');
  }
  if (rng.chance(0.6)) {
    out.push('## Context', '', paragraph(rng, t), '');
    const own = t.owns[0];
    if (own) out.push(`Everything this task changes lives under \`${own}\`${t.reads[0] ? `; it builds on \`${t.reads[0]}\`` : ''}.`, '');
  }
  out.push('## Acceptance criteria', '');
  for (let i = rng.range(3, 8); i > 0; i--) {
    const crit = fill(rng.pick(SENTENCE_OPENERS), rng, t);
    out.push(`- [${rng.chance(0.05) ? 'x' : ' '}] ${crit}${rng.chance(0.5) ? ` ${fill(rng.pick(CONDITIONS), rng, t)}` : ''}`);
  }
  out.push(`- [ ] \`npm test -- ${t.phase === 'parallel' ? `test/${t.area}/${t.slug}` : t.id}\` passes`, '');
  if (t.provides.length + t.consumes.length > 0) {
    out.push('## Interfaces', '');
    for (const p of t.provides) out.push(`- provides \`${p}\`: ${fill(rng.pick(SENTENCE_OPENERS), rng, t).toLowerCase()}`);
    for (const c of t.consumes) out.push(`- consumes \`${c}\``);
    out.push('');
  }
  if (rng.chance(0.2)) {
    out.push('```ts', `export interface ${pascal(t.words[1])}${rng.pick(KINDS)} {`, `  get(id: string): Promise<${pascal(t.words[1])} | undefined>;`, `  list(page: { after?: string; limit: number }): Promise<${pascal(t.words[1])}[]>;`, '}', '```', '');
  }
  out.push('## Notes', '');
  const links: string[] = [];
  for (const id of t.deps.slice(0, 4)) {
    const dep = byId.get(id);
    if (dep) links.push(`- Builds on [${dep.title}](${linkFrom(t, fileOf(dep))}).`);
  }
  const background = t.background === undefined ? undefined : byId.get(t.background);
  if (background) links.push(`- Reads what [${background.title}](${linkFrom(t, fileOf(background))}) set up.`);
  for (const l of t.extraLinks) links.push(`- See [${l.text}](${l.href}).`);
  if (rng.chance(0.3)) links.push(`- Background: <https://example.com/${t.area}/${t.words[1]}>.`);
  out.push(...(links.length > 0 ? links : ['- No upstream notes.']), '');
  if (rng.chance(0.15)) {
    out.push('| case | expected |', '| --- | --- |');
    for (let i = rng.range(2, 4); i > 0; i--) out.push(`| ${fill('{adj} {noun}', rng, t)} | ${fill('{verbs} the {noun}', rng, t)} |`);
    out.push('');
  }
  let size = out.reduce((s, l) => s + l.length + 1, 0);
  while (size < minBytes) {
    const p = paragraph(rng, t);
    out.push(p, '');
    size += p.length + 2;
  }
  if (rng.chance(0.3)) out.push('### Out of scope', '', paragraph(rng, t, 1, 2), '');
  return out.join('\n');
}

function projectFile(): string {
  return [
    '---',
    'project: shop',
    'base_branch: main',
    'max_parallel: 8',
    'required_sections: [Goal, Acceptance criteria]',
    'default_agent: claude',
    'agents:',
    '  claude: claude -p --permission-mode acceptEdits',
    '  codex: codex exec --full-auto',
    '---',
    '# Shop',
    '',
    'A TypeScript monorepo: `src/<area>/<module>/` per feature module, shared code in `src/shared/` and `src/core/`,',
    'tests beside them under `test/`. Run `npm test` before finishing a task.',
    '',
  ].join('\n');
}

/* ------------------------------------------------------------------ API */

export function generate(opts: GenerateOptions): Manifest {
  const { n, seed, out } = opts;
  const k = opts.defects ?? 0;
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!existsSync(join(out, MANIFEST_FILE))) throw new Error(`'${out}' exists, is not empty and holds no ${MANIFEST_FILE}: refusing to overwrite it`);
    rmSync(out, { recursive: true, force: true });
  }
  const shape = opts.shape ?? 'realistic';
  const rng = new Rng(mix(seed, 0x5eed));
  const { tasks, byId, areas } = shape === 'realistic' ? buildTasks(n, rng) : shapeTasks(n, shape, rng);
  if (k > 0 && shape !== 'realistic') throw new Error('--defects goes with the realistic shape only');
  const defects = k > 0 ? inject(tasks, byId, k, new Rng(mix(seed, 0xdefec7))) : [];
  const folders = new Set(tasks.map((t) => t.folder));
  for (const f of folders) mkdirSync(join(out, f), { recursive: true });
  let bytes = 0;
  const project = projectFile();
  writeFileSync(join(out, 'PROJECT.md'), project);
  bytes += project.length;
  for (const t of tasks) {
    const text = render(t, seed, byId);
    bytes += Buffer.byteLength(text);
    writeFileSync(join(out, fileOf(t)), text);
  }
  const count = (p: Phase) => tasks.filter((t) => t.phase === p).length;
  const manifest: Manifest = {
    n,
    seed,
    shape,
    expected: shape === 'realistic' ? [] : ['no-integration'],
    counts: { foundation: count('foundation'), parallel: count('parallel'), integration: count('integration'), areas: areas.length },
    bytes,
    defects,
  };
  writeFileSync(join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function cli(): void {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      seed: { type: 'string', default: '1' },
      defects: { type: 'string', default: '0' },
      shape: { type: 'string', default: 'realistic' },
      out: { type: 'string' },
    },
  });
  if (!values.n || !values.out) {
    process.stderr.write('usage: node --import tsx bench/generate.ts --n 10000 [--seed 1] [--defects K] [--shape realistic|suffix|packages] --out DIR\n');
    process.exit(2);
  }
  if (!(SHAPES as readonly string[]).includes(values.shape!)) {
    process.stderr.write(`--shape must be one of ${SHAPES.join(', ')}\n`);
    process.exit(2);
  }
  const t0 = performance.now();
  const m = generate({ n: Number(values.n), seed: Number(values.seed), defects: Number(values.defects), shape: values.shape as Shape, out: values.out });
  const { foundation, parallel, integration, areas } = m.counts;
  process.stdout.write(
    `${m.n} specs (${foundation} foundation, ${parallel} parallel in ${areas} areas, ${integration} integration), ` +
      `${(m.bytes / 1024 / 1024).toFixed(1)} MiB, ${m.defects.length} defects, in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${values.out}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) cli();
