import { resolve } from 'node:path';
import { statSync } from 'node:fs';
import type { Io } from '../io/io.js';
import { displayPath, isDirectory } from '../io/folder.js';
import { useColor } from '../report/color.js';
import { formatStylish } from '../report/stylish.js';
import type { LintReport } from '../report/types.js';
import { UsageError } from '../util/errors.js';
import { closest } from '../util/closest.js';
import { ID_PATTERN } from '../spec/template.js';
import { ApiFailure, createModelClient, DEFAULT_MODEL, type ModelClient, type TurnUsage } from './api.js';
import { userInput } from './input.js';
import { folderState, prompt, systemPrompt } from './prompts.js';
import { formatSummary } from './summary.js';
import { compactReport, SpecTools, type ToolResult } from './tools.js';
import {
  emptyUsage,
  latestTranscriptPath,
  loadTranscript,
  newTranscriptPath,
  saveTranscript,
  storeRoot,
  type Block,
  type ChatMessage,
  type InterviewTranscript,
  type UsageTotals,
} from './transcript.js';

export interface SessionOptions {
  /** The spec folder as given, relative to io.cwd. */
  dir: string;
  model?: string;
  resume: boolean;
  refine?: string;
  apiKey: string;
  baseURL: string;
  maxRetries: number;
  streamRetries: number;
  retryBaseMs: number;
}

/** Model turns in a row (each a round of tool calls) before the user gets the word back. */
const MAX_TOOL_ROUNDS = 40;
/** `/done` asks once, and once more if lint still reports errors. */
const DONE_ROUNDS = 2;
/** Exit code after Ctrl-C, as shells report SIGINT. */
const INTERRUPTED = 130;

/**
 * The interview: a conversation with the model, which works on the spec
 * folder through the spec tools. The transcript is saved after every turn,
 * so nothing said or written is lost to Ctrl-C or a failing network.
 */
