// `specdag import` as a user meets it: what each format's tasks become
// (ids, titles, phases, dependencies, owns, done, notes), and what it refuses
// without writing a byte.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createFileAtomic } from '../../src/io/write.js';
import { cli, ROOT, runMain, snapshot, specText, tempDir, writeTree } from '../helpers.js';

type Json = Record<string, any>;

const FIXTURES = join(ROOT, 'test', 'fixtures', 'import');

/** A fixture copied into a fresh folder, so the import writes beside it. */
function copy(format: string, name: string): string {
  const cwd = tempDir();
  cpSync(join(FIXTURES, format, name), cwd, { recursive: true });
  return cwd;
}

function frontmatter(path: string): Json {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(readFileSync(path, 'utf8'));
  assert.ok(m, `${path} starts with frontmatter`);
  return parse(m[1]!) as Json;
}

async function lintJson(cwd: string, dir = 'out'): Promise<Json[]> {
  const r = await runMain(['lint', dir, '--format', 'json'], cwd);
  return (JSON.parse(r.stdout) as Json).diagnostics as Json[];
}

// ---------------------------------------------------------------- spec-kit

test('spec-kit: phases, dependencies by position and by "(depends on …)", done boxes, story tags', async () => {
  const cwd = copy('spec-kit', 'template');
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const fm = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`));
  // Setup and Foundational are foundation, the last phase (Polish) integration, user stories parallel.
  for (const id of ['t001', 't002', 't003', 't004', 't005', 't006']) assert.equal(fm(id).phase, 'foundation', id);
  for (const id of ['t007', 't010', 't011', 't016']) assert.equal(fm(id).phase, 'parallel', id);
  for (const id of ['t020', 't021', 't021b']) assert.equal(fm(id).phase, 'integration', id);
  // [X] and [x] are done; [ ] is not.
  for (const id of ['t001', 't002', 't003', 't004']) assert.equal(fm(id).status, 'done', id);
  assert.equal(fm('t005').status, undefined);
  // A task without [P] waits for the one before it in its phase; [P] tasks wait for nothing by position.
  assert.deepEqual(fm('t006').depends_on, ['t005']);
  assert.deepEqual(fm('t002').depends_on, []);
  assert.deepEqual(fm('t016').depends_on, ['t015']);
  // The written dependency and the positional one are the same task: written once.
  assert.deepEqual(fm('t011').depends_on, ['t010']);
  assert.deepEqual(fm('t012').depends_on, ['t011', 't005']);
  assert.deepEqual(fm('t021').depends_on, ['t020']);
  // The Polish phase waits for every parallel task nothing else waits for.
  assert.deepEqual([...fm('t020').depends_on].sort(), ['t007', 't008', 't012', 't013', 't016']);
  assert.deepEqual(fm('t013').tags, ['US1']);
  assert.deepEqual(fm('t013')['x-source'], { file: 'tasks.md', id: 'T013' });
  assert.deepEqual(fm('t021b')['x-source'].id, 'T021b');
});

test('spec-kit: titles are the description, wrapped lines joined by single spaces, labels and box removed', async () => {
  const cwd = copy('spec-kit', 'template');
  assert.equal((await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd)).code, 0);
  const title = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`)).title;
  assert.equal(title('t011'), 'Implement BookmarkService.save in `server/src/services/bookmarkService.ts`, rejecting duplicate URLs per user (depends on T010)');
  assert.equal(title('t013'), 'Build the save button in web/src/components/SaveButton.tsx');
  assert.equal(title('t001'), 'Create the workspace layout (server/, web/) and root package.json');
  const text = readFileSync(join(cwd, 'out', 't011.md'), 'utf8');
  assert.match(text, /^# Implement BookmarkService\.save in `server\/src\/services\/bookmarkService\.ts`, rejecting/m);
  // The phase's goal, wrapped in the source, comes along as context.
  assert.match(text, /Goal of the phase: A signed-in reader saves the page they are on and sees it on every other device within a minute\./);
});

