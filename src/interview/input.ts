import { createInterface, type Interface } from 'node:readline';
import type { Io } from '../io/io.js';

/** What the user says: one line at a time; null once input has ended (or was closed). */
export interface UserInput {
  readonly interactive: boolean;
  next(): Promise<string | null>;
  /** Ctrl-C at the prompt. */
  onInterrupt(handler: () => void): void;
  close(): void;
}

/**
 * On a TTY, a `you>` prompt through readline; otherwise each line of
 * standard input is one message, read as it comes (a pipe may still be
 * writing while the model answers).
 */
export function userInput(io: Io): UserInput {
  const stdin = io.stdin;
  if (!stdin) return { interactive: false, next: async () => null, onInterrupt: () => {}, close: () => {} };
  const interactive = stdin.isTTY === true;
  const output = io.stdout as unknown as NodeJS.WritableStream;
  // Raw-mode line editing needs a real terminal on both ends.
  const terminal = interactive && io.stdout.isTTY === true && typeof (stdin as { setRawMode?: unknown }).setRawMode === 'function';
  const rl: Interface = createInterface({ input: stdin, ...(interactive ? { output, terminal, prompt: 'you> ' } : {}), crlfDelay: Infinity });

  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });

  return {
    interactive,
    next() {
      if (lines.length > 0) return Promise.resolve(lines.shift()!);
      if (ended) return Promise.resolve(null);
      if (interactive) {
        if (terminal) rl.prompt();
        else io.stdout.write('you> ');
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    onInterrupt(handler) {
      rl.on('SIGINT', handler);
    },
    close() {
      rl.close();
    },
  };
}