export async function interview(opts: SessionOptions, io: Io): Promise<number> {
  const root = storeRoot(io.cwd);
  const envModel = io.env.SPECDAG_MODEL?.trim() || undefined;
  let transcript: InterviewTranscript;
  let path: string;
  if (opts.resume) {
    const latest = latestTranscriptPath(io.cwd);
    if (!latest) throw new UsageError(`there is no interview to resume in ${displayPath(resolve(root, '.specdag/interviews'), io.cwd)}; start one with 'specdag interview ${opts.dir}'`);
    path = latest;
    transcript = loadTranscript(path, displayPath(path, io.cwd));
    const model = opts.model ?? envModel ?? transcript.model;
    // Thinking blocks are signed for the model that wrote them; another model gets the conversation without them.
    if (model !== transcript.model) transcript.messages = alternating(withoutThinking(transcript.messages));
    transcript.model = model;
  } else {
    path = newTranscriptPath(io.cwd);
    const now = new Date().toISOString();
    transcript = {
      version: 1,
      model: opts.model ?? envModel ?? DEFAULT_MODEL,
      dir: displayPath(resolve(io.cwd, opts.dir), root),
      messages: [],
      usage: emptyUsage(),
      startedAt: now,
      updatedAt: now,
      ...(opts.refine !== undefined ? { refine: opts.refine } : {}),
    };
  }
  const dir = resolve(root, transcript.dir);
  const shownDir = displayPath(dir, io.cwd);
  if (isFile(dir)) throw new UsageError(`'${shownDir}' is a file, not a spec folder; pass the folder the specs belong in`);
  const tools = new SpecTools(dir, io);

  const context: Block[] = [];
  if (opts.refine !== undefined) context.push(text(await refineContext(opts.refine, tools, io, opts.dir)));
  else if (!opts.resume) context.push(text(startContext(tools, shownDir, io.stdin?.isTTY === true)));

  const session = emptyUsage();
  const out = new Output(io);
  const client = await createModelClient({
    apiKey: opts.apiKey,
    baseURL: opts.baseURL,
    maxRetries: opts.maxRetries,
    streamRetries: opts.streamRetries,
    retryBaseMs: opts.retryBaseMs,
    onRequest: () => {
      session.requests++;
      transcript.usage.requests++;
    },
    onRetry: (reason, delay) => {
      out.endLine();
      io.stderr.write(`specdag: ${reason}; trying again in ${(delay / 1000).toFixed(1)}s\n`);
    },
  });
  const input = userInput(io);
  const run = new Conversation(client, tools, transcript, path, session, out, io);

  let interrupted = false;
  const interrupt = () => {
    if (interrupted) return;
    interrupted = true;
    // A second Ctrl-C gets node's default: leave now, whatever is still running.
    process.off('SIGINT', interrupt);
    run.abort.abort();
    input.close();
  };
  process.on('SIGINT', interrupt);
  input.onInterrupt(interrupt);

  let code: number | undefined;
  try {
    if (input.interactive) {
      out.line(`specdag interview: ${opts.refine !== undefined ? `refining ${opts.refine} in` : 'writing specs in'} ${shownDir} with ${transcript.model}. Type /done to finish, /quit to leave.`);
    }
    if (opts.resume) {
      out.line(`(resuming ${displayPath(path, io.cwd)}: specs in ${shownDir}, ${transcript.model})`);
      // Cut off before the model answered: it answers now.
      if (transcript.messages.at(-1)?.role === 'user') await run.modelTurns();
    }
    for (;;) {
      const line = await input.next();
      if (interrupted) break;
      const command = line?.trim();
      if (command === '/quit') break;
      if (line === null || command === '/done') {
        if (line === null && !input.interactive && transcript.messages.length === 0 && opts.refine === undefined) {
          throw new UsageError(`standard input was empty, so there is nothing to talk about; run 'specdag interview ${opts.dir}' in a terminal, or pipe in a description of what you want to build`);
        }
        if (line === null && !input.interactive) out.line('(end of input: the model finishes the specs)');
        await run.finish(line === null ? 'input has ended' : 'the user typed /done', context);
        break;
      }
      if (command === '') continue;
      // Piped lines are not echoed by a terminal: show them, so the output reads as the conversation it was.
      if (!input.interactive) out.line(`you> ${line}`);
      run.pushUser([...context.splice(0), text(line)]);
      await run.modelTurns();
    }
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    run.save();
    out.endLine();
    if (err.kind === 'aborted') {
      code = INTERRUPTED;
    } else {
      io.stderr.write(`specdag: ${failureSentence(err, displayPath(path, io.cwd))}\n`);
      code = 2;
    }
  } finally {
    process.off('SIGINT', interrupt);
    input.close();
  }
  if (interrupted) {
    run.save();
    const where = run.saved ? `the conversation is saved in ${displayPath(path, io.cwd)}; continue it with 'specdag interview --resume'` : 'nothing had been said yet';
    code = INTERRUPTED;
    out.endLine();
    io.stderr.write(`specdag: interrupted; ${where}\n`);
  }
  const report = await tools.lintReport();
  out.endLine();
  if (report.diagnostics.length > 0) io.stdout.write(`\n${formatStylish(report, { color: useColor(io.stdout, io.env) })}`);
  io.stdout.write(`\n${formatSummary({ dir: shownDir, changes: tools.changes(), lint: report, usage: session, ...(run.saved ? { transcript: displayPath(path, io.cwd) } : {}) })}\n`);
  return code ?? (report.errorCount > 0 ? 1 : 0);
}

/** The conversation state and the turn loop. */
class Conversation {
  readonly abort = new AbortController();
  private readonly system = systemPrompt();

  constructor(
    private readonly client: ModelClient,
    private readonly tools: SpecTools,
    private readonly transcript: InterviewTranscript,
    private readonly path: string,
    private readonly session: UsageTotals,
    private readonly out: Output,
    private readonly io: Io,
  ) {}

  /** Adds to the user's side of the conversation (merging, since roles must alternate) and saves. */
  pushUser(content: Block[]): void {
    const last = this.transcript.messages.at(-1);
    if (last?.role === 'user') last.content.push(...content);
    else this.transcript.messages.push({ role: 'user', content });
    this.save();
  }

