import { isDirectory } from '../io/folder.js';
import { folderState, prompt } from '../interview/prompts.js';
import type { SpecTools } from '../interview/tools.js';
import { closest } from '../util/closest.js';

/** How the prompt is listed: Claude Code shows it as the slash command /mcp__specdag__interview. */
export const INTERVIEW_PROMPT = {
  name: 'interview',
  title: 'specdag interview',
  description:
    "specdag's interview, run by you on your own model: one question at a time, a proposed decomposition into foundation, parallel and integration tasks, then one spec per task written with the specdag tools until lint is clean.",
  arguments: [
    { name: 'about', description: 'what you want to build, in a sentence or two (optional)', required: false },
    { name: 'refine', description: 'the id of an existing spec to revise instead of starting afresh (optional)', required: false },
  ],
};

export interface InterviewArguments {
  about?: string;
  refine?: string;
}

/** A prompt argument the folder cannot satisfy; the server answers it as invalid params. */
export class PromptArgumentError extends Error {}

/**
 * The text of the `interview` prompt: the interview's method (the very text
 * the API interview's system prompt holds), framed for a host model that
 * talks to the user itself, with the folder's state and the arguments.
 */
export async function interviewPromptText(tools: SpecTools, shownDir: string, args: InterviewArguments): Promise<string> {
  const about = args.about?.trim() ?? '';
  const refine = args.refine?.trim() ?? '';
  let context = '';
  let first: string;
  if (refine !== '') {
    if (!tools.has(refine)) throw new PromptArgumentError(missing(refine, tools, shownDir));
    const read = await tools.run('read_spec', { id: refine });
    if (read.isError) throw new PromptArgumentError(read.content);
    const { file, markdown } = JSON.parse(read.content) as { file: string; markdown: string };
    const own = (await tools.lintReport()).diagnostics.filter((d) => d.file === file);
    const diagnostics = own.length === 0 ? 'none' : `\n${own.map((d) => `- ${d.line}:${d.column} ${d.severity} ${d.ruleId}: ${d.message}`).join('\n')}`;
    context = `\n${prompt('refine', { id: refine, file, text: markdown.trimEnd(), diagnostics })}\n`;
    if (about !== '') context += `\nWhat I want changed: ${about}\n`;
    first = about !== '' ? 'make the change I asked for, or ask me what is unclear about it.' : 'review the spec above and suggest the most useful improvement, or ask me what should change.';
  } else if (about !== '') {
    context = `\nWhat I want to build: ${about}\n`;
    first = 'ask your first question about it (or, if I already said everything, propose the decomposition).';
  } else {
    first = tools.ids().length > 0 ? 'call list_specs to see what the folder holds, then ask your first question.' : 'ask your first question: what are we building?';
  }
  return prompt('host', {
    dir: shownDir,
    specs: folderState(isDirectory(tools.root), tools.ids()),
    method: prompt('method'),
    about: context,
    first,
  });
}

function missing(id: string, tools: SpecTools, shownDir: string): string {
  const ids = tools.ids();
  if (ids.length === 0) return `there is no spec '${id}' to refine: ${shownDir} holds no specs yet`;
  const near = closest(id, ids);
  return `there is no spec '${id}' to refine in ${shownDir}${near ? ` (did you mean '${near}'?)` : ''}; it holds ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ', ...' : ''}`;
}
