import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Launcher } from '../../src/run/launcher.js';
import { groupAlive, processTable, startProcess, type ProcessLaunch } from '../../src/run/process.js';

const hasSetsid = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v setsid'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = hasSetsid ? false : 'no setsid on this machine: commands start from node';

function place(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'specdag-launcher-')));
}

/** Runs `body` with a launcher and a new folder, both gone afterwards; `envOf` makes the launcher's environment (default: this process's). */
async function withLauncher(body: (launcher: Launcher, dir: string, env: NodeJS.ProcessEnv) => Promise<void>, envOf: (dir: string) => NodeJS.ProcessEnv = () => process.env): Promise<void> {
  const dir = place();
  const env = envOf(dir);
  const launcher = Launcher.for(env)!;
  try {
    await body(launcher, dir, env);
  } finally {
    launcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a command reports about itself, started from node (no launcher) and through a launcher. */
async function both(launch: (dir: string) => ProcessLaunch, base: NodeJS.ProcessEnv): Promise<{ exit: Awaited<ReturnType<typeof startProcess>['exit']>; log: string; pid: number | undefined }[]> {
  const out = [];
  for (const launcher of [undefined, Launcher.for(base)]) {
    const dir = place();
    try {
      const l = launch(dir);
      const h = startProcess(l, launcher);
      const [pid, exit] = [await h.started, await h.exit];
      // Between specdag's opening line (the command: its own lines too) and its closing one.
      const log = readFileSync(l.log, 'utf8');
      out.push({ exit, pid, log: log.slice(log.indexOf('sh|0|'), log.lastIndexOf('\nspecdag: ')).trimEnd() });
    } finally {
      launcher?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

test('a command started through the launcher sees and reports what one started from node does', { skip }, async () => {
  const base = { ...process.env, GONE_IN_TASK: 'base only', KEPT: 'same' };
  const { GONE_IN_TASK: _gone, ...rest } = base;
  const env = { ...rest, SPECDAG_TASK_ID: "it's \"$HOME\" `id`", ODD: 'two\nlines' };
  // Quotes, a line break, $0 and arguments, the folder, stdin, both output streams, the variables set and unset.
  const command = `printf '%s|%s|%s\\n' "$0" "$#" "$(pwd)"; printf '[%s]\\n' "$SPECDAG_TASK_ID" "$ODD" "$KEPT" "\${GONE_IN_TASK-unset}"\ncat; echo to-stderr >&2; exit 3`;
  const [node, shell] = await both((dir) => {
    mkdirSync(join(dir, 'work'));
    writeFileSync(join(dir, 'stdin.txt'), 'the prompt\nline 2\n');
    return { command, cwd: join(dir, 'work'), env, stdin: 'the prompt\nline 2\n', stdinFile: join(dir, 'stdin.txt'), log: join(dir, 'log') };
  }, base);
  assert.equal(node!.exit.code, 3);
  assert.deepEqual(shell!.exit, node!.exit);
  const expected = (dir: string) => `sh|0|${dir}/work\n[it's "$HOME" \`id\`]\n[two\nlines]\n[same]\n[unset]\nthe prompt\nline 2\nto-stderr`;
  assert.equal(node!.log.replace(/\/tmp\/specdag-launcher-\w+/, 'D'), expected('D'));
  assert.equal(shell!.log.replace(/\/tmp\/specdag-launcher-\w+/, 'D'), expected('D'));
});

test('through the launcher a command runs in a session and process group of its own, and a signal is reported as one', { skip }, async () => {
  await withLauncher(async (launcher, dir) => {
    const log = join(dir, 'log');
    // Its pid is its session's and its group's: no terminal, and one signal to the group reaches all it started.
    const h = startProcess({ command: 'echo "ids: $(ps -o sid= -o pgid= -p $$)"; sleep 30 & sleep 30', cwd: dir, env: process.env, log }, launcher);
    const pid = (await h.started)!;
    assert.ok(pid > 0);
    const ids = /ids:\s+(\d+)\s+(\d+)/;
    for (let i = 0; i < 250 && !ids.test(readFileSync(log, 'utf8')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(ids.exec(readFileSync(log, 'utf8'))!.slice(1).map(Number), [pid, pid]);
    assert.ok(groupAlive(pid));
    h.stop(0);
    const exit = await h.exit;
    assert.equal(exit.code, null);
    assert.ok(exit.signal === 'SIGTERM' || exit.signal === 'SIGKILL', `ended by a signal, not an exit code: ${JSON.stringify(exit)}`);
    assert.equal(exit.stopped, true);
    assert.ok(!groupAlive(pid), 'nothing of its group is left');
  });
});

test('a stop asked before the command has reported its pid is applied once it does', { skip }, async () => {
  await withLauncher(async (launcher, dir) => {
    const h = startProcess({ command: 'sleep 3; touch late', cwd: dir, env: process.env, log: join(dir, 'log') }, launcher);
    assert.equal(h.pid, undefined, 'the pid comes later through the launcher');
    h.stop(0);
    const exit = await h.exit;
    assert.equal(exit.stopped, true);
    assert.equal(exit.code, null);
    assert.ok(!existsSync(join(dir, 'late')), 'the command was stopped, not left to finish');
  });
});

test('a folder that does not exist, and a variable no shell can set, through the launcher', { skip }, async () => {
  await withLauncher(async (launcher, dir) => {
    const gone = startProcess({ command: 'true', cwd: join(dir, 'nope'), env: process.env, log: join(dir, 'log') }, launcher);
    const exit = await gone.exit;
    assert.equal(exit.code, null);
    assert.match(exit.error ?? '', /folder does not exist/);
    // `a.b` cannot be exported by sh: node starts that one itself, and the variable is in its environment.
    const odd = startProcess({ command: `tr '\\0' '\\n' </proc/$$/environ | grep '^a[.]b='`, cwd: dir, env: { ...process.env, 'a.b': 'c' }, log: join(dir, 'log2') }, launcher);
    assert.notEqual(odd.pid, undefined, 'started from node: its pid is known at once');
    assert.equal((await odd.exit).code, 0);
    assert.match(readFileSync(join(dir, 'log2'), 'utf8'), /^a\.b=c$/m);
  });
});

test('git is held while a command starts, and let go once it runs', { skip }, async () => {
  await withLauncher(async (launcher, dir) => {
    assert.equal(launcher.holding(() => assert.fail('nothing to wait for')), false);
    const h = startProcess({ command: 'exit 0', cwd: dir, env: process.env, log: join(dir, 'log') }, launcher);
    let woken = 0;
    assert.equal(launcher.holding(() => woken++), true);
    await h.started;
    assert.equal(woken, 1);
    assert.equal(launcher.holding(() => woken++), false);
    await h.exit;
  });
});

test('a command slow to start holds git only for a while', { skip }, async () => {
  // A setsid that takes two seconds before it starts anything (a folder on a slow mount, a loaded machine).
  const slowSetsid = (dir: string) => {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'setsid'), `#!/bin/sh\nsleep 2\nexec ${execFileSync('sh', ['-c', 'command -v setsid'], { encoding: 'utf8' }).trim()} "$@"\n`, { mode: 0o755 });
    return { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}` };
  };
  await withLauncher(async (launcher, dir, env) => {
    const h = startProcess({ command: 'exit 0', cwd: dir, env, log: join(dir, 'log') }, launcher);
    // Woken with the pid still unknown (it is set before the wake when the command reports it).
    const pidWhenWoken = await new Promise<number | undefined>((resolve) => assert.equal(launcher.holding(() => resolve(h.pid)), true));
    assert.equal(pidWhenWoken, undefined, 'git was let go before the command reported its pid');
    assert.equal(launcher.holding(() => assert.fail('not held again')), false);
    assert.equal((await h.exit).code, 0, 'the command still runs and reports');
    assert.notEqual(h.pid, undefined);
  }, slowSetsid);
});

test('a command outlives the launcher shell being killed, and still reports how it ended', { skip }, async () => {
  await withLauncher(async (launcher, dir) => {
    const h = startProcess({ command: 'sleep 1; exit 4', cwd: dir, env: process.env, log: join(dir, 'log') }, launcher);
    await h.started;
    const shells = (processTable() ?? []).filter((p) => p.ppid === process.pid && p.comm === 'sh' && p.pgrp === p.pid && p.state !== 'Z');
    assert.equal(shells.length, 1, 'the launcher shell is found');
    process.kill(shells[0]!.pid, 'SIGKILL');
    assert.equal((await h.exit).code, 4);
    // A new shell is started for the next command.
    const next = startProcess({ command: 'exit 5', cwd: dir, env: process.env, log: join(dir, 'log') }, launcher);
    assert.equal((await next.exit).code, 5);
  });
});
