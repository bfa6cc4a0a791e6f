import { claudePreToolUse } from '../hook/claude-pre-tool-use.js';
import type { Io } from '../io/io.js';

export interface HookOptions {
  event: 'claude-pre-tool-use';
}

/**
 * Runs a hook on the event on stdin. bin.ts calls this before loading the
 * rest of the CLI, so it must stay light: no commander, no remark, no SDK.
 */
export async function runHook(_opts: HookOptions, io: Io): Promise<number> {
  const input = io.stdin ? await readAll(io.stdin) : '';
  const outcome = await claudePreToolUse(input, io.env, io.cwd);
  if (outcome.stderr) io.stderr.write(outcome.stderr);
  return outcome.code;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}
