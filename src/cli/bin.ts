#!/usr/bin/env node
// The only entry point and the only place that ends the process; npm's bin
// symlink defeats an import.meta.url main-module check, hence this file.

// The Claude Code hook runs before every edit an agent makes: it is served
// before anything else is loaded or set up (not even the stdio streams).
const argv = process.argv.slice(2);
if (argv.length === 2 && argv[0] === 'hook' && argv[1] === 'claude-pre-tool-use') {
  process.exit(await (await import('../hook/process.js')).claudePreToolUseProcess());
}

// A reader that goes away (`specdag plan | head -c 10`) turns every later
// write into an error event; without a listener Node prints a stack trace.
// The command carries on quietly and the exit code says output was lost.
let lost = false;
process.stdout.on('error', () => {
  lost = true;
});
process.stderr.on('error', () => {});

const code = await (await import('./main.js')).main(argv);

// process.exit drops whatever a pipe has not taken yet (Linux pipes hold
// 64 KiB), so wait until every byte written so far is handed over.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(lost ? 2 : code);

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write('', () => resolve());
    stream.once('close', resolve);
  });
}
