// A fake Anthropic Messages API on 127.0.0.1 for the interview tests: the
// real SDK talks to it over HTTP and SSE. Each test scripts the replies, one
// per request (retries included), and may inspect each request to decide.
// It rejects what the real API rejects, so a malformed request fails a test
// instead of passing silently.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAKE_KEY = 'sk-ant-test-not-a-real-key';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export interface ApiRequest {
  /** 1-based, counting every HTTP request the server received. */
  n: number;
  headers: IncomingHttpHeaders;
  body: Json;
  /** What the answer reported, for requests answered with a message. */
  usage?: FakeUsage;
}

export type Content =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; name: string; input: unknown }
  | { type: 'thinking'; thinking: string };

export type Reply =
  | { kind: 'message'; content: Content[]; stopReason?: string }
  | { kind: 'status'; status: number; errorType: string; message: string; headers: Record<string, string> }
  | { kind: 'mid-stream-error'; text: string; errorType: string }
  | { kind: 'drop'; text?: string }
  | { kind: 'hang' };

export type Step = Reply | ((req: ApiRequest) => Reply);

export const text = (t: string): Content => ({ type: 'text', text: t });
export const call = (name: string, input: unknown): Content => ({ type: 'tool_use', name, input });
export const thinking = (t: string): Content => ({ type: 'thinking', thinking: t });
export const reply = (...content: Content[]): Reply => ({ kind: 'message', content });
export const say = (t: string): Reply => reply(text(t));
export const status = (code: number, errorType: string, headers: Record<string, string> = {}): Reply => ({
  kind: 'status',
  status: code,
  errorType,
  message: errorType.replace(/_/g, ' '),
  headers,
});
/** The real API's overload answer, with a retry hint small enough to keep the tests fast (0 would make the SDK fall back to its own 0.5 s+ backoff). */
export const overloaded = (): Reply => status(529, 'overloaded_error', { 'retry-after-ms': '1' });
export const midStreamError = (partial: string, errorType = 'overloaded_error'): Reply => ({ kind: 'mid-stream-error', text: partial, errorType });
export const drop = (partial?: string): Reply => ({ kind: 'drop', ...(partial !== undefined ? { text: partial } : {}) });
export const hang = (): Reply => ({ kind: 'hang' });

/** The tool results of the request's last (user) message, by tool name when the matching tool_use is found. */
export function toolResults(req: ApiRequest): { name: string; input: Json; content: string; is_error: boolean }[] {
  const messages = req.body.messages as Json[];
  const last = messages.at(-1);
  const previous = messages.at(-2);
  const uses = new Map<string, Json>();
  for (const b of blocks(previous)) if (b.type === 'tool_use') uses.set(b.id, b);
  return blocks(last)
    .filter((b: Json) => b.type === 'tool_result')
    .map((b: Json) => ({
      name: uses.get(b.tool_use_id)?.name ?? '?',
      input: uses.get(b.tool_use_id)?.input,
      content: typeof b.content === 'string' ? b.content : b.content.map((c: Json) => c.text ?? '').join(''),
      is_error: b.is_error === true,
    }));
}

/** The text the user's side said in the request's last message. */
export function lastUserText(req: ApiRequest): string {
  return blocks(req.body.messages.at(-1))
    .filter((b: Json) => b.type === 'text')
    .map((b: Json) => b.text)
    .join('\n');
}

