// What each command loads, seen by a module loader hook: the Claude Code
// hook, which runs before every edit, loads no command line parser, no
// Markdown parser, no SDK (and no YAML parser for a plain spec); `lint` never
// loads the MCP SDK. A run of `mcp` shows the check can see the SDK at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BIN, specText, tempDir, writeTree } from '../helpers.js';

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.SPECDAG_TEST_LOAD_LOG, url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;

const MARKERS = {
  commander: 'node_modules/commander/',
  remark: 'node_modules/micromark',
  mcpSdk: 'node_modules/@modelcontextprotocol/',
  anthropicSdk: 'node_modules/@anthropic-ai/sdk/',
  yaml: 'node_modules/yaml/',
} as const;

/** Runs the built CLI and returns which of the markers the files it loaded contain. */
function loads(args: string[], cwd: string, input: string, env: NodeJS.ProcessEnv = {}): { code: number | null; found: Set<keyof typeof MARKERS>; files: number } {
  const log = join(tempDir(), 'loaded.txt');
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, SPECDAG_TEST_LOAD_LOG: log, SPECDAG_CACHE: '0', ...env },
  });
  const files = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const found = new Set<keyof typeof MARKERS>();
  for (const url of files) {
    const text = readFileSync(fileURLToPath(url), 'utf8');
    for (const [name, marker] of Object.entries(MARKERS)) if (text.includes(marker)) found.add(name as keyof typeof MARKERS);
  }
  return { code: r.status, found, files: files.length };
}

test('the Claude Code hook loads neither commander, remark, an SDK nor (for a plain spec) the YAML parser', () => {
  const cwd = tempDir();
  writeTree(cwd, { '.git/HEAD': 'ref: refs/heads/main\n', 'specs/a.md': specText('a', 'owns: [src/a/**]\n') });
  const event = JSON.stringify({ tool_name: 'Write', tool_input: { file_path: 'src/b.ts', content: '' }, cwd });
  const r = loads(['hook', 'claude-pre-tool-use'], cwd, event, { SPECDAG_SPEC_FILE: join(cwd, 'specs', 'a.md') });
  assert.equal(r.code, 2, 'the edit was judged (outside owns)');
  assert.ok(r.files >= 2);
  assert.deepEqual([...r.found], []);
});

test('lint loads no SDK; mcp does load the MCP SDK (so the check sees it)', () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/a.md': specText('a', 'owns: [src/a/**]\n') });
  const lint = loads(['lint', 'specs'], cwd, '');
  assert.equal(lint.code, 0);
  assert.ok(lint.found.has('commander') && lint.found.has('yaml'), 'the markers are found where they are');
  assert.equal(lint.found.has('mcpSdk'), false);
  assert.equal(lint.found.has('anthropicSdk'), false);
  const mcp = loads(['mcp', 'specs'], cwd, '');
  assert.equal(mcp.code, 0, 'exits once stdin is closed');
  assert.ok(mcp.found.has('mcpSdk'));
  assert.equal(mcp.found.has('anthropicSdk'), false);
});
