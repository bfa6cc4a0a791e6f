// `specdag init --claude`: .mcp.json at the repository root (merged, never
// losing what it holds, invalid JSON refused), the specdag skill, and a
// second run that changes nothing, byte for byte. Also what init writes into
// PROJECT.md and the example task.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { cli, ROOT, runMain, tempDir, writeTree } from '../helpers.js';

type Json = Record<string, any>;

function git(cwd: string, ...args: string[]): void {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

/** A fresh repository whose branch is `branch`. */
function repo(branch = 'master'): string {
  const cwd = tempDir();
  git(cwd, 'init', '-q', '-b', branch);
  return cwd;
}

/** Every file below `dir` with its bytes and mode: what "changes nothing" is measured against. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (rel === '.git' || rel.startsWith(`.git/`)) continue;
    const path = join(dir, rel);
    const st = statSync(path);
    out[rel] = st.isDirectory() ? 'dir' : `${(st.mode & 0o777).toString(8)} ${readFileSync(path, 'utf8')}`;
  }
  return out;
}

function frontmatter(path: string): Json {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(path, 'utf8'));
  assert.ok(m, `${path} has frontmatter`);
  return parse(m[1]!) as Json;
}

test('init --claude in a repository without .mcp.json: the server, the skill, the folder; twice changes nothing', async () => {
  const cwd = repo();
  const first = await runMain(['init', '--claude'], cwd);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^created specs\/PROJECT\.md\ncreated specs\/example-task\.md\ncreated \.mcp\.json\ncreated \.claude\/skills\/specdag\/SKILL\.md\n/);
  assert.match(first.stdout, /type \/mcp__specdag__interview/);
  const config = JSON.parse(readFileSync(join(cwd, '.mcp.json'), 'utf8')) as Json;
  assert.deepEqual(Object.keys(config.mcpServers), ['specdag']);
  const server = config.mcpServers.specdag as Json;
  assert.equal(server.type, 'stdio');
  // No specdag on PATH here (the test passes no environment): this very build, through node.
  assert.equal(server.command, 'node');
  assert.deepEqual(server.args, [join(ROOT, 'dist', 'cli', 'bin.js'), 'mcp', 'specs']);
  assert.match(first.stdout, /specdag is not on your PATH/);

  const skill = readFileSync(join(cwd, '.claude', 'skills', 'specdag', 'SKILL.md'), 'utf8');
  const fm = frontmatter(join(cwd, '.claude', 'skills', 'specdag', 'SKILL.md'));
  assert.equal(fm.name, 'specdag');
  assert.ok(typeof fm.description === 'string' && fm.description.length > 50 && fm.description.length <= 1024);
  for (const cmd of ['specdag lint specs', 'specdag plan specs', 'specdag run specs', 'specdag status', 'write_spec', 'lint_specs']) assert.ok(skill.includes(cmd), cmd);

  const before = snapshot(cwd);
  const second = await runMain(['init', '--claude'], cwd);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(snapshot(cwd), before, 'the second run changes nothing, byte for byte');
  assert.match(second.stdout, /kept specs\/PROJECT\.md and specs\/example-task\.md/);
  assert.match(second.stdout, /\.mcp\.json already has the specdag MCP server/);
  assert.match(second.stdout, /SKILL\.md is up to date/);
});

test('init --claude merges into an existing .mcp.json: every server and key it held stays; twice changes nothing', async () => {
  const cwd = repo('main');
  const existing = {
    mcpServers: { github: { command: 'npx', args: ['-y', '@example/github-mcp'], env: { TOKEN: '${GITHUB_TOKEN}' } }, docs: { type: 'http', url: 'https://docs.example/mcp' } },
    otherSetting: [1, 2, 3],
  };
  writeFileSync(join(cwd, '.mcp.json'), JSON.stringify(existing));
  const r = await runMain(['init', 'plans', '--claude'], cwd, { PATH: tempDir() });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /added the specdag MCP server to \.mcp\.json/);
  const merged = JSON.parse(readFileSync(join(cwd, '.mcp.json'), 'utf8')) as Json;
  assert.deepEqual(merged.mcpServers.github, existing.mcpServers.github);
  assert.deepEqual(merged.mcpServers.docs, existing.mcpServers.docs);
  assert.deepEqual(merged.otherSetting, existing.otherSetting);
  assert.deepEqual(Object.keys(merged.mcpServers), ['github', 'docs', 'specdag']);
  assert.deepEqual(merged.mcpServers.specdag.args.slice(1), ['mcp', 'plans']);
  const before = snapshot(cwd);
  assert.equal((await runMain(['init', 'plans', '--claude'], cwd, { PATH: tempDir() })).code, 0);
  assert.deepEqual(snapshot(cwd), before);
});

test('with specdag on PATH, .mcp.json names it plainly; a specdag server the user set up is kept as it is', async () => {
  const cwd = repo();
  const bin = tempDir();
  writeFileSync(join(bin, 'specdag'), '#!/bin/sh\n');
  chmodSync(join(bin, 'specdag'), 0o755);
  assert.equal((await runMain(['init', '--claude'], cwd, { PATH: bin })).code, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(cwd, '.mcp.json'), 'utf8')).mcpServers.specdag, { type: 'stdio', command: 'specdag', args: ['mcp', 'specs'] });

  const own = repo();
  const mine = { mcpServers: { specdag: { command: '/opt/specdag/bin/specdag', args: ['mcp', 'docs/specs'] } } };
  writeFileSync(join(own, '.mcp.json'), `${JSON.stringify(mine, null, 4)}\n`);
  const before = readFileSync(join(own, '.mcp.json'));
  const r = await runMain(['init', '--claude'], own, { PATH: bin });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kept the 'specdag' server already in \.mcp\.json/);
  assert.deepEqual(readFileSync(join(own, '.mcp.json')), before);
});

test('an .mcp.json that is not valid JSON is refused (exit 2, one sentence) and nothing at all is written', async () => {
  for (const text of ['{ "mcpServers": { "a": } }', '[1, 2]', '{ "mcpServers": [] }', '']) {
    const cwd = repo();
    writeFileSync(join(cwd, '.mcp.json'), text);
    const before = snapshot(cwd);
    const r = cli(['init', '--claude'], { cwd });
    assert.equal(r.code, 2, text);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^specdag: \.mcp\.json cannot be read: .*; fix it \(or move it away\) and run 'specdag init specs --claude' again; nothing was written/);
    assert.equal(r.stdout, '');
    assert.deepEqual(snapshot(cwd), before, 'no spec folder, no skill, the file untouched');
  }
});

test('from a subfolder of the repository, the Claude files go to its root and name the folder from there', async () => {
  const cwd = repo();
  mkdirSync(join(cwd, 'app'));
  const r = await runMain(['init', 'specs', '--claude'], join(cwd, 'app'), { PATH: tempDir() });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(cwd, '.mcp.json')));
  assert.ok(existsSync(join(cwd, '.claude', 'skills', 'specdag', 'SKILL.md')));
  assert.deepEqual(JSON.parse(readFileSync(join(cwd, '.mcp.json'), 'utf8')).mcpServers.specdag.args.slice(1), ['mcp', 'app/specs']);
  assert.ok(existsSync(join(cwd, 'app', 'specs', 'PROJECT.md')));
});

test('init writes the repository\'s current branch as base_branch (main outside a repository)', async () => {
  for (const branch of ['master', 'trunk', 'feature/x']) {
    const cwd = repo(branch);
    assert.equal((await runMain(['init'], cwd)).code, 0);
    assert.equal(frontmatter(join(cwd, 'specs', 'PROJECT.md')).base_branch, branch);
  }
  const plain = tempDir();
  assert.equal((await runMain(['init'], plain)).code, 0);
  assert.equal(frontmatter(join(plain, 'specs', 'PROJECT.md')).base_branch, 'main');
});

test('the example task owns something, holds no placeholder text, and lints with no diagnostic at all', async () => {
  const cwd = repo();
  assert.equal((await runMain(['init'], cwd)).code, 0);
  const file = join(cwd, 'specs', 'example-task.md');
  const fm = frontmatter(file);
  assert.ok(Array.isArray(fm.owns) && fm.owns.length > 0, 'owns something (owns-empty)');
  const text = readFileSync(file, 'utf8');
  const prose = text.replace(/`[^`]*`/g, '');
  assert.doesNotMatch(prose, /\b(TODO|TBD|FIXME)\b|\?\?\?/, 'no placeholder words outside code (placeholder-text)');
  assert.doesNotMatch(text, /Replace this example/);
  const lint = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  assert.equal(lint.code, 0, lint.stdout);
  assert.deepEqual(JSON.parse(lint.stdout).diagnostics, []);
});

test('interview --refine of a spec that does not exist names commands the user can run, not a model tool', async () => {
  const cwd = tempDir();
  writeTree(cwd, { 'specs/auth-api.md': '---\nid: auth-api\ntitle: Auth\nowns: [src/auth/**]\n---\n', 'specs/db.md': '---\nid: db\ntitle: DB\nowns: [db/**]\n---\n' });
  const env = { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' };
  const near = await runMain(['interview', 'specs', '--refine', 'auth-apj'], cwd, env);
  assert.equal(near.code, 2);
  assert.equal(
    near.stderr,
    "specdag: cannot refine 'auth-apj': there is no spec 'auth-apj' in specs (did you mean 'auth-api'? 'specdag interview specs --refine auth-api'); it holds auth-api, db, and 'specdag new auth-apj specs' creates a new spec\n",
  );
  const none = await runMain(['interview', 'plans', '--refine', 'x'], cwd, env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /there is no spec 'x' in plans, which holds no specs yet; start with 'specdag interview plans', or 'specdag new x plans' creates a new spec/);
  for (const r of [near, none]) assert.doesNotMatch(r.stderr, /list_specs|read_spec/);
});
