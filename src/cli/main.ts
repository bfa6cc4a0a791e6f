import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SpecError, UsageError } from '../util/errors.js';
import { processIo, type Io } from '../io/io.js';
import { version } from './io.js';

function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return Number(value);
}

function positiveInt(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a whole number, 1 or more.');
  return Number(value);
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number, 0 to 65535 (0: any free port).');
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
    .option('--no-cache', 'parse every file again instead of reusing unchanged results from .specdag/cache/')
    .action(async (dir: string, opts: { format: 'stylish' | 'json' | 'sarif'; maxWarnings?: number; quiet?: boolean; fix?: boolean; cache: boolean }) => {
      const { runLint } = await import('./lint.js');
      code = await runLint({ dir, format: opts.format, maxWarnings: opts.maxWarnings, quiet: opts.quiet === true, fix: opts.fix === true, cache: opts.cache }, io);
    });

  program
    .command('init')
    .description('create a spec folder with a PROJECT.md and one example task')
    .argument('[dir]', 'spec folder', 'specs')
    .option('--claude', 'also set up Claude Code: .mcp.json with the specdag MCP server, and a specdag skill')
    .action(async (dir: string, opts: { claude?: boolean }) => {
      const { runInit } = await import('./init.js');
      code = await runInit({ dir, claude: opts.claude === true }, io);
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

  program
    .command('plan')
    .description('the run plan: waves, critical path, branches, worktrees (lints first)')
    .argument('[dir]', 'spec folder', 'specs')
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json', 'markdown', 'mermaid', 'dot', 'html']).default('text'))
    .action(async (dir: string, opts: { format: 'text' | 'json' | 'markdown' | 'mermaid' | 'dot' | 'html' }) => {
      const { runPlan } = await import('./plan.js');
      code = await runPlan({ dir, format: opts.format }, io);
    });

  program
    .command('export')
    .description('the plan as something another engine runs: a POSIX sh script, a GitHub Actions workflow or a Makefile')
    .argument('[dir]', 'spec folder', 'specs')
    .addOption(new Option('--to <engine>', 'what to generate').choices(['sh', 'github-actions', 'makefile']).makeOptionMandatory())
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (dir: string, opts: { to: 'sh' | 'github-actions' | 'makefile'; output?: string }) => {
      const { runExport } = await import('./export.js');
      code = await runExport({ dir, to: opts.to, ...(opts.output ? { output: opts.output } : {}) }, io);
    });

  program
    .command('run')
    .description('execute the plan: one agent per task in its own git worktree, merged into the target branch')
    .argument('[dir]', 'spec folder (default: specs; with --resume, the run\'s own)')
    .option('--max-parallel <n>', 'at most this many agents at once (default: max_parallel from PROJECT.md)', positiveInt)
    .option('--agent <name>', 'run every task with this agent from PROJECT.md')
    .option('--only <ids>', 'comma-separated task ids to run (their finished dependencies are kept)', list)
    .option('--dry-run', 'print what would be created and run, and create nothing')
    .option('--resume [run]', 'continue the last run, or the one named')
    .option('--timeout <minutes>', 'stop a task (as failed) after this many minutes', positiveInt)
    .option('--ui', "serve the live page of 'specdag ui' beside the run (its URL on stderr)")
    .action(async (dir: string | undefined, opts: { maxParallel?: number; agent?: string; only?: string[]; dryRun?: boolean; resume?: boolean | string; timeout?: number; ui?: boolean }) => {
      const { runRun } = await import('./run.js');
      code = await runRun(
        {
          ...(dir !== undefined ? { dir } : {}),
          dryRun: opts.dryRun === true,
          ...(opts.maxParallel !== undefined ? { maxParallel: opts.maxParallel } : {}),
          ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
          ...(opts.only !== undefined ? { only: opts.only } : {}),
          ...(opts.resume !== undefined ? { resume: opts.resume } : {}),
          ...(opts.timeout !== undefined ? { timeoutMinutes: opts.timeout } : {}),
          ui: opts.ui === true,
        },
        io,
      );
    });

  program
    .command('status')
    .description('what a run did and is doing (default: the last run)')
    .argument('[run]', 'run id (see .specdag/runs/)')
    .addOption(new Option('--format <name>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (run: string | undefined, opts: { format: 'text' | 'json' }) => {
      const { runStatus } = await import('./status.js');
      code = await runStatus({ format: opts.format, ...(run !== undefined ? { run } : {}) }, io);
    });

  program
    .command('logs')
    .description("a task's log from the last run (or the one named); -f follows it until the task is over")
    .argument('<task>', 'task id')
    .argument('[run]', 'run id (see .specdag/runs/)')
    .option('-f, --follow', 'keep printing what the task writes until it is over')
    .action(async (task: string, run: string | undefined, opts: { follow?: boolean }) => {
      const { runLogs } = await import('./logs.js');
      code = await runLogs({ task, follow: opts.follow === true, ...(run !== undefined ? { run } : {}) }, io);
    });

  program
    .command('clean')
    .description('remove the worktrees and branches of merged tasks (never forced); keep, and say why, everything else')
    .argument('[dir]', 'spec folder', 'specs')
    .option('--dry-run', 'print what would be removed and kept, and change nothing')
    .action(async (dir: string, opts: { dryRun?: boolean }) => {
      const { runClean } = await import('./clean.js');
      code = await runClean({ dir, dryRun: opts.dryRun === true }, io);
    });

  program
    .command('ui')
    .description('a local web page: the plan as a graph, coloured live by the latest run')
    .argument('[dir]', 'spec folder', 'specs')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)', port)
    .option('--no-open', 'do not open a browser')
    .action(async (dir: string, opts: { port?: number; open: boolean }) => {
      const { runUi } = await import('./ui.js');
      code = await runUi({ dir, open: opts.open, ...(opts.port !== undefined ? { port: opts.port } : {}) }, io);
    });

  program
    .command('interview')
    .description('an LLM conversation (Anthropic API) that brainstorms with you and writes the specs')
    .argument('[dir]', 'spec folder', 'specs')
    .option('--model <model>', 'model id (default: $SPECDAG_MODEL, else a current Claude Sonnet)')
    .option('--resume', 'continue the latest interview')
    .option('--refine <id>', 'talk about one existing spec')
    .action(async (dir: string, opts: { model?: string; resume?: boolean; refine?: string }) => {
      const { runInterview } = await import('./interview.js');
      code = await runInterview(
        { dir, resume: opts.resume === true, ...(opts.model !== undefined ? { model: opts.model } : {}), ...(opts.refine !== undefined ? { refine: opts.refine } : {}) },
        io,
      );
    });

  program
    .command('mcp')
    .description('an MCP server on stdio: the spec tools and the interview prompt, for any agent that speaks MCP')
    .argument('[dir]', 'spec folder', 'specs')
    .action(async (dir: string) => {
      const { runMcp } = await import('./mcp.js');
      code = await runMcp({ dir }, io);
    });

  program
    .command('hook')
    .description('hooks for coding agents: claude-pre-tool-use refuses edits outside the task\'s owns')
    .addArgument(new Argument('<event>', 'the hook to run').choices(['claude-pre-tool-use']))
    .action(async (event: 'claude-pre-tool-use') => {
      const { runHook } = await import('./hook.js');
      code = await runHook({ event }, io);
    });

  program
    .command('import')
    .description("turn another tool's task list into specs, then lint them")
    .addArgument(new Argument('<format>', 'the tool that wrote the task list').choices(['spec-kit', 'taskmaster', 'cc-sdd', 'backlog']))
    .argument('<source>', "a spec-kit or cc-sdd tasks.md, Task Master's tasks.json, or Backlog.md's backlog/tasks folder")
    .argument('[dir]', 'spec folder to write into', 'specs')
    .option('--tag <name>', 'Task Master: the tag to import (default: master, or the only tag)')
    .action(async (format: 'spec-kit' | 'taskmaster' | 'cc-sdd' | 'backlog', source: string, dir: string, opts: { tag?: string }) => {
      const { runImport } = await import('./import.js');
      code = await runImport({ format, source, dir, ...(opts.tag !== undefined ? { tag: opts.tag } : {}) }, io);
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