function blocks(message: Json): Json[] {
  if (!message) return [];
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface FakeApi {
  url: string;
  requests: ApiRequest[];
  /** Malformed requests, script assertions that failed, requests nobody scripted. Every test expects []. */
  failures: string[];
  /** Totals of what the server reported in its answers. */
  usage: FakeUsage;
  /** Scripted replies not consumed yet. */
  remaining(): number;
  /** Resolves when the n-th request has arrived. */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeApi(steps: Step[], options: { apiKey?: string } = {}): Promise<FakeApi> {
  const key = options.apiKey ?? FAKE_KEY;
  const queue = [...steps];
  const requests: ApiRequest[] = [];
  const failures: string[] = [];
  const usage: FakeUsage = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const cache = new Set<string>();
  const issued = { toolUses: new Map<string, string>(), thinking: new Map<string, string>() };
  const waiters: { n: number; resolve: () => void }[] = [];
  let count = 0;
  let ids = 0;

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const n = ++count;
      for (const w of waiters.filter((w) => w.n <= n)) w.resolve();
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/messages') {
        failures.push(`request #${n}: ${req.method} ${req.url} is not POST /v1/messages`);
        return sendError(res, 404, 'not_found_error', `${req.method} ${req.url} not found`);
      }
      const auth = req.headers.authorization === `Bearer ${key}` || req.headers['x-api-key'] === key;
      if (!auth) return sendError(res, 401, 'authentication_error', 'invalid x-api-key');
      let body: Json;
      try {
        body = JSON.parse(raw);
      } catch {
        failures.push(`request #${n}: the body is not JSON`);
        return sendError(res, 400, 'invalid_request_error', 'the body is not JSON');
      }
      const request: ApiRequest = { n, headers: req.headers, body };
      requests.push(request);
      const problems = validate(body, req.headers, issued);
      if (problems.length > 0) {
        failures.push(...problems.map((p) => `invalid request #${n}: ${p}`));
        return sendError(res, 400, 'invalid_request_error', problems.join('; '));
      }
      const step = queue.shift();
      if (step === undefined) {
        failures.push(`request #${n}: no scripted reply left (last message: ${JSON.stringify(body.messages.at(-1)).slice(0, 300)})`);
        return sendError(res, 400, 'invalid_request_error', 'the fake API has no scripted reply for this request');
      }
      let answer: Reply;
      try {
        answer = typeof step === 'function' ? step(request) : step;
      } catch (err) {
        failures.push(`request #${n}: script check failed: ${err instanceof Error ? err.message : String(err)}`);
        return sendError(res, 400, 'invalid_request_error', 'a fake API script check failed');
      }
      switch (answer.kind) {
        case 'status':
          return sendError(res, answer.status, answer.errorType, answer.message, answer.headers);
        case 'hang':
          return;
        case 'drop': {
          if (answer.text === undefined) return req.socket.destroy();
          startStream(res, body, n, { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
          event(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
          event(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: answer.text } });
          // Let the bytes leave before the connection is cut.
          return setTimeout(() => req.socket.destroy(), 20);
        }
        case 'mid-stream-error': {
          startStream(res, body, n, { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
          event(res, 'content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
          event(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: answer.text } });
          event(res, 'error', { type: 'error', error: { type: answer.errorType, message: 'Overloaded' } });
          return res.end();
        }
        case 'message': {
          const u = simulateUsage(body, cache);
          const content = answer.content.map((c) => toBlock(c, () => ++ids));
          u.output_tokens = tokens(JSON.stringify(content));
          for (const k of Object.keys(usage) as (keyof FakeUsage)[]) usage[k] += u[k];
          request.usage = u;
          startStream(res, body, n, { ...u, output_tokens: 1 });
          content.forEach((block, index) => streamBlock(res, block, index, issued));
          const stop = answer.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
          event(res, 'message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.output_tokens } });
          event(res, 'message_stop', { type: 'message_stop' });
          return res.end();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failures,
    usage,
    remaining: () => queue.length,
    waitFor: (n) => (count >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendError(res: ServerResponse, code: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', 'request-id': `req_fake_${code}`, ...headers });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

function event(res: ServerResponse, name: string, data: unknown): void {
  res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
}

function startStream(res: ServerResponse, body: Json, n: number, usage: FakeUsage): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': `req_fake_${n}` });
  event(res, 'message_start', {
    type: 'message_start',
    message: { id: `msg_fake_${n}`, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage },
  });
  event(res, 'ping', { type: 'ping' });
}

type Block = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown } | { type: 'thinking'; thinking: string; signature: string };

function toBlock(c: Content, next: () => number): Block {
  if (c.type === 'tool_use') return { type: 'tool_use', id: `toolu_fake_${next()}`, name: c.name, input: c.input };
  if (c.type === 'thinking') return { type: 'thinking', thinking: c.thinking, signature: `sig_fake_${next()}` };
  return c;
}

/** Streams one block in several deltas, as the real API does. */
function streamBlock(res: ServerResponse, block: Block, index: number, issued: { toolUses: Map<string, string>; thinking: Map<string, string> }): void {
  if (block.type === 'text') {
    event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of pieces(block.text, 3)) event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
  } else if (block.type === 'tool_use') {
    issued.toolUses.set(block.id, JSON.stringify({ name: block.name, input: block.input }));
    event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
    for (const piece of pieces(JSON.stringify(block.input), 3)) {
      event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
  } else {
    issued.thinking.set(block.signature, block.thinking);
    event(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
    event(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
  }
  event(res, 'content_block_stop', { type: 'content_block_stop', index });
}

function pieces(s: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(s.length / n));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out.length ? out : [''];
}

const tokens = (s: string) => Math.ceil(s.length / 4);

/**
 * Prompt caching, simulated: the prefix up to each cache_control breakpoint
 * (tools, then system, then messages) is written to the cache; a later
 * request reads the longest prefix it shares with one written before.
 */
function simulateUsage(body: Json, cache: Set<string>): FakeUsage {
  const segments: { json: string; breakpoint: boolean }[] = [];
  const add = (block: Json, prefix = '') => {
    const { cache_control, ...rest } = block;
    segments.push({ json: prefix + JSON.stringify(rest), breakpoint: cache_control !== undefined });
  };
  for (const tool of body.tools ?? []) add(tool);
  if (typeof body.system === 'string') add({ type: 'text', text: body.system });
  else for (const b of body.system ?? []) add(b);
  for (const m of body.messages) blocks(m).forEach((b: Json, i: number) => add(b, i === 0 ? `${m.role}:` : ''));
  const hash = createHash('sha256').update(String(body.model));
  const prefixes: { key: string; tokens: number }[] = [];
  let total = 0;
  for (const s of segments) {
    hash.update(s.json);
    total += tokens(s.json);
    prefixes.push({ key: hash.copy().digest('hex'), tokens: total });
  }
  const last = segments.map((s) => s.breakpoint).lastIndexOf(true);
  let read = 0;
  for (let i = last; i >= 0; i--) {
    if (cache.has(prefixes[i]!.key)) {
      read = prefixes[i]!.tokens;
      break;
    }
  }
  const written = last >= 0 ? prefixes[last]!.tokens - read : 0;
  segments.forEach((s, i) => s.breakpoint && cache.add(prefixes[i]!.key));
  return { input_tokens: total - read - written, output_tokens: 0, cache_read_input_tokens: read, cache_creation_input_tokens: written };
}

/** What the real Messages API refuses with a 400, as far as this client could get it wrong. */
export function validate(body: Json, headers: IncomingHttpHeaders, issued?: { toolUses: Map<string, string>; thinking: Map<string, string> }): string[] {
  const p: string[] = [];
  if (!headers['anthropic-version']) p.push('anthropic-version: header is required');
  if (typeof body !== 'object' || body === null) return ['the body must be a JSON object'];
  if (typeof body.model !== 'string' || body.model === '') p.push('model: Field required');
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) p.push('max_tokens: Field required (a positive integer)');
  if (body.stream !== true) p.push('stream: this fake answers streaming requests only');
  let breakpoints = 0;
  const checkCache = (where: string, b: Json) => {
    if (b.cache_control === undefined) return;
    breakpoints++;
    if (b.cache_control?.type !== 'ephemeral') p.push(`${where}.cache_control: type must be 'ephemeral'`);
    if (b.type === 'thinking' || b.type === 'redacted_thinking') p.push(`${where}.cache_control: cannot be set on a thinking block`);
    if (b.type === 'text' && (typeof b.text !== 'string' || b.text.trim() === '')) p.push(`${where}.cache_control: cannot be set on an empty text block`);
  };
  if (body.system !== undefined) {
    if (Array.isArray(body.system)) {
      body.system.forEach((b: Json, i: number) => {
        if (b?.type !== 'text' || typeof b.text !== 'string' || b.text.trim() === '') p.push(`system.${i}: text content blocks must be non-empty`);
        checkCache(`system.${i}`, b);
      });
    } else if (typeof body.system !== 'string') p.push('system: must be a string or a list of text blocks');
  }
  const names = new Set<string>();
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) p.push('tools: must be a list');
    else
      body.tools.forEach((t: Json, i: number) => {
        if (typeof t?.name !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(t.name)) p.push(`tools.${i}.name: invalid`);
        if (names.has(t?.name)) p.push(`tools: tool names must be unique ('${t.name}')`);
        names.add(t?.name);
        if (t?.input_schema?.type !== 'object') p.push(`tools.${i}.input_schema.type: must be 'object'`);
        checkCache(`tools.${i}`, t);
      });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    p.push('messages: at least one message is required');
    return p;
  }
  const seenToolUse = new Set<string>();
  body.messages.forEach((m: Json, i: number) => {
    const where = `messages.${i}`;
    if (m?.role !== 'user' && m?.role !== 'assistant') return p.push(`${where}.role: must be 'user' or 'assistant'`);
    if (i === 0 && m.role !== 'user') p.push(`${where}: the first message must use the 'user' role`);
    if (i > 0 && body.messages[i - 1]?.role === m.role) p.push(`${where}: roles must alternate between 'user' and 'assistant'`);
    if (typeof m.content === 'string') {
      if (m.content.trim() === '') p.push(`${where}: content must be non-empty`);
      return;
    }
    if (!Array.isArray(m.content) || m.content.length === 0) return p.push(`${where}: content must be a non-empty list`);
    let seenOther = false;
    m.content.forEach((b: Json, j: number) => {
      const at = `${where}.content.${j}`;
      checkCache(at, b);
      switch (b?.type) {
        case 'text':
          if (typeof b.text !== 'string' || b.text.trim() === '') p.push(`${at}: text content blocks must be non-empty`);
          seenOther = true;
          break;
        case 'tool_use':
          if (m.role !== 'assistant') p.push(`${at}: tool_use blocks belong to assistant messages`);
          if (typeof b.id !== 'string' || typeof b.name !== 'string' || typeof b.input !== 'object' || b.input === null) p.push(`${at}: tool_use needs id, name and an object input`);
          if (seenToolUse.has(b.id)) p.push(`${at}: tool_use ids must be unique ('${b.id}')`);
          seenToolUse.add(b.id);
          if (issued && issued.toolUses.get(b.id) !== JSON.stringify({ name: b.name, input: b.input })) p.push(`${at}: tool_use '${b.id}' is not what the model sent`);
          if (names.size > 0 && !names.has(b.name)) p.push(`${at}: tool '${b.name}' is not among the tools`);
          break;
        case 'tool_result':
          if (m.role !== 'user') p.push(`${at}: tool_result blocks belong to user messages`);
          if (seenOther) p.push(`${at}: tool_result blocks must come before any other content in a message`);
          if (typeof b.tool_use_id !== 'string') p.push(`${at}: tool_result needs tool_use_id`);
          if (typeof b.content === 'string' && b.content === '') p.push(`${at}: tool_result content must be non-empty when given as a string`);
          break;
        case 'thinking':
          if (m.role !== 'assistant') p.push(`${at}: thinking blocks belong to assistant messages`);
          if (typeof b.signature !== 'string' || b.signature === '') p.push(`${at}.signature: Field required`);
          else if (issued && issued.thinking.get(b.signature) !== b.thinking) p.push(`${at}: thinking block was modified`);
          seenOther = true;
          break;
        case 'redacted_thinking':
          seenOther = true;
          break;
        default:
          p.push(`${at}.type: unsupported '${b?.type}'`);
      }
    });
  });
  // Every tool_use is answered by a tool_result in the very next (user) message, and only those.
  body.messages.forEach((m: Json, i: number) => {
    const uses = m.role === 'assistant' ? blocks(m).filter((b: Json) => b?.type === 'tool_use').map((b: Json) => b.id) : [];
    const next = body.messages[i + 1];
    const results = next ? blocks(next).filter((b: Json) => b?.type === 'tool_result').map((b: Json) => b.tool_use_id) : [];
    const missing = uses.filter((id: string) => !results.includes(id));
    if (missing.length > 0) p.push(`messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}`);
    if (m.role === 'user') {
      const prev = i > 0 ? blocks(body.messages[i - 1]).filter((b: Json) => b?.type === 'tool_use').map((b: Json) => b.id) : [];
      const own = blocks(m).filter((b: Json) => b?.type === 'tool_result').map((b: Json) => b.tool_use_id);
      const stray = own.filter((id: string) => !prev.includes(id));
      if (stray.length > 0) p.push(`messages.${i}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(', ')}`);
    }
  });
  if (body.messages.at(-1)?.role !== 'user') p.push('messages: the conversation must end with a user message (this model does not support assistant prefill)');
  if (breakpoints > 4) p.push(`A maximum of 4 blocks with cache_control may be provided. Found ${breakpoints}.`);
  return p;
}
