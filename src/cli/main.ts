import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SpecError, UsageError } from '../util/errors.js';
import { processIo, version, type Io } from './io.js';

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return Number(value);
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/**
 * Builds the command line and runs it. Returns the exit code instead of
 * exiting, so tests can call it in-process; only bin.ts exits.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command();
  // Applied before any subcommand exists: commander copies these settings only to subcommands created later.
  program
    .name('specdag')
    .description('Specs as a DAG for parallel AI coding agents: write, lint, plan, export and run task specs.')
    .version(version, '-v, --version')
    .option('--debug', 'print stack traces for unexpected errors')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('lint')
    .description('validate the spec folder: frontmatter schema, sections, links, dependencies, file ownership')
    .argument('[dir]', 'spec folder', 'specs')
    .addOption(new Option('--format <name>', 'output format').choices(['stylish', 'json', 'sarif']).default('stylish'))
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this', nonNegativeInt)
    .option('--quiet', 'report errors only')
    .option('--fix', 'apply safe fixes (today: remove redundant dependencies), keeping every other byte')
    .action(async (dir: string, opts: { format: 'stylish' | 'json' | 'sarif'; maxWarnings?: number; quiet?: boolean; fix?: boolean }) => {
      const { runLint } = await import('./lint.js');
      code = await runLint({ dir, format: opts.format, maxWarnings: opts.maxWarnings, quiet: opts.quiet === true, fix: opts.fix === true }, io);
    });

  program
    .command('init')
    .description('create a spec folder with a PROJECT.md and one example task')
    .argument('[dir]', 'spec folder', 'specs')
    .action(async (dir: string) => {
      const { runInit } = await import('./init.js');
      code = await runInit({ dir }, io);
    });

  program
    .command('new')
    .description('scaffold one spec from the template (no LLM)')
    .argument('<id>', 'task id: lowercase letters, digits and -')
    .argument('[dir]', 'spec folder', 'specs')
    .option('--title <title>', 'task title')
    .addOption(new Option('--phase <phase>', 'foundation, parallel or integration').choices(['foundation', 'parallel', 'integration']))
    .option('--depends-on <ids>', 'comma-separated ids of tasks that must finish first', list)
    .option('--owns <glob>', 'a path or glob this task may change (repeatable)', collect)
    .option('--reads <glob>', 'a path or glob this task relies on but does not change (repeatable)', collect)
    .option('--provides <names>', 'comma-separated interfaces this task creates', list)
    .option('--consumes <names>', 'comma-separated interfaces this task needs', list)
    .option('--estimate <duration>', 'e.g. 30m, 2h, 1d')
    .action(async (id: string, dir: string, opts: Record<string, unknown>) => {
      const { runNew } = await import('./new.js');
      code = await runNew({ id, dir, ...opts }, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version are not failures; every other commander error is a usage error (exit 2, not its default 1).
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`specdag: ${err.message}\n`);
      return 2;
    }
    if (err instanceof SpecError) {
      io.stderr.write(`specdag: ${err.message}\n`);
      return 1;
    }
    const debug = argv.includes('--debug');
    io.stderr.write(`specdag: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    io.stderr.write(debug && err instanceof Error && err.stack ? `${err.stack}\n` : 'This is a bug in specdag; run again with --debug for the stack trace and report it.\n');
    return 2;
  }
  return code;
}