test('spec-kit: owns from the paths a task names; a bare file name only when the source names its full path, with a note', async () => {
  const cwd = copy('spec-kit', 'template');
  assert.equal((await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd)).code, 0);
  const fm = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`));
  assert.deepEqual(fm('t001').owns, ['server/**', 'web/**']);
  assert.deepEqual(fm('t004').owns, ['server/migrations/001_bookmarks.sql']);
  assert.deepEqual(fm('t011').owns, ['server/src/services/bookmarkService.ts']);
  assert.deepEqual(fm('t012').owns, ['server/src/routes/bookmarks.ts', 'server/src/services/bookmarkService.ts']);
  assert.match(readFileSync(join(cwd, 'out', 't012.md'), 'utf8'), /`bookmarkService\.ts` is read as `server\/src\/services\/bookmarkService\.ts`, the only path of that name in the source\./);
  // "quickstart.md" names no folder and no full path: not owned.
  assert.deepEqual(fm('t021').owns, []);
  // The fenced "Parallel Example" holds Task: lines, not tasks.
  assert.equal(readdirSync(join(cwd, 'out')).length, 18);
});

test('spec-kit: a [P] pair that edits the same file is an ownership-conflict; without the [P] they are in order and clean', async () => {
  const cwd = copy('spec-kit', 'false-p');
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 1);
  const conflicts = (await lintJson(cwd)).filter((d) => d.ruleId === 'ownership-conflict');
  assert.deepEqual(conflicts.map((d) => d.file).sort(), ['out/t002.md', 'out/t003.md']);
  assert.match(conflicts[0]!.message, /'src\/export\/invoiceCsv\.ts' overlaps/);
  assert.match(r.stdout, /ownership-conflict/);

  // The honest version of the same list: T003 without [P] comes after T002.
  const honest = tempDir();
  writeFileSync(join(honest, 'tasks.md'), readFileSync(join(cwd, 'tasks.md'), 'utf8').replace('T003 [P] [US1]', 'T003 [US1]'));
  assert.equal((await runMain(['import', 'spec-kit', 'tasks.md', 'out'], honest)).code, 0);
  assert.deepEqual(frontmatter(join(honest, 'out', 't003.md')).depends_on, ['t002']);
  assert.deepEqual((await lintJson(honest)).filter((d) => d.severity === 'error'), []);
});

test('spec-kit: tasks after a code fence that never closes are read, each with a note, and the summary says so', async () => {
  const cwd = copy('spec-kit', 'unclosed-fence');
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /the code fence opened at tasks\.md:9 is never closed/);
  const t003 = readFileSync(join(cwd, 'out', 't003.md'), 'utf8');
  assert.match(t003, /stands after the code fence opened at tasks\.md:9, which is never closed/);
  assert.deepEqual(frontmatter(join(cwd, 'out', 't003.md')).depends_on, ['t002']);
  assert.doesNotMatch(readFileSync(join(cwd, 'out', 't001.md'), 'utf8'), /## Notes/);
});

test('spec-kit: ids named in a description outside "depends on" become a note, not a dependency', async () => {
  const cwd = writeTree(tempDir(), {
    'tasks.md': '## Phase 1: User Story 1 - Things (Priority: P1)\n\n- [ ] T001 [P] [US1] Make a in src/a.ts\n- [ ] T002 [P] [US1] Make b in src/b.ts, as T001 did (depends on T001; see T001 and T003)\n- [ ] T003 [P] [US1] Make c in src/c.ts\n',
  });
  assert.equal((await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd)).code, 0);
  assert.deepEqual(frontmatter(join(cwd, 'out', 't002.md')).depends_on, ['t001']);
  assert.match(readFileSync(join(cwd, 'out', 't002.md'), 'utf8'), /names T003 outside a `depends on`; it is not read as a dependency/);
});

// ---------------------------------------------------------------- Task Master

test('taskmaster: the master tag by default; subtasks become criteria; a subtask dependency waits for its task, with a note', async () => {
  const cwd = copy('taskmaster', 'tagged');
  const r = await runMain(['import', 'taskmaster', '.', 'out'], cwd);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /read the tag 'master'/);
  const fm = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`));
  assert.deepEqual(fm('task-1')['x-source'], { file: '.taskmaster/tasks/tasks.json', id: '1', tag: 'master' });
  assert.equal(fm('task-1').status, 'done');
  assert.equal(fm('task-2').status, undefined);
  assert.equal(fm('task-3').title, 'Add the theme toggle: "Dark mode" in the header');
  assert.deepEqual(fm('task-3').depends_on, ['task-2', 'task-1']);
  assert.deepEqual(fm('task-2').owns, ['src/theme/preference.ts']);
  assert.deepEqual(fm('task-2').reads, ['src/theme/tokens.ts']);
  assert.deepEqual(fm('task-3').owns, ['src/components/Header.tsx']);
  const t2 = readFileSync(join(cwd, 'out', 'task-2.md'), 'utf8');
  assert.match(t2, /^- \[x\] 2\.1 Read prefers-color-scheme$/m);
  assert.match(t2, /^- \[ \] 2\.2 Persist the choice\n {2}Write the choice on change\./m);
  assert.match(t2, /^- \[ \] Test strategy: Unit tests for stored, missing and invalid values\.$/m);
  assert.match(t2, /Task Master status: in-progress/);
  assert.match(readFileSync(join(cwd, 'out', 'task-3.md'), 'utf8'), /Depends on subtask 2\.1; a subtask is an acceptance criterion of its task here, so this task waits for all of task 2\./);
  assert.match(readFileSync(join(cwd, 'out', 'task-4.md'), 'utf8'), /Task Master status: deferred/);
});

