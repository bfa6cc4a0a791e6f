import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { displayPath } from '../io/folder.js';
import type { Io } from '../io/io.js';
import { createSpecServer } from '../mcp/server.js';
import { UsageError } from '../util/errors.js';

export interface McpOptions {
  dir: string;
}

/**
 * Serves the spec folder over MCP on stdin/stdout until the client closes
 * stdin. stdout carries the protocol only: every note goes to stderr.
 */
export async function runMcp(opts: McpOptions, io: Io): Promise<number> {
  const stdin = io.stdin as (Readable & { isTTY?: boolean }) | undefined;
  const stdout = io.stdout as unknown as Writable;
  if (!stdin || typeof stdin.on !== 'function' || typeof stdout.on !== 'function') throw new UsageError('specdag mcp needs standard input and output: an MCP client starts it');
  const shown = displayPath(resolve(io.cwd, opts.dir), io.cwd);
  if (stdin.isTTY) {
    io.stderr.write(`specdag mcp: an MCP server for '${shown}' on stdin/stdout; an MCP client starts it (see 'specdag init --claude'); Ctrl-D ends it\n`);
  }
  const { server, idle } = createSpecServer(opts.dir, io);
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  // The transport closes itself when stdin ends; that is when the server stops.
  class Transport extends StdioServerTransport {
    override async close(): Promise<void> {
      await super.close();
      closed();
    }
  }
  serveStdio(() => server, { transport: new Transport(stdin, stdout), onerror: (err) => io.stderr.write(`specdag mcp: ${err.message}\n`) });
  await done;
  // A write still running finishes (it is atomic either way) before the process ends.
  await idle();
  return 0;
}
