// The only module that talks to the Anthropic SDK, and only through a
// dynamic import: `specdag lint` and friends never load it.
import type Anthropic from '@anthropic-ai/sdk';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ToolDefinition } from './tools.js';
import type { Block, ChatMessage } from './transcript.js';

/** A current Claude Sonnet; `--model` and SPECDAG_MODEL override it. */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';
export const DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Room for a few whole specs in one turn, plus the model's thinking. */
export const MAX_TOKENS = 32000;

const EPHEMERAL = { type: 'ephemeral' } as const;

export interface TurnRequest {
  model: string;
  system: string;
  tools: ToolDefinition[];
  messages: ChatMessage[];
}

export interface TurnUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface TurnResult {
  content: Block[];
  stopReason: string | null;
  usage: TurnUsage;
}

/**
 * Why a turn could not be had. `auth` and `rejected` will not get better by
 * trying again; `connection`, `overloaded` and `rate-limit` might, later.
 */
export type FailureKind = 'auth' | 'rejected' | 'connection' | 'overloaded' | 'rate-limit' | 'aborted';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  apiKey: string;
  baseURL: string;
  /** Retries the SDK makes itself for 408/409/429/5xx and refused connections. */
  maxRetries: number;
  /** Retries made here for a stream that fails half-way (an `error` event, a cut connection): the SDK does not retry those. */
  streamRetries: number;
  /** First backoff for those, doubled each time. */
  retryBaseMs: number;
  /** Called for every HTTP request, retries included. */
  onRequest(): void;
  onRetry(reason: string, delayMs: number): void;
}

export interface ModelClient {
  /** One assistant turn, streamed: `onText` gets the text as it arrives. */
  turn(request: TurnRequest, onText: (text: string) => void, signal: AbortSignal): Promise<TurnResult>;
}

export async function createModelClient(options: ClientOptions): Promise<ModelClient> {
  const sdk = await import('@anthropic-ai/sdk');
  const client = new sdk.Anthropic({
    apiKey: options.apiKey,
    // Always explicit, so the SDK never reads the process environment behind the caller's back.
    baseURL: options.baseURL,
    maxRetries: options.maxRetries,
    fetch: (url, init) => {
      options.onRequest();
      return globalThis.fetch(url, init);
    },
  });

  const classify = (err: unknown, signal: AbortSignal): { failure: ApiFailure; retry: boolean } => {
    if (signal.aborted || err instanceof sdk.APIUserAbortError) return { failure: new ApiFailure('aborted', 'interrupted'), retry: false };
    if (err instanceof sdk.AuthenticationError) {
      return { failure: new ApiFailure('auth', `the Anthropic API rejected the key in ANTHROPIC_API_KEY (401${detail(err)})`), retry: false };
    }
    if (err instanceof sdk.APIConnectionError) {
      return { failure: new ApiFailure('connection', `cannot reach the Anthropic API at ${options.baseURL} (${err.message})`), retry: false };
    }
    if (err instanceof sdk.APIError && err.status !== undefined) {
      // The SDK has already retried these as often as maxRetries allows.
      if (err.status === 429) return { failure: new ApiFailure('rate-limit', `the Anthropic API is rate-limiting this key (429${detail(err)})`), retry: false };
      if (err.status >= 500) return { failure: new ApiFailure('overloaded', `the Anthropic API is unavailable or overloaded (${err.status}${detail(err)})`), retry: false };
      return { failure: new ApiFailure('rejected', `the Anthropic API refused the request (${err.status}${detail(err)})`), retry: false };
    }
    if (err instanceof sdk.APIError) {
      // An `error` event in the middle of a stream: HTTP said 200, so the SDK does not retry.
      if (err.type === 'overloaded_error' || err.type === 'api_error') {
        return { failure: new ApiFailure('overloaded', `the Anthropic API failed in the middle of an answer (${err.type}${detail(err)})`), retry: true };
      }
      return { failure: new ApiFailure('rejected', `the Anthropic API stopped the answer (${err.type ?? 'error'}${detail(err)})`), retry: false };
    }
    // The stream broke off (connection cut, no message_stop): a transient failure.
    const message = err instanceof Error ? err.message : String(err);
    return { failure: new ApiFailure('connection', `the connection to the Anthropic API broke off (${message})`), retry: true };
  };

  return {
    async turn(request, onText, signal) {
      const params = requestParams(request) as Anthropic.MessageStreamParams;
      for (let attempt = 0; ; attempt++) {
        try {
          const stream = client.messages.stream(params, { signal });
          stream.on('text', (delta) => onText(delta));
          const message = await stream.finalMessage();
          return { content: toBlocks(message.content), stopReason: message.stop_reason, usage: usageOf(message.usage) };
        } catch (err) {
          const { failure, retry } = classify(err, signal);
          if (!retry || attempt >= options.streamRetries) throw failure;
          const delay = options.retryBaseMs * 2 ** attempt;
          options.onRetry(failure.message, delay);
          try {
            await sleep(delay, undefined, { signal });
          } catch {
            throw new ApiFailure('aborted', 'interrupted');
          }
        }
      }
    },
  };
}

/**
 * The request body: the system prompt and the last tool carry a cache
 * breakpoint (they never change within a conversation), and so does the last
 * block of the conversation, so the next turn reads everything before it
 * from the cache. Three breakpoints; the API allows four.
 */
export function requestParams(request: TurnRequest): Record<string, unknown> {
  const tools = request.tools.map((t, i) => (i === request.tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
  return {
    model: request.model,
    max_tokens: MAX_TOKENS,
    system: [{ type: 'text', text: request.system, cache_control: EPHEMERAL }],
    tools,
    messages: withCacheBreakpoint(request.messages),
  };
}

function withCacheBreakpoint(messages: ChatMessage[]): unknown[] {
  const out: unknown[] = messages.slice(0, -1);
  const last = messages.at(-1);
  if (!last) return out;
  const content: unknown[] = [...last.content];
  // Thinking blocks cannot carry a breakpoint; the last user message never ends with one, but be safe.
  for (let i = content.length - 1; i >= 0; i--) {
    const block = last.content[i]!;
    if (block.type === 'text' || block.type === 'tool_result' || block.type === 'tool_use') {
      content[i] = { ...block, cache_control: EPHEMERAL };
      break;
    }
  }
  out.push({ role: last.role, content });
  return out;
}

/** The assistant's blocks as they must go back to the API: thinking unchanged, no empty text. */
function toBlocks(content: Anthropic.ContentBlock[]): Block[] {
  const out: Block[] = [];
  for (const b of content) {
    if (b.type === 'text') {
      if (b.text !== '') out.push({ type: 'text', text: b.text });
    } else if (b.type === 'tool_use') {
      let input: unknown;
      try {
        input = b.input;
      } catch {
        input = {};
      }
      out.push({ type: 'tool_use', id: b.id, name: b.name, input: input ?? {} });
    } else if (b.type === 'thinking') {
      out.push({ type: 'thinking', thinking: b.thinking, signature: b.signature });
    } else if (b.type === 'redacted_thinking') {
      out.push({ type: 'redacted_thinking', data: b.data });
    }
  }
  return out;
}

function usageOf(u: Anthropic.Usage): TurnUsage {
  return {
    input_tokens: u.input_tokens ?? 0,
    output_tokens: u.output_tokens ?? 0,
    cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
  };
}

function detail(err: { apiMessage?: string | null }): string {
  return err.apiMessage ? `: ${err.apiMessage}` : '';
}