test('taskmaster: --tag chooses another tag; an unknown tag or --tag on another format is a usage error', async () => {
  const cwd = copy('taskmaster', 'tagged');
  const r = await runMain(['import', 'taskmaster', '.', 'out', '--tag', 'feature-dark-mode'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'out')), ['task-1.md']);
  assert.equal(frontmatter(join(cwd, 'out', 'task-1.md')).title, 'Audit colours with too little contrast');
  assert.equal(frontmatter(join(cwd, 'out', 'task-1.md'))['x-source'].tag, 'feature-dark-mode');

  const unknown = await runMain(['import', 'taskmaster', '.', 'other', '--tag', 'nope'], cwd);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /has no tag 'nope'; its tags are master, feature-dark-mode/);
  assert.ok(!existsSync(join(cwd, 'other')));

  const noMaster = copy('taskmaster', 'no-master');
  assert.equal((await runMain(['import', 'taskmaster', 'tasks.json', 'out', '--tag', 'feature-b'], noMaster)).code, 0);
  assert.equal(frontmatter(join(noMaster, 'out', 'task-1.md')).title, 'B task');

  const sk = copy('spec-kit', 'template');
  const wrong = await runMain(['import', 'spec-kit', 'tasks.md', 'out', '--tag', 'master'], sk);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--tag is for Task Master files/);
});

test('taskmaster: the legacy untagged file; numeric ids and dependencies', async () => {
  const cwd = copy('taskmaster', 'legacy');
  const r = await runMain(['import', 'taskmaster', 'tasks/tasks.json', 'out'], cwd);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /read the tag/);
  const fm = frontmatter(join(cwd, 'out', 'task-3.md'));
  assert.deepEqual(fm.depends_on, ['task-1', 'task-2']);
  assert.deepEqual(fm['x-source'], { file: 'tasks/tasks.json', id: '3' });
  assert.match(readFileSync(join(cwd, 'out', 'task-2.md'), 'utf8'), /^- \[ \] 2\.2 POST \/rooms\/:id\/join\n[\s\S]*After 2\.1\./m);
});

test('taskmaster: a file that is not JSON is one sentence naming it, exit 2, nothing written (real binary, no stack)', () => {
  const cwd = copy('taskmaster', 'not-json');
  const r = cli(['import', 'taskmaster', 'tasks.json', 'out'], { cwd });
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /^specdag: tasks\.json is not JSON \(.* at line 4, column 1\); pass Task Master's/);
  assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  assert.equal(r.stdout, '');
  assert.ok(!existsSync(join(cwd, 'out')));
});

// ---------------------------------------------------------------- cc-sdd

