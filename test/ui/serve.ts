import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { after } from 'node:test';
import { BIN } from '../helpers.js';

export interface Served {
  url: string;
  base: string;
  token: string;
  child: ChildProcess;
  stderr(): string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built `specdag ui <dir> --no-open` (or without --no-open) as a user would, and reads the URL from its first line. */
export function serve(cwd: string, env: NodeJS.ProcessEnv, args: string[] = ['specs'], open = false): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'ui', ...args, ...(open ? [] : ['--no-open'])], { cwd, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  // 'close', not 'exit': only then has all its output been read.
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      const line = out.split('\n')[0]!;
      if (!out.includes('\n')) return;
      const m = /^(http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)$/.exec(line);
      if (!m) return reject(new Error(`the first line of stdout is not the URL: ${JSON.stringify(line)}\n${err}`));
      resolve({
        url: line,
        base: m[1]!,
        token: m[2]!,
        child,
        stderr: () => err,
        stop: () => {
          child.kill('SIGINT');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`specdag ui exited (${code}) before printing its URL:\n${err}`)));
  });
}

/** A GET with the path sent exactly as written (fetch would resolve `/../` before sending it). */
export function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (s: string) => {
        body += s;
        // An event stream never ends: its first event is enough.
        if (res.headers['content-type']?.startsWith('text/event-stream') && body.includes('\n\n')) req.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      res.on('end', done);
      res.on('close', done);
    });
    req.on('error', (e) => (req.destroyed ? undefined : reject(e)));
    req.end();
  });
}