  /** Whether the transcript file exists; an interview that never said anything leaves none. */
  saved = false;

  save(): void {
    if (this.transcript.messages.length === 0 && !this.saved) return;
    this.saved = true;
    this.transcript.updatedAt = new Date().toISOString();
    saveTranscript(this.path, this.transcript);
  }

  /**
   * The model answers, calling tools as it goes, until it has nothing more
   * to call. An assistant turn is kept only once it is complete: a turn that
   * failed half-way is dropped and asked for again, never half-saved.
   */
  async modelTurns(): Promise<void> {
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const result = await this.client.turn(
        { model: this.transcript.model, system: this.system, tools: this.tools.definitions, messages: this.transcript.messages },
        (delta) => this.out.text(delta),
        this.abort.signal,
      );
      this.addUsage(result.usage);
      this.out.endLine();
      const uses = result.content.filter((b): b is Extract<Block, { type: 'tool_use' }> => b.type === 'tool_use');
      // A turn of thinking alone says nothing; keeping it would end the conversation on a bare thinking block.
      if (result.content.some((b) => b.type === 'text' || b.type === 'tool_use')) this.transcript.messages.push({ role: 'assistant', content: result.content });
      if (uses.length === 0) {
        this.save();
        return;
      }
      const results: Block[] = [];
      for (const use of uses) {
        const cut = result.stopReason === 'max_tokens' && use === result.content.at(-1);
        const r: ToolResult = cut
          ? { content: 'this call was cut off at max_tokens and was not run; write smaller pieces (one spec per call)', isError: true }
          : await this.tools.run(use.name, use.input);
        this.out.line(describe(use.name, use.input, r));
        results.push({ type: 'tool_result', tool_use_id: use.id, content: r.content === '' ? '(empty)' : r.content, ...(r.isError ? { is_error: true } : {}) });
      }
      this.pushUser(results);
      if (this.abort.signal.aborted) return;
    }
    this.out.line(`(the model made ${MAX_TOOL_ROUNDS} rounds of tool calls without stopping; it gets your next message)`);
  }

  /** `/done` or the end of input: the model finishes the specs and fixes what lint reports. */
  async finish(reason: string, context: Block[]): Promise<void> {
    for (let round = 0; round < DONE_ROUNDS; round++) {
      const report = await this.tools.lintReport();
      if (round > 0 && report.errorCount === 0) return;
      // Nothing was ever said: there is nothing to finish.
      if (this.transcript.messages.length === 0 && context.length === 0) return;
      this.pushUser([...context.splice(0), text(prompt('done', { reason, dir: displayPath(this.tools.root, this.io.cwd), lint: JSON.stringify(compactReport(report)) }))]);
      await this.modelTurns();
      reason = 'lint still reports errors after your last turn';
    }
  }

  private addUsage(u: TurnUsage): void {
    for (const total of [this.session, this.transcript.usage]) {
      total.input_tokens += u.input_tokens;
      total.output_tokens += u.output_tokens;
      total.cache_read_input_tokens += u.cache_read_input_tokens;
      total.cache_creation_input_tokens += u.cache_creation_input_tokens;
    }
  }
}

/** Streams the model's text and keeps track of the line, so notes never start mid-line. */
class Output {
  private atLineStart = true;
  constructor(private readonly io: Io) {}

  text(s: string): void {
    if (s === '') return;
    this.io.stdout.write(s);
    this.atLineStart = s.endsWith('\n');
  }

  line(s: string): void {
    this.endLine();
    this.io.stdout.write(`${s}\n`);
  }

  endLine(): void {
    if (!this.atLineStart) this.io.stdout.write('\n');
    this.atLineStart = true;
  }
}

function startContext(tools: SpecTools, shownDir: string, interactive: boolean): string {
  const specs = folderState(isDirectory(tools.root), tools.ids());
  const mode = interactive ? 'interactive (the user answers at a prompt)' : 'piped (written in advance: nobody can answer follow-up questions)';
  return prompt('start', { dir: shownDir, specs, mode });
}

