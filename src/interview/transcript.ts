import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../io/repo.js';
import { writeFileAtomic } from '../io/write.js';
import { UsageError } from '../util/errors.js';

/** The content blocks a conversation holds: the Messages API's own shapes, so they go back to it unchanged. */
export type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: boolean }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string };

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: Block[];
}

export interface UsageTotals {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** HTTP requests sent, retries included. */
  requests: number;
}

/**
 * What `.specdag/interviews/<timestamp>.json` holds: enough to continue the
 * conversation (`--resume`), and never the API key.
 */
export interface InterviewTranscript {
  version: 1;
  model: string;
  /** The spec folder, relative to the folder that holds `.specdag`, with `/` separators. */
  dir: string;
  messages: ChatMessage[];
  usage: UsageTotals;
  startedAt: string;
  updatedAt: string;
  /** The spec a `--refine` conversation is about. */
  refine?: string;
}

export const emptyUsage = (): UsageTotals => ({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, requests: 0 });

/** The folder transcripts are saved under: the repository root when in git, else the current directory. */
export function storeRoot(cwd: string): string {
  return findRepoRoot(cwd) ?? cwd;
}

export function interviewsDir(cwd: string): string {
  return join(storeRoot(cwd), '.specdag', 'interviews');
}

/** A new transcript's path; the name sorts by time, so the latest is the last name. */
export function newTranscriptPath(cwd: string, now = new Date()): string {
  const dir = interviewsDir(cwd);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let path = join(dir, `${stamp}.json`);
  for (let n = 2; existsSync(path); n++) path = join(dir, `${stamp}-${n}.json`);
  return path;
}

export function latestTranscriptPath(cwd: string): string | undefined {
  const dir = interviewsDir(cwd);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return undefined;
  }
  names.sort();
  const last = names.at(-1);
  return last === undefined ? undefined : join(dir, last);
}

export function saveTranscript(path: string, transcript: InterviewTranscript): void {
  writeFileAtomic(path, `${JSON.stringify(transcript, null, 2)}\n`);
}

export function loadTranscript(path: string, shown: string): InterviewTranscript {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read the interview transcript ${shown} (${err instanceof Error ? err.message : String(err)}); start a new interview without --resume`);
  }
  const t = data as Partial<InterviewTranscript>;
  if (t.version !== 1 || typeof t.model !== 'string' || typeof t.dir !== 'string' || !Array.isArray(t.messages)) {
    throw new UsageError(`${shown} is not an interview transcript specdag can resume (version 1 with model, dir and messages); start a new interview without --resume`);
  }
  return { ...t, usage: { ...emptyUsage(), ...t.usage } } as InterviewTranscript;
}
