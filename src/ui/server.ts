import { randomBytes, timingSafeEqual } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Io } from '../io/io.js';
import { findRepoRoot } from '../io/repo.js';
import { checkedSpecs } from '../lint/service.js';
import { buildPlan } from '../plan/plan.js';
import type { RunPlan } from '../plan/types.js';
import { runsDir } from '../run/state.js';
import { UsageError } from '../util/errors.js';
import { layoutPlan, type Layout } from './layout.js';
import { noBrowserReason, openBrowser } from './open.js';
import { renderPage } from './page.js';
import { changes, readRunState, RunFinder, summarise, taskRun, type RunSummary } from './state.js';

export interface UiOptions {
  /** The spec folder, as given on the command line. */
  dir: string;
  io: Io;
  /** 0 (the default): any free port. */
  port?: number;
  /**
   * Open the page in the system's browser (not in CI, not without a
   * display); what stops it is said on stderr.
   */
  open?: boolean;
}

export interface UiServer {
  /** `http://127.0.0.1:PORT/?token=T`: the only way in. */
  url: string;
  port: number;
  /** The plan the page shows. */
  plan: RunPlan;
  /** Stops watching, ends the live connections and closes the server. */
  close(): Promise<void>;
}

/** How often the run's state is looked at when no file event came (the page must follow it within 2 s). */
const POLL_MS = 500;
/** The most of a log one answer carries: the page shows the end of a long log. */
const LOG_CHUNK = 256 * 1024;
const ID = '[a-z0-9][a-z0-9-]{0,63}';
const TASK_ROUTE = new RegExp(`^/api/task/(${ID})$`);
const LOG_ROUTE = new RegExp(`^/api/log/(${ID})$`);

const NO_RUN: RunSummary = { full: true, run: null, tasks: {} };

/**
 * Follows the latest run of the folder: its state.json is watched (fs.watch
 * on the runs folder and on the run's own folder) and read again every
 * POLL_MS as well, because file events are not delivered everywhere
 * (network drives, some containers). Calls `changed` with what changed.
 */
class RunFollower {
  private finder: RunFinder;
  private runId: string | undefined;
  private summary: RunSummary = NO_RUN;
  private stamp = '';
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private watchers = new Map<string, FSWatcher>();
  private closed = false;

  constructor(
    private readonly repoRoot: string,
    specDir: string,
    private readonly changed: (update: RunSummary) => void,
  ) {
    this.finder = new RunFinder(repoRoot, specDir);
  }

  start(): void {
    this.refresh();
    this.timer = setInterval(() => this.refresh(), POLL_MS);
  }

  get current(): { runId: string | undefined; summary: RunSummary } {
    return { runId: this.runId, summary: this.summary };
  }

  /** The run's state.json, read now (for the panel: its details are not kept). */
  state(): Record<string, unknown> | undefined {
    return this.runId ? readRunState(this.repoRoot, this.runId) : undefined;
  }

  runDir(): string | undefined {
    return this.runId ? join(runsDir(this.repoRoot), this.runId) : undefined;
  }