async function refineContext(id: string, tools: SpecTools, io: Io, dir: string): Promise<string> {
  if (!tools.has(id)) throw new UsageError(`cannot refine '${id}': ${missingSpec(id, tools, io, dir)}`);
  const read = await tools.run('read_spec', { id });
  if (read.isError) throw new UsageError(`cannot refine '${id}': ${read.content}`);
  const file = displayPath(tools.pathOf(id), io.cwd);
  const report: LintReport = await tools.lintReport();
  const own = report.diagnostics.filter((d) => d.file === file);
  const diagnostics = own.length === 0 ? 'none' : `\n${own.map((d) => `- ${d.line}:${d.column} ${d.severity} ${d.ruleId}: ${d.message}`).join('\n')}`;
  return prompt('refine', { id, file, text: read.content.trimEnd(), diagnostics });
}

/** Why there is nothing to refine, with the commands that help (the user runs commands, not the model's tools). */
function missingSpec(id: string, tools: SpecTools, io: Io, dir: string): string {
  const shown = displayPath(tools.root, io.cwd);
  if (!ID_PATTERN.test(id)) {
    return `'${id}' is not a spec id (lowercase letters, digits and -, the spec's file name without .md); the ids are the file names in ${shown}`;
  }
  const ids = tools.ids();
  const create = `'specdag new ${id} ${dir}' creates a new spec`;
  if (ids.length === 0) return `there is no spec '${id}' in ${shown}, which holds no specs yet; start with 'specdag interview ${dir}', or ${create}`;
  const near = closest(id, ids);
  const holds = `${ids.slice(0, 10).join(', ')}${ids.length > 10 ? `, and ${ids.length - 10} more` : ''}`;
  return `there is no spec '${id}' in ${shown}${near ? ` (did you mean '${near}'? 'specdag interview ${dir} --refine ${near}')` : ''}; it holds ${holds}, and ${create}`;
}

/** One line per tool call, so the user sees the folder change even when the model says nothing. */
function describe(name: string, input: unknown, r: ToolResult): string {
  const id = typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string' ? ` ${(input as { id: string }).id}` : '';
  if (r.isError) return `  [${name}${id}] refused: ${r.content}`;
  if (name === 'write_spec' || name === 'delete_spec' || name === 'lint_specs') {
    const { errorCount, warningCount } = JSON.parse(r.content) as LintReport;
    return `  [${name}${id}] lint: ${errorCount} error${errorCount === 1 ? '' : 's'}, ${warningCount} warning${warningCount === 1 ? '' : 's'}`;
  }
  return `  [${name}${id}]`;
}

function failureSentence(err: ApiFailure, transcript: string): string {
  const saved = `nothing is lost: the conversation is saved in ${transcript} and the specs written so far are on disk`;
  switch (err.kind) {
    case 'auth':
      return `${err.message}; check ANTHROPIC_API_KEY (a key from https://console.anthropic.com/settings/keys), then continue with 'specdag interview --resume' (${saved})`;
    case 'rejected':
      return `${err.message}; ${saved}; if the model id is wrong, continue with 'specdag interview --resume --model <id>'`;
    default:
      return `${err.message}; ${saved}; continue later with 'specdag interview --resume'`;
  }
}

function withoutThinking(messages: ChatMessage[]): ChatMessage[] {
  return messages
    .map((m) => (m.role === 'assistant' ? { ...m, content: m.content.filter((b) => b.type !== 'thinking' && b.type !== 'redacted_thinking') } : m))
    .filter((m) => m.content.length > 0);
}

/** Merges neighbours with the same role: the API wants user and assistant turns to alternate. */
function alternating(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if (last?.role === m.role) last.content.push(...m.content);
    else out.push({ role: m.role, content: [...m.content] });
  }
  return out;
}

const text = (s: string): Block => ({ type: 'text', text: s });

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

