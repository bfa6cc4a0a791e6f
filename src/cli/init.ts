import { existsSync, statSync } from 'node:fs';
import { stringify } from 'yaml';
import { basename, join, resolve } from 'node:path';
import { displayPath } from '../io/folder.js';
import { createFile } from '../io/write.js';
import { renderSpec, slug } from '../spec/template.js';
import { UsageError } from '../util/errors.js';
import type { Io } from '../io/io.js';

export interface InitOptions {
  dir: string;
}

function projectTemplate(name: string): string {
  return `---
project: ${stringify(name).trim()}
base_branch: main
max_parallel: 4
branch_prefix: specdag/
required_sections: [Goal, Acceptance criteria]
default_agent: claude
agents:
  claude: claude -p --permission-mode acceptEdits
  codex: codex exec --full-auto
---
# ${name}

Shared context given to every task's agent: the stack, the conventions, the
commands that build and test the project. Keep it short and true.
`;
}

const EXAMPLE_ID = 'example-task';

export async function runInit(opts: InitOptions, io: Io): Promise<number> {
  const dir = resolve(io.cwd, opts.dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`'${opts.dir}' is a file, not a folder; pass a folder for the specs`);
  const files = [join(dir, 'PROJECT.md'), join(dir, `${EXAMPLE_ID}.md`)];
  const existing = files.filter((f) => existsSync(f)).map((f) => displayPath(f, io.cwd));
  if (existing.length > 0) {
    throw new UsageError(`${existing.join(' and ')} already ${existing.length === 1 ? 'exists' : 'exist'}; init writes nothing over your files: remove ${existing.length === 1 ? 'it' : 'them'} or run init in another folder`);
  }
  const name = slug(basename(io.cwd)) || 'my-project';
  const example = renderSpec({
    id: EXAMPLE_ID,
    title: 'Example task',
    owns: ['src/example/**'],
    estimate: '1h',
    goal: 'Replace this example with a real task: one spec per piece of work an agent can finish on its own branch.',
    criteria: ['The task states what it delivers', 'Every criterion can be checked by running or reading something'],
  });
  for (const [path, text] of [
    [files[0]!, projectTemplate(name)],
    [files[1]!, example],
  ] as const) {
    if (!createFile(path, text)) throw new UsageError(`${displayPath(path, io.cwd)} appeared while init was running; nothing was overwritten`);
    io.stdout.write(`created ${displayPath(path, io.cwd)}\n`);
  }
  io.stdout.write(`next: write one spec per task (specdag new <id> ${opts.dir}), then check them with 'specdag lint ${opts.dir}'\n`);
  return 0;
}
