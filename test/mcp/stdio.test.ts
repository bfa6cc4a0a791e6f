// `specdag mcp` as a client starts it: the built CLI spawned, spoken to over
// stdio by the SDK's real Client, and once by hand to see every byte.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { BIN, specText, tempDir, writeTree } from '../helpers.js';
import { callTool } from './support.js';

async function spawnClient(cwd: string): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', 'specs'],
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, NO_COLOR: '1' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const client = new Client({ name: 'specdag-stdio-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

test('over stdio: the tools and the prompt, every traversal attempt refused, nothing written outside', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeTree(outside, { 'secret.md': specText('secret') });
  writeTree(cwd, { 'specs/ok.md': specText('ok', 'owns: [src/ok/**]\n') });
  symlinkSync(join(outside, 'secret.md'), join(cwd, 'specs', 'leak.md'));
  const { client, stderr } = await spawnClient(cwd);
  try {
    assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['list_specs', 'read_spec', 'write_spec', 'delete_spec', 'lint_specs', 'plan']);
    assert.deepEqual((await client.listPrompts()).prompts.map((p) => p.name), ['interview']);
    for (const id of ['../x', '/etc/passwd', join(outside, 'secret'), 'a/b', 'leak']) {
      for (const tool of ['read_spec', 'write_spec', 'delete_spec']) {
        const r = await callTool(client, tool, { id, markdown: specText('x') });
        assert.equal(r.isError, true, `${tool} ${id}: ${r.text}`);
        assert.doesNotMatch(r.text, /secret task/);
      }
    }
    assert.deepEqual(readdirSync(outside), ['secret.md']);
    assert.equal(readFileSync(join(outside, 'secret.md'), 'utf8'), specText('secret'));
    assert.deepEqual(readdirSync(join(cwd, 'specs')).sort(), ['leak.md', 'ok.md']);
    const w = await callTool(client, 'write_spec', { id: 'new-one', markdown: specText('new-one', 'owns: [src/new/**]\n') });
    assert.equal(w.isError, false, w.text);
    assert.equal(readFileSync(join(cwd, 'specs', 'new-one.md'), 'utf8'), specText('new-one', 'owns: [src/new/**]\n'));
  } finally {
    await client.close();
  }
  assert.doesNotMatch(stderr(), /unexpected error|bug in specdag/);
});

test('over stdio: writes racing deletes of one spec leave a whole file or none, and no temporary files', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/base.md': specText('base', 'owns: [src/base/**]\n') });
  const { client } = await spawnClient(cwd);
  const texts = new Set<string>();
  try {
    const calls: Promise<{ text: string; isError: boolean }>[] = [];
    for (let i = 0; i < 40; i++) {
      const text = specText('race', `owns: [src/race/**]\nx-round: ${i}\n`);
      texts.add(text);
      calls.push(callTool(client, 'write_spec', { id: 'race', markdown: text }));
      calls.push(callTool(client, 'delete_spec', { id: 'race' }));
    }
    const results = await Promise.all(calls);
    for (const r of results) {
      if (r.isError) assert.match(r.text, /^there is no spec 'race'|changed while specdag was using it|^cannot remove/, r.text);
      else assert.equal(typeof JSON.parse(r.text).errorCount, 'number');
    }
    assert.ok(results.some((r) => !r.isError));
  } finally {
    await client.close();
  }
  const left = readdirSync(join(cwd, 'specs')).sort();
  assert.deepEqual(left.filter((f) => f !== 'base.md' && f !== 'race.md'), [], `no temporary files: ${left.join(', ')}`);
  if (existsSync(join(cwd, 'specs', 'race.md'))) assert.ok(texts.has(readFileSync(join(cwd, 'specs', 'race.md'), 'utf8')), 'a whole file, one of those written');
});

test('stdout carries only the protocol, and the server exits 0 when stdin closes', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/a.md': specText('a', 'owns: [src/a/**]\n') });
  const child = spawn(process.execPath, [BIN, 'mcp', 'specs'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  const answered = (id: number) =>
    new Promise<void>((resolve) => {
      const check = () => (stdout.split('\n').some((l) => l.includes(`"id":${id}`)) ? resolve() : setTimeout(check, 20));
      check();
    });
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  await answered(1);
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/list' });
  send({ id: 3, method: 'tools/call', params: { name: 'write_spec', arguments: { id: 'b', markdown: specText('b', 'owns: [src/b/**]\n') } } });
  send({ id: 4, method: 'tools/call', params: { name: 'read_spec', arguments: { id: '../../etc/passwd' } } });
  send({ id: 5, method: 'prompts/get', params: { name: 'interview' } });
  await Promise.all([2, 3, 4, 5].map(answered));
  child.stdin.end();
  assert.equal(await exited, 0, stderr);
  const lines = stdout.split('\n').filter((l) => l !== '');
  assert.ok(lines.length >= 5);
  for (const line of lines) {
    const msg = JSON.parse(line) as { jsonrpc: string };
    assert.equal(msg.jsonrpc, '2.0', line.slice(0, 80));
  }
  const byId = new Map(lines.map((l) => JSON.parse(l) as { id?: number; result?: Record<string, unknown> }).map((m) => [m.id, m.result]));
  assert.equal((byId.get(1)!.serverInfo as { name: string }).name, 'specdag');
  assert.equal((byId.get(3)!.isError as boolean | undefined) ?? false, false);
  assert.equal(byId.get(4)!.isError, true);
  assert.ok(existsSync(join(cwd, 'specs', 'b.md')));
});
