import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { after } from 'node:test';
import type { Io } from '../../src/io/io.js';
import { createSpecServer } from '../../src/mcp/server.js';

export interface ToolText {
  text: string;
  isError: boolean;
}

/** A real SDK Client connected in memory to specdag's server over `dir` (relative to `cwd`). */
export async function connect(cwd: string, dir = 'specs', env: NodeJS.ProcessEnv = {}): Promise<{ client: Client; call(name: string, args?: Record<string, unknown>): Promise<ToolText> }> {
  const io: Io = { stdout: { write: () => true }, stderr: { write: () => true }, cwd, env };
  const { server } = createSpecServer(dir, io);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'specdag-test', version: '1.0.0' });
  await client.connect(clientSide);
  after(() => client.close());
  return { client, call: (name, args = {}) => callTool(client, name, args) };
}

/** One tool call's single text block and its error flag. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<ToolText> {
  const r = (await client.callTool({ name, arguments: args })) as { content: { type: string; text?: string }[]; isError?: boolean };
  if (r.content.length !== 1 || r.content[0]!.type !== 'text') throw new Error(`${name}: expected one text block, got ${JSON.stringify(r.content)}`);
  return { text: r.content[0]!.text!, isError: r.isError === true };
}
