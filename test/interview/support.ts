import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runInterview, type InterviewOptions } from '../../src/cli/interview.js';
import type { Io } from '../../src/io/io.js';
import { UsageError } from '../../src/util/errors.js';
import { FAKE_KEY, type FakeApi } from './fake-api.js';

/** A spec's text, as a scripted model would write it. */
export function specMd(
  id: string,
  o: { title?: string; phase?: string; dependsOn?: string[]; owns?: string[]; provides?: string[]; consumes?: string[] } = {},
): string {
  const list = (key: string, v?: string[]) => (v && v.length ? `${key}: [${v.join(', ')}]\n` : '');
  return (
    `---\nid: ${id}\ntitle: ${o.title ?? `The ${id} task`}\nphase: ${o.phase ?? 'parallel'}\n` +
    list('depends_on', o.dependsOn) +
    list('owns', o.owns ?? [`src/${id}/**`]) +
    list('provides', o.provides) +
    list('consumes', o.consumes) +
    `---\n\n# ${o.title ?? id}\n\n## Goal\nBuild ${id}.\n\n## Acceptance criteria\n- [ ] ${id} works\n`
  );
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a test gives the interview: a fake key and the fake server, nothing from the real one. */
export function fakeEnv(api: FakeApi | { url: string }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // SPECDAG_MODEL is blanked so a value in the developer's own environment cannot leak into the binary's.
  return { ANTHROPIC_API_KEY: FAKE_KEY, ANTHROPIC_BASE_URL: api.url, SPECDAG_MODEL: '', NO_COLOR: '1', ...extra };
}

/**
 * Runs `specdag interview` in-process (fast, and options such as the retry
 * backoff can be made small). Usage errors become exit 2, as in main.ts.
 */
export async function interviewInProcess(
  opts: Partial<InterviewOptions>,
  { cwd, env, input = '', tty = false }: { cwd: string; env: NodeJS.ProcessEnv; input?: string | Readable; tty?: boolean },
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const stdin = (typeof input === 'string' ? Readable.from(input === '' ? [] : [input]) : input) as Readable & { isTTY?: boolean };
  if (tty) stdin.isTTY = true;
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    cwd,
    env,
    stdin,
  };
  try {
    const code = await runInterview({ dir: 'specs', resume: false, maxRetries: 2, streamRetries: 3, retryBaseMs: 1, ...opts }, io);
    return { code, stdout, stderr };
  } catch (err) {
    if (err instanceof UsageError) return { code: 2, stdout, stderr: `${stderr}specdag: ${err.message}\n` };
    throw err;
  }
}

/** The saved transcripts under `<root>/.specdag/interviews`, oldest first. */
export function transcripts(root: string): { path: string; text: string; data: { version: number; model: string; dir: string; messages: { role: string; content: { type: string; text?: string }[] }[]; usage: Record<string, number> } }[] {
  const dir = join(root, '.specdag', 'interviews');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const text = readFileSync(join(dir, n), 'utf8');
      return { path: join(dir, n), text, data: JSON.parse(text) };
    });
}
