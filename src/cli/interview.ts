import { UsageError } from '../util/errors.js';
import type { Io } from '../io/io.js';

export interface InterviewOptions {
  dir: string;
  model?: string;
  resume: boolean;
  refine?: string;
  /** How often the SDK retries 429/5xx and refused connections itself (default 3). */
  maxRetries?: number;
  /** How often a stream that fails half-way is asked for again (default 3). */
  streamRetries?: number;
  /** First backoff for those, in ms, doubled each time (default 1000). */
  retryBaseMs?: number;
}

export async function runInterview(opts: InterviewOptions, io: Io): Promise<number> {
  // Checked before anything else: without a key the SDK would fail only at the first request.
  const apiKey = io.env.ANTHROPIC_API_KEY?.trim();
  if (!apiKey) {
    throw new UsageError(
      `ANTHROPIC_API_KEY is not set; the interview talks to Claude through the Anthropic API, so export a key (https://console.anthropic.com/settings/keys) and run it again, or write specs without a model: 'specdag new <id> ${opts.dir}'`,
    );
  }
  if (opts.resume && opts.refine !== undefined) {
    throw new UsageError("--resume continues the latest interview as it was; start a new one for --refine (drop --resume)");
  }
  if (opts.model !== undefined && opts.model.trim() === '') throw new UsageError('--model needs a model id (or leave it out for the default)');
  const { interview } = await import('../interview/session.js');
  const { DEFAULT_BASE_URL } = await import('../interview/api.js');
  return interview(
    {
      dir: opts.dir,
      resume: opts.resume,
      ...(opts.model !== undefined ? { model: opts.model.trim() } : {}),
      ...(opts.refine !== undefined ? { refine: opts.refine } : {}),
      apiKey,
      baseURL: io.env.ANTHROPIC_BASE_URL?.trim() || DEFAULT_BASE_URL,
      maxRetries: opts.maxRetries ?? 3,
      streamRetries: opts.streamRetries ?? 3,
      retryBaseMs: opts.retryBaseMs ?? 1000,
    },
    io,
  );
}
