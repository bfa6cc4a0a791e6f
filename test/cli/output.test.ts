// "Output is written whole": every byte reaches a pipe, however slowly it is
// read, and a reader that goes away ends the command with exit 2, quietly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generate } from '../../bench/generate.js';
import { BIN, cli, tempDir } from '../helpers.js';

const dir = tempDir('specdag-output-');
generate({ n: 3000, seed: 3, out: join(dir, 'specs') });
generate({ n: 3000, seed: 3, defects: 300, out: join(dir, 'defects') });

/** Runs the CLI with stdout on a real pipe that the test drains in small, slow reads. */
function slowRead(args: string[], pauseMs: number): Promise<{ code: number | null; signal: string | null; bytes: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), pauseMs);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, bytes: Buffer.concat(chunks), stderr }));
  });
}

// Linux pipes hold 64 KiB; version 1 lost everything past that.
for (const [args, atLeast] of [
  [['plan', 'specs', '--format', 'json'], 1024 * 1024],
  [['export', 'specs', '--to', 'sh'], 1024 * 1024],
  [['plan', 'specs', '--format', 'dot'], 256 * 1024],
  [['lint', 'defects', '--format', 'sarif'], 256 * 1024],
] as const) {
  test(`'${args.join(' ')}' writes every byte to a slow pipe`, async () => {
    const whole = cli([...args], { cwd: dir });
    assert.ok(whole.stdout.length > atLeast, `the output is over ${atLeast} bytes (${whole.stdout.length})`);
    const piped = await slowRead([...args], 2);
    assert.equal(piped.code, whole.code, piped.stderr);
    assert.equal(piped.bytes.length, Buffer.byteLength(whole.stdout));
    assert.equal(piped.bytes.toString('utf8'), whole.stdout);
  });
}

test('the JSON plan read through a pipe parses', async () => {
  const piped = await slowRead(['plan', 'specs', '--format', 'json'], 0);
  const plan = JSON.parse(piped.bytes.toString('utf8')) as { tasks: unknown[] };
  assert.equal(plan.tasks.length, 3000);
});

test('a reader that closes early ends the command with exit 2 and no stack trace', () => {
  const script = `node ${JSON.stringify(BIN)} plan specs --format json | head -c 10 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
  const r = spawn('bash', ['-c', script], { cwd: dir });
  return new Promise<void>((resolve) => {
    let stderr = '';
    r.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    r.on('close', () => {
      const code = /exit=(\d+)/.exec(stderr)?.[1];
      assert.ok(code === '2' || code === '141', `exit 2 or 141, not ${code}: ${stderr}`);
      assert.doesNotMatch(stderr, /\bat .*\.js:\d+|Error:/, 'no stack trace or raw error');
      resolve();
    });
  });
});

test('output to a file is whole', () => {
  const out = join(dir, 'plan.json');
  const r = spawn('bash', ['-c', `node ${JSON.stringify(BIN)} plan specs --format json > ${JSON.stringify(out)}`], { cwd: dir });
  return new Promise<void>((resolve) => {
    r.on('close', (code) => {
      assert.equal(code, 0);
      const plan = JSON.parse(readFileSync(out, 'utf8')) as { tasks: unknown[] };
      assert.equal(plan.tasks.length, 3000);
      resolve();
    });
  });
});
