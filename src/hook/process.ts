// The hook as a process: event on fd 0, sentence on fd 2, exit code back to
// bin.ts. Plain synchronous file descriptors, because creating the stdio
// streams would load node's net and stream modules, which costs more than the
// whole check.
import { readSync, writeSync } from 'node:fs';
import { claudePreToolUse } from './claude-pre-tool-use.js';

export async function claudePreToolUseProcess(): Promise<number> {
  const outcome = await claudePreToolUse(readStdin(), process.env, process.cwd());
  if (outcome.stderr) {
    try {
      writeSync(2, outcome.stderr);
    } catch {
      // Nobody reads stderr: the exit code still says it all.
    }
  }
  return outcome.code;
}

/** All of stdin; a non-blocking stdin that has nothing yet is waited for, briefly, in small steps. */
function readStdin(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(64 * 1024);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; ) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' && waited < 5000) {
        Atomics.wait(pause, 0, 0, 5);
        waited += 5;
        continue;
      }
      if (code === 'EOF' || code === 'EAGAIN') break;
      throw err;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}
