// The MCP server over one spec folder: the spec tools and the interview
// prompt, on the SDK's low-level Server so that the tools keep the one
// definition (JSON Schema and handlers) they share with the API interview.
import { ProtocolError, ProtocolErrorCode, Server } from '@modelcontextprotocol/server';
import { version } from '../cli/io.js';
import { displayPath } from '../io/folder.js';
import type { Io } from '../io/io.js';
import { SpecTools } from '../interview/tools.js';
import { INTERVIEW_PROMPT, interviewPromptText, PromptArgumentError } from './prompt.js';

export interface SpecServer {
  server: Server;
  /** Resolves once no tool call is running (the command waits for it before exiting). */
  idle(): Promise<void>;
}

export function createSpecServer(dir: string, io: Io): SpecServer {
  const tools = new SpecTools(dir, io, 'mcp');
  const shownDir = displayPath(tools.root, io.cwd);
  const running = new Set<Promise<unknown>>();
  const server = new Server(
    { name: 'specdag', version },
    {
      capabilities: { tools: {}, prompts: {} },
      instructions: `specdag's spec folder ${shownDir}: one Markdown spec per task, for parallel coding agents. Read and change specs only with these tools (write_spec answers with the folder's lint result); the 'interview' prompt carries the method for preparing the work with the user.`,
    },
  );

  server.setRequestHandler('tools/list', async () => ({
    tools: tools.definitions.map((d) => ({ name: d.name, description: d.description, inputSchema: d.input_schema })),
  }));

  server.setRequestHandler('tools/call', async (request) => {
    const call = tools.run(request.params.name, request.params.arguments ?? {});
    running.add(call);
    try {
      const r = await call;
      return { content: [{ type: 'text' as const, text: r.content }], ...(r.isError ? { isError: true } : {}) };
    } finally {
      running.delete(call);
    }
  });

  server.setRequestHandler('prompts/list', async () => ({ prompts: [INTERVIEW_PROMPT] }));

  server.setRequestHandler('prompts/get', async (request) => {
    if (request.params.name !== INTERVIEW_PROMPT.name) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `there is no prompt '${request.params.name}'; the prompt is '${INTERVIEW_PROMPT.name}'`);
    }
    const args = request.params.arguments ?? {};
    let text: string;
    try {
      text = await interviewPromptText(tools, shownDir, { ...(args.about !== undefined ? { about: args.about } : {}), ...(args.refine !== undefined ? { refine: args.refine } : {}) });
    } catch (err) {
      if (err instanceof PromptArgumentError) throw new ProtocolError(ProtocolErrorCode.InvalidParams, err.message);
      throw err;
    }
    return { description: INTERVIEW_PROMPT.description, messages: [{ role: 'user' as const, content: { type: 'text' as const, text } }] };
  });

  return {
    server,
    idle: async () => {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