  stop(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private watchDir(dir: string): void {
    if (this.watchers.has(dir)) return;
    try {
      const w = watch(dir, () => this.refreshSoon());
      w.on('error', () => {
        w.close();
        this.watchers.delete(dir);
      });
      this.watchers.set(dir, w);
    } catch {
      // Not there yet (no run so far): polling finds it, and the next refresh tries again.
    }
  }

  private refreshSoon(): void {
    if (this.soon || this.closed) return;
    // A burst of events (a rename, a log line) becomes one read.
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.refresh();
    }, 40);
  }

  private refresh(): void {
    if (this.closed) return;
    this.watchDir(runsDir(this.repoRoot));
    const latest = this.finder.latest();
    if (latest === undefined) return;
    if (latest !== this.runId) {
      for (const [dir, w] of this.watchers) {
        if (dir !== runsDir(this.repoRoot)) {
          w.close();
          this.watchers.delete(dir);
        }
      }
      this.runId = latest;
      this.stamp = '';
    }
    this.watchDir(join(runsDir(this.repoRoot), latest));
    const state = readRunState(this.repoRoot, latest);
    // Half written or being replaced: the next event or poll reads it again.
    if (!state) return;
    const next = summarise(latest, state);
    const stamp = JSON.stringify(next);
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    const update = changes(this.summary, next);
    this.summary = next;
    this.changed(update);
  }
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * `specdag ui`: lints and plans the folder, lays the graph out once, and
 * serves it on 127.0.0.1 with a random token every request must carry.
 * Routes: `/` (the page), `/events` (the run's state as server-sent
 * events), `/api/task/<id>` (what the side panel shows), `/api/log/<id>`
 * (the task's log from a byte offset). Nothing else, and no path is ever
 * mapped to a file: the log of a task is always `<run folder>/<id>.log`.
 */
export async function startUi(opts: UiOptions): Promise<UiServer> {
  const { io } = opts;
  const specDir = resolve(io.cwd, opts.dir);
  const result = await checkedSpecs(opts.dir, io, { readOnly: true });
  const repoRoot = findRepoRoot(specDir) ?? findRepoRoot(io.cwd) ?? io.cwd;
  const plan = buildPlan(result, { repoRoot, cwd: io.cwd });
  const layout: Layout = layoutPlan(plan);
  const tasks = new Map(plan.tasks.map((t) => [t.id, t]));
  const planned = (id: string) => (tasks.get(id)?.status === 'done' ? 'done' : 'planned');
  const token = randomBytes(18).toString('base64url');
  const streams = new Set<ServerResponse>();

  const event = (summary: RunSummary) => `event: state\ndata: ${JSON.stringify(summary)}\n\n`;
  const follower = new RunFollower(repoRoot, specDir, (update) => {
    for (const res of streams) res.write(event(update));
  });

  let port = 0;
  const hostOk = (host: string | undefined) => host === `127.0.0.1:${port}` || host === `localhost:${port}`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The raw target, not a parsed URL: a parser would turn `/../` or `/%2e%2e/` into `/`.
    const raw = req.url ?? '';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    if (!hostOk(req.headers.host) || !sameToken(query.get('token'), token)) {
      send(res, 403, 'text/plain; charset=utf-8', "forbidden: open the address 'specdag ui' printed; it carries the token\n");
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/') {
      const { summary } = follower.current;
      const page = renderPage({
        plan,
        layout,
        mode: 'live',
        statusOf: (id) => summary.tasks[id]?.status ?? planned(id),
        state: summary,
      });
      send(res, 200, 'text/html; charset=utf-8', page.html, { 'Content-Security-Policy': `${page.csp}; frame-ancestors 'none'` });
      return;
    }
    if (path === '/events') {
      res.writeHead(200, { ...COMMON_HEADERS, 'Content-Security-Policy': "default-src 'none'", 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
      res.write(`retry: 1000\n\n${event(follower.current.summary)}`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const taskMatch = TASK_ROUTE.exec(path);
    if (taskMatch && tasks.has(taskMatch[1]!)) {
      const id = taskMatch[1]!;
      const state = follower.state();
      const spec = await readFile(join(repoRoot, tasks.get(id)!.file), 'utf8').catch(() => null);
      const body = { id, runId: follower.current.runId ?? null, run: (state && taskRun(state, id)) ?? null, spec };
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
      return;
    }
    const logMatch = LOG_ROUTE.exec(path);
    if (logMatch && tasks.has(logMatch[1]!)) {
      const runDir = follower.runDir();
      const file = runDir ? join(runDir, `${logMatch[1]!}.log`) : undefined;
      const size = file ? await stat(file).then((s) => (s.isFile() ? s.size : -1), () => -1) : -1;
      // No log yet is an answer, not an error: the page asks again while the task may start.
      if (size < 0 || !file) {
        send(res, 200, 'text/plain; charset=utf-8', '', { 'X-Log-From': '0', 'X-Log-Size': '0', 'X-Log-Missing': '1' });
        return;
      }
      const asked = Number(query.get('from') ?? '0');
      // An offset past the end means the log started over (a new attempt): send it from the start.
      let from = Number.isSafeInteger(asked) && asked >= 0 && asked <= size ? asked : 0;
      if (size - from > LOG_CHUNK) from = size - LOG_CHUNK;
      const chunk = Buffer.alloc(size - from);
      const fd = await open(file, 'r');
      try {
        await fd.read(chunk, 0, chunk.length, from);
      } finally {
        await fd.close();
      }
      send(res, 200, 'text/plain; charset=utf-8', chunk, { 'X-Log-From': String(from), 'X-Log-Size': String(size) });
      return;
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `error: ${err instanceof Error ? err.message : String(err)}\n`);
      else res.end();
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'EADDRINUSE'
          ? new UsageError(`port ${opts.port} on 127.0.0.1 is taken; choose another with --port, or leave it out for any free port`)
          : new UsageError(`cannot listen on 127.0.0.1:${opts.port ?? 0}: ${err.message}`),
      ),
    );
    server.listen(opts.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  follower.start();
  // Comments keep idle event streams open through proxies and sleeping laptops.
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': still here\n\n');
  }, 15_000);

  const url = `http://127.0.0.1:${port}/?token=${token}`;
  if (opts.open) {
    const reason = noBrowserReason(io.env);
    const failed = reason === undefined ? await openBrowser(url) : `not opening a browser because ${reason}`;
    if (failed) io.stderr.write(`specdag: ${failed}; open the address yourself\n`);
  }
  return {
    url,
    port,
    plan,
    close: async () => {
      clearInterval(heartbeat);
      follower.stop();
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}
