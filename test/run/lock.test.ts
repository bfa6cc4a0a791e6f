import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Lock } from '../../src/run/lock.js';
import { ROOT, tempDir } from '../helpers.js';

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

const LOCK_URL = pathToFileURL(join(ROOT, 'src', 'run', 'lock.ts')).href;

/** A process that takes the lock `rounds` times, logging when it is inside. */
function contender(file: string, log: string, rounds: number) {
  const script = `
    import { appendFileSync } from 'node:fs';
    import { setTimeout as sleep } from 'node:timers/promises';
    const { Lock } = await import(${JSON.stringify(LOCK_URL)});
    const lock = new Lock(${JSON.stringify(file)});
    for (let i = 0; i < ${rounds}; i++) {
      await lock.run(async () => {
        appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        await sleep(2);
        appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
      });
    }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

test('the lock keeps processes apart: no two are ever inside at once, also when they all find a dead owner', async () => {
  const dir = tempDir();
  const file = join(dir, 'locks', 'target.lock');
  const log = join(dir, 'log');
  writeFileSync(log, '');
  // They all start by finding a lock whose owner is dead: only one of them may take it over.
  mkdirSync(join(dir, 'locks'));
  writeFileSync(file, `${deadPid()}\n`);
  const results = await Promise.all([1, 2, 3, 4].map(() => contender(file, log, 15)));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 4 * 15 * 2);
  for (let i = 0; i < lines.length; i += 2) {
    assert.match(lines[i]!, /^in \d+$/);
    assert.equal(lines[i + 1], lines[i]!.replace('in', 'out'), `line ${i + 2}: someone entered while ${lines[i]} was inside`);
  }
  assert.ok(!existsSync(file), 'released');
  assert.deepEqual(readdirSync(join(dir, 'locks')), [], 'no helper file left behind');
});

test("a lock left by a dead process is taken over; a live owner's lock is waited for", async () => {
  const dir = tempDir();
  const file = join(dir, 'target.lock');
  writeFileSync(file, `${deadPid()}\n`);
  let inside = false;
  await new Lock(file).run(async () => {
    inside = true;
    assert.equal(readFileSync(file, 'utf8').trim(), String(process.pid));
  });
  assert.ok(inside);

  const owner = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    writeFileSync(file, `${owner.pid}\n`);
    let entered = false;
    const waiting = new Lock(file).run(async () => {
      entered = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(entered, false, 'it waits while the owner lives');
    owner.kill();
    await waiting;
    assert.equal(entered, true, 'and goes in once the owner is gone');
  } finally {
    owner.kill();
  }
});