test('cc-sdd: a major task with sub-tasks is a group, one without is a task; order, (P) and _Depends:_ give the dependencies', async () => {
  const cwd = copy('cc-sdd', 'template');
  const r = await runMain(['import', 'cc-sdd', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(readdirSync(join(cwd, 'out')).sort(), ['task-1-1.md', 'task-2-1.md', 'task-2-2.md', 'task-2-3.md', 'task-3-1.md', 'task-3-2.md', 'task-4.md']);
  const fm = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`));
  assert.equal(fm('task-1-1').phase, 'foundation');
  assert.equal(fm('task-1-1').status, 'done');
  assert.equal(fm('task-1-1').title, 'Initialise the FastAPI service and its settings');
  // The (P) pair runs side by side after 1.1; 2.3 waits for both, and keeps the 1.1 its author wrote.
  assert.deepEqual(fm('task-2-1').depends_on, ['task-1-1']);
  assert.deepEqual(fm('task-2-2').depends_on, ['task-1-1']);
  assert.deepEqual(fm('task-2-3').depends_on, ['task-1-1', 'task-2-1', 'task-2-2']);
  assert.deepEqual(fm('task-3-1').depends_on, ['task-2-3']);
  assert.deepEqual(fm('task-3-2').depends_on, ['task-3-1']);
  assert.deepEqual(fm('task-4').depends_on, ['task-3-2']);
  assert.equal(fm('task-4').phase, 'integration');
  assert.equal(fm('task-4').title, 'Integration: wire the pipeline end to end and check it');
  // _Boundary:_ a path is owned, a component name is a note.
  assert.deepEqual(fm('task-2-2').owns, ['app/extract/**', 'app/extract/pdf.py', 'app/extract/docx.py']);
  assert.deepEqual(fm('task-2-1').owns, ['app/storage/client.py']);
  const t21 = readFileSync(join(cwd, 'out', 'task-2-1.md'), 'utf8');
  assert.match(t21, /Boundary: StorageClient \(a component name, not a path; not in owns\)\./);
  assert.match(t21, /Requirements: 2\.1 \(requirement ids of requirements\.md\)\./);
  assert.match(t21, /^- \[ \] Observable completion: a 50 MB upload ends in the bucket with its checksum$/m);
  assert.match(t21, /Part of 2\. Build the upload pipeline in tasks\.md\./);
  assert.match(readFileSync(join(cwd, 'out', 'task-3-2.md'), 'utf8'), /cc-sdd marks this task optional/);
});

test('cc-sdd: major tasks as headings, (P) after the title, a starred number, a wrapped title', async () => {
  const cwd = copy('cc-sdd', 'headings');
  assert.equal((await runMain(['import', 'cc-sdd', 'tasks.md', 'out'], cwd)).code, 0);
  const fm = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`));
  assert.equal(fm('task-2-1').title, 'Replace the reranker with a passthrough that keeps the input order and scores it in descending order');
  assert.equal(fm('task-2-2').title, 'Read the provider switch in the adapter factory');
  assert.equal(fm('task-2-3').title, 'Add adapter tests for both providers');
  // (P) tasks of group 2 run beside 2.1: they wait only for what group 2 waits for.
  assert.deepEqual(fm('task-2-1').depends_on, ['task-1-1', 'task-1-2']);
  assert.deepEqual(fm('task-2-2').depends_on, ['task-1-1', 'task-1-2']);
  assert.deepEqual(fm('task-2-3').depends_on, ['task-1-1', 'task-1-2']);
  assert.deepEqual(fm('task-1-2').owns, ['docker-compose.yml']);
  assert.deepEqual(fm('task-2-1').owns, ['backend/app/services/**']);
  assert.match(readFileSync(join(cwd, 'out', 'task-1-2.md'), 'utf8'), /Boundary: docker-compose\.yml is owned as a file at the repository root\./);
});

// ---------------------------------------------------------------- Backlog.md

