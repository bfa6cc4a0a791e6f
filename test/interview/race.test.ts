// The spec tools under a race (issue 17, item 10): another process flips
// specs/race.md between a file, a symlink out of the folder and a hard link
// to a file outside, as fast as it can, while the tools read, write and
// delete it. Bounded in time; the outside files must come through untouched
// and unread. The same code serves the MCP server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Io } from '../../src/io/io.js';
import { SpecTools } from '../../src/interview/tools.js';
import { specText, tempDir } from '../helpers.js';

const ROUND_MS = 1500;

const io = (cwd: string): Io => ({ stdout: { write: () => true }, stderr: { write: () => true }, cwd, env: {} });

/** A child process that swaps `path` between the given shapes until killed; resolves once it has started flipping. */
function flipper(path: string, shapes: ({ file: string } | { symlink: string } | { hardlink: string })[]): Promise<() => Promise<number>> {
  const script = `
    const fs = require('node:fs');
    const [path, json] = process.argv.slice(1);
    const shapes = JSON.parse(json);
    const tmp = path + '.flip';
    let n = 0;
    process.stdout.write('go\\n');
    for (;;) {
      for (const s of shapes) {
        try {
          fs.rmSync(tmp, { force: true });
          if (s.file !== undefined) fs.writeFileSync(tmp, s.file);
          else if (s.symlink !== undefined) fs.symlinkSync(s.symlink, tmp);
          else fs.linkSync(s.hardlink, tmp);
          fs.renameSync(tmp, path);
          n++;
        } catch {}
      }
    }`;
  const child = spawn(process.execPath, ['-e', script, path, JSON.stringify(shapes)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.once('data', () =>
      resolve(
        () =>
          new Promise((done) => {
            child.once('close', () => done(0));
            child.kill('SIGKILL');
          }),
      ),
    );
  });
}

/** Runs `attempt` again and again for ROUND_MS; returns how many tries succeeded and how many were refused. */
function hammer(attempt: () => void): { ok: number; refused: number } {
  const end = Date.now() + ROUND_MS;
  let ok = 0;
  let refused = 0;
  while (Date.now() < end) {
    try {
      attempt();
      ok++;
    } catch {
      refused++;
    }
  }
  return { ok, refused };
}

test('write_spec racing a symlink swap never writes outside the folder (existing and dangling targets)', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeFileSync(join(outside, 'victim.md'), 'ORIGINAL\n');
  mkdirSync(join(cwd, 'specs'));
  const race = join(cwd, 'specs', 'race.md');
  writeFileSync(race, specText('race'));
  const tools = new SpecTools('specs', io(cwd));
  const stop = await flipper(race, [{ file: specText('race') }, { symlink: join(outside, 'victim.md') }, { symlink: join(outside, 'created.md') }]);
  let tries;
  try {
    tries = hammer(() => tools.writeSpec('race', specText('race', 'x-written: yes\n')));
  } finally {
    await stop();
  }
  assert.ok(tries.ok + tries.refused > 50, `the race ran (${JSON.stringify(tries)})`);
  assert.equal(readFileSync(join(outside, 'victim.md'), 'utf8'), 'ORIGINAL\n');
  assert.deepEqual(readdirSync(outside), ['victim.md'], 'no file created outside, not even a temporary one');
  assert.deepEqual(readdirSync(join(cwd, 'specs')).filter((f) => f.includes('.tmp')), [], 'no temporary file left behind');
});

test('read_spec racing symlink and hard-link swaps never returns a file from outside the folder', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeFileSync(join(outside, 'secret.md'), 'SECRET outside text\n');
  mkdirSync(join(cwd, 'specs'));
  const race = join(cwd, 'specs', 'race.md');
  writeFileSync(race, specText('race'));
  const tools = new SpecTools('specs', io(cwd));
  const stop = await flipper(race, [{ file: specText('race') }, { symlink: join(outside, 'secret.md') }, { file: specText('race') }, { hardlink: join(outside, 'secret.md') }]);
  const seen = new Set<string>();
  let tries;
  try {
    tries = hammer(() => seen.add(tools.readSpec('race')));
  } finally {
    await stop();
  }
  assert.ok(tries.ok > 0 && tries.refused > 0, `both outcomes happened (${JSON.stringify(tries)})`);
  assert.deepEqual([...seen], [specText('race')], 'only the folder\'s own text was ever returned');
});

test('delete_spec racing a symlink swap removes at most the link, never what it points to', async () => {
  const cwd = tempDir();
  const outside = tempDir('specdag-outside-');
  writeFileSync(join(outside, 'victim.md'), 'ORIGINAL\n');
  mkdirSync(join(cwd, 'specs'));
  const race = join(cwd, 'specs', 'race.md');
  writeFileSync(race, specText('race'));
  const tools = new SpecTools('specs', io(cwd));
  const stop = await flipper(race, [{ file: specText('race') }, { symlink: join(outside, 'victim.md') }]);
  let tries;
  try {
    tries = hammer(() => tools.deleteSpec('race'));
  } finally {
    await stop();
  }
  assert.ok(tries.ok + tries.refused > 50, `the race ran (${JSON.stringify(tries)})`);
  assert.ok(existsSync(join(outside, 'victim.md')));
  assert.equal(readFileSync(join(outside, 'victim.md'), 'utf8'), 'ORIGINAL\n');
});
