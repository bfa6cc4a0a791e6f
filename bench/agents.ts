/**
 * Start-up of what runs inside a coding agent's session (build first):
 *
 *   node --import tsx bench/agents.ts [--rounds 21]
 *
 * - `specdag hook claude-pre-tool-use`, which Claude Code runs before every
 *   edit, against `node -e 0`, in interleaved rounds, each fed the same
 *   PreToolUse event: wall time of the process, median per kind, and the
 *   ratio (goal: at most 1.5x). Once with a plain spec (read without the YAML
 *   parser) and once with one that needs the parser.
 * - `specdag mcp`: from spawning the server to the first tool list in the
 *   SDK's client (connect, initialize, tools/list), median.
 * Goals are reported, never enforced.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const BIN = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '21' } } });
const rounds = Number(values.rounds);

const dir = mkdtempSync(join(tmpdir(), 'specdag-bench-agents-'));
mkdirSync(join(dir, '.git'));
mkdirSync(join(dir, 'specs'));
const plain = join(dir, 'specs', 'auth-api.md');
const fancy = join(dir, 'specs', 'fancy.md');
writeFileSync(plain, '---\nid: auth-api\ntitle: Authentication API\ndepends_on: [db-schema]\nowns:\n  - src/auth/**\n  - test/auth/**\nestimate: 2h\n---\n\n# Auth\n');
writeFileSync(fancy, '---\nid: fancy\ntitle: "A title\n  on two lines"\nx-mine: &mine\n  - src/auth/**\nowns: *mine\n---\n\n# Fancy\n');
const event = JSON.stringify({
  session_id: 'bench',
  transcript_path: '/tmp/bench.jsonl',
  cwd: dir,
  permission_mode: 'acceptEdits',
  hook_event_name: 'PreToolUse',
  tool_name: 'Edit',
  tool_input: { file_path: 'src/auth/index.ts', old_string: 'a', new_string: 'b' },
  tool_use_id: 'toolu_bench',
});

function time(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { input: event, env: { PATH: process.env.PATH, ...env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const samples = { node: [] as number[], hook: [] as number[], hookYaml: [] as number[], mcp: [] as number[] };
const load = loadavg()[0]!;
for (let i = 0; i < rounds; i++) {
  samples.node.push(time(['-e', '0'], {}));
  samples.hook.push(time([BIN, 'hook', 'claude-pre-tool-use'], { SPECDAG_SPEC_FILE: plain }));
  samples.hookYaml.push(time([BIN, 'hook', 'claude-pre-tool-use'], { SPECDAG_SPEC_FILE: fancy }));
}
for (let i = 0; i < Math.max(5, Math.floor(rounds / 2)); i++) {
  const start = process.hrtime.bigint();
  const client = new Client({ name: 'specdag-bench', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', 'specs'], cwd: dir, stderr: 'ignore' }));
  const { tools } = await client.listTools();
  samples.mcp.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (tools.length !== 6) throw new Error(`expected 6 tools, got ${tools.length}`);
  await client.close();
}
rmSync(dir, { recursive: true, force: true });

const node = median(samples.node);
const line = (label: string, ms: number, ratio?: number) => `${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms${ratio === undefined ? '' : `  ${ratio.toFixed(2)}x node -e 0`}`;
console.log(`specdag agent start-up: medians of ${rounds} interleaved rounds (load ${load.toFixed(1)} at the start)`);
console.log(line('node -e 0', node));
console.log(line('hook claude-pre-tool-use (plain spec)', median(samples.hook), median(samples.hook) / node));
console.log(line('hook claude-pre-tool-use (spec needing YAML)', median(samples.hookYaml), median(samples.hookYaml) / node));
console.log(line('mcp: spawn to first tool list', median(samples.mcp)));
console.log(`goal hook <= 1.5x node -e 0: ${median(samples.hook) / node <= 1.5 ? 'met' : 'NOT met'}`);