test('backlog: frontmatter and sections; ids compared as Backlog compares them; a finished dependency is a note', async () => {
  const cwd = copy('backlog', 'basic');
  const r = await runMain(['import', 'backlog', 'backlog', 'out'], cwd);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const fm = (id: string) => frontmatter(join(cwd, 'out', `${id}.md`));
  assert.equal(fm('task-2').title, 'Search command: `backlog search <query>`');
  assert.equal(fm('task-2').status, 'done');
  assert.deepEqual(fm('task-2').depends_on, ['task-1']);
  assert.deepEqual(fm('task-2').owns, ['src/cli/search.ts', 'src/cli/index.ts']);
  assert.deepEqual(fm('task-2')['x-source'], { file: 'backlog/tasks/task-2 - Search-command.md', id: 'task-2' });
  assert.deepEqual(fm('task-3').depends_on, ['task-2'], 'TASK-02 is task-2');
  assert.deepEqual(fm('task-1').tags, ['search', 'backend']);
  assert.deepEqual(fm('task-1').owns, ['src/search/indexer.ts']);
  assert.equal(fm('task-3-1')['x-source'].id, 'task-3.1');

  const t2 = readFileSync(join(cwd, 'out', 'task-2.md'), 'utf8');
  assert.match(t2, /^## Goal\nA command that prints matching tasks, one per line\.$/m);
  assert.match(t2, /^- \[x\] #1 `backlog search index` prints task-1$/m);
  assert.match(t2, /^- \[x\] Definition of Done #1 bun test passes$/m);
  assert.match(t2, /Depends on task-9, which is in backlog\/completed\/task-9 - Tokenizer\.md \(finished\), so it is not a dependency here\./);
  assert.match(t2, /^### Implementation Plan\n1\. Parse the query\.$/m);
  assert.doesNotMatch(t2, /SECTION:|AC:BEGIN/);
  const t1 = readFileSync(join(cwd, 'out', 'task-1.md'), 'utf8');
  assert.match(t1, /Backlog\.md assignee: @alice\./);
  assert.match(t1, /Backlog\.md priority: high\./);
  assert.match(readFileSync(join(cwd, 'out', 'task-3.md'), 'utf8'), /Backlog\.md status: In Progress/);
  assert.match(readFileSync(join(cwd, 'out', 'task-3-1.md'), 'utf8'), /Backlog\.md parent_task_id: task-3\./);
});

test('backlog: a file instead of the folder is a usage error', async () => {
  const cwd = copy('backlog', 'basic');
  const r = await runMain(['import', 'backlog', 'backlog/tasks/task-1 - Add-the-search-index.md', 'out'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is a file; pass Backlog\.md's backlog\/tasks folder/);
});

// ---------------------------------------------------------------- every format

test('importing twice into two folders gives the same ids and the same specs', async () => {
  for (const [format, name, source] of [
    ['spec-kit', 'template', 'tasks.md'],
    ['taskmaster', 'tagged', '.'],
    ['cc-sdd', 'template', 'tasks.md'],
    ['backlog', 'basic', 'backlog'],
  ] as const) {
    const cwd = copy(format, name);
    assert.ok((await runMain(['import', format, source, 'one'], cwd)).code! <= 1);
    assert.ok((await runMain(['import', format, source, 'two'], cwd)).code! <= 1);
    assert.deepEqual(snapshot(join(cwd, 'one')), snapshot(join(cwd, 'two')), format);
    assert.ok(Object.keys(snapshot(join(cwd, 'one'))).length > 0);
  }
});

test('never overwrites: one existing target and nothing is written, the file is named, exit 2', async () => {
  const cwd = copy('spec-kit', 'false-p');
  writeTree(cwd, { 'out/t003.md': 'my own notes\n', 'out/other.md': specText('other') });
  const before = snapshot(join(cwd, 'out'));
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /out\/t003\.md already exists; import writes nothing over a spec, so nothing was written/);
  assert.equal(r.stdout, '');
  assert.deepEqual(snapshot(join(cwd, 'out')), before);
});

test('never overwrites: a spec elsewhere in the folder with the same id is a clash too', async () => {
  const cwd = copy('spec-kit', 'false-p');
  writeTree(cwd, { 'out/deep/t002.md': specText('t002') });
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /out\/deep\/t002\.md already exists/);
  assert.deepEqual(Object.keys(snapshot(join(cwd, 'out'))), ['deep/t002.md']);
});

test('an import into a folder of other specs writes beside them and lints them all', async () => {
  const cwd = copy('spec-kit', 'false-p');
  writeTree(cwd, { 'out/mine.md': specText('mine', 'owns: [src/ui/ExportButton.tsx]\n') });
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 1);
  // Their own task and the imported t004 own the same file and may run at once.
  assert.ok((await lintJson(cwd)).some((d) => d.ruleId === 'ownership-conflict' && d.file === 'out/mine.md'));
  assert.match(r.stdout, /out\/mine\.md/);
});

test('a source inside the spec folder is refused, since lint would read it as specs', async () => {
  const cwd = writeTree(tempDir(), { 'specs/001-feature/tasks.md': '## Phase 1: Setup\n\n- [ ] T001 Do it\n' });
  const r = await runMain(['import', 'spec-kit', 'specs/001-feature/tasks.md'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /lies inside the spec folder 'specs'/);
  assert.deepEqual(readdirSync(join(cwd, 'specs')), ['001-feature']);
});

test('a source that is missing, or a folder without the file, is one sentence and exit 2', async () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, 'somewhere'));
  const missing = await runMain(['import', 'spec-kit', 'nope/tasks.md', 'out'], cwd);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\/tasks\.md does not exist/);
  const folder = await runMain(['import', 'cc-sdd', 'somewhere', 'out'], cwd);
  assert.equal(folder.code, 2);
  assert.match(folder.stderr, /somewhere is a folder without tasks\.md/);
  const format = await runMain(['import', 'jira', 'x', 'out'], cwd);
  assert.equal(format.code, 2);
  assert.ok(!existsSync(join(cwd, 'out')));
});

test('a folder that cannot be made is one sentence, exit 2, nothing left behind', async () => {
  const cwd = copy('spec-kit', 'false-p');
  writeFileSync(join(cwd, 'afile'), 'x\n');
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'afile/specs'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^specdag: cannot write afile\/specs \(ENOTDIR\); nothing was written\n$/);
  assert.doesNotMatch(r.stderr, /unexpected/);
  assert.deepEqual(readdirSync(cwd).sort(), ['afile', 'expected.json', 'tasks.md']);
});

test('a source with no task in it writes nothing and says what a task looks like', async () => {
  const cwd = writeTree(tempDir(), { 'tasks.md': '# Tasks\n\nNothing planned yet.\n' });
  const r = await runMain(['import', 'spec-kit', 'tasks.md', 'out'], cwd);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /found no tasks in tasks\.md: spec-kit tasks are '- \[ \] T001 Description in path\/file'/);
  assert.ok(!existsSync(join(cwd, 'out')));
});

test('ids stay valid: duplicates get a suffix and a note, integration is never a parallel id', async () => {
  const cwd = writeTree(tempDir(), {
    'tasks.json': JSON.stringify({
      tasks: [
        { id: 'integration', title: 'Called integration', description: 'd', status: 'pending', dependencies: [] },
        { id: 1, title: 'First one', description: 'd', status: 'pending', dependencies: [] },
        { id: 1, title: 'Second one', description: 'd', status: 'pending', dependencies: [] },
        { id: 2, title: 'After one', description: 'd', status: 'pending', dependencies: [1] },
      ],
    }),
  });
  const r = await runMain(['import', 'taskmaster', 'tasks.json', 'out'], cwd);
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(readdirSync(join(cwd, 'out')).sort(), ['integration-task.md', 'task-1-2.md', 'task-1.md', 'task-2.md']);
  assert.equal(frontmatter(join(cwd, 'out', 'task-1-2.md')).title, 'Second one');
  assert.match(readFileSync(join(cwd, 'out', 'task-1-2.md'), 'utf8'), /uses the id 1 for more than one task; this one is task-1-2, and dependencies on 1 name task-1/);
  assert.deepEqual(frontmatter(join(cwd, 'out', 'task-2.md')).depends_on, ['task-1']);
});

test('source text that would break a spec is made safe, and the note says how', async () => {
  const cwd = writeTree(tempDir(), {
    'tasks.json': JSON.stringify({
      tasks: [{ id: 1, title: 'Odd details', description: 'Intro', details: '## Steps\n1. run it\n```sh\nmake', status: 'pending', dependencies: [] }],
    }),
  });
  assert.equal((await runMain(['import', 'taskmaster', 'tasks.json', 'out'], cwd)).code, 0);
  const text = readFileSync(join(cwd, 'out', 'task-1.md'), 'utf8');
  assert.match(text, /^### Steps$/m);
  assert.match(text, /headings moved down to ### and a code fence that was never closed now closes at the end of the text/);
  assert.deepEqual((await lintJson(cwd)).filter((d) => d.ruleId !== 'owns-empty'), []);
});

test('createFileAtomic writes a new file whole and never replaces one', () => {
  const dir = tempDir();
  const path = join(dir, 'a.md');
  assert.equal(createFileAtomic(path, 'first\n'), true);
  assert.equal(createFileAtomic(path, 'second\n'), false);
  assert.equal(readFileSync(path, 'utf8'), 'first\n');
  assert.deepEqual(readdirSync(dir), ['a.md'], 'no temporary file left behind');
});
