// Real task lists from public projects (../shared/corpora/import beside the
// checkout, each folder with SOURCE.txt naming its repository and commit).
// They are never copied into the project: these tests read them where they
// are and skip when they are absent. Each import must run without a crash,
// find every task the source has (counted here with a plain regex of its
// own), keep sample titles exactly, find the dependencies the source
// writes, and write specs whose only lint errors are findings about the
// plan itself, never about the files the import wrote.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ROOT, runMain, tempDir } from '../helpers.js';

type Json = Record<string, any>;

const CORPORA = [process.env.SPECDAG_IMPORT_CORPORA, join(ROOT, '..', 'shared', 'corpora', 'import')].find((p): p is string => !!p && existsSync(p));
const skip = CORPORA ? false : 'the corpora of real task lists (../shared/corpora/import) are not here';

/** Errors that report the plan (what the source never checked); any other error is the import's fault. */
const FINDINGS = new Set(['ownership-conflict', 'dependency-cycle', 'unknown-dependency', 'phase-order', 'self-dependency']);

interface Imported {
  code: number;
  stdout: string;
  cwd: string;
  fm: (id: string) => Json;
  text: (id: string) => string;
  ids: string[];
  diagnostics: Json[];
}

async function importCorpus(format: string, folder: string, source: string): Promise<Imported> {
  const cwd = tempDir();
  const r = await runMain(['import', format, join(CORPORA!, folder, 'source', source), 'out'], cwd);
  assert.ok(r.code === 0 || r.code === 1, `${folder}: exit ${r.code}\n${r.stderr}`);
  const lint = await runMain(['lint', 'out', '--format', 'json'], cwd);
  const diagnostics = (JSON.parse(lint.stdout) as Json).diagnostics as Json[];
  const wrong = diagnostics.filter((d) => d.severity === 'error' && !FINDINGS.has(d.ruleId));
  assert.deepEqual(wrong.map((d) => `${d.file}:${d.line} ${d.ruleId}: ${d.message}`), [], `${folder}: the written specs themselves are valid`);
  assert.equal(r.code, diagnostics.some((d) => d.severity === 'error') ? 1 : 0);
  const text = (id: string) => readFileSync(join(cwd, 'out', `${id}.md`), 'utf8');
  return {
    code: r.code,
    stdout: r.stdout,
    cwd,
    text,
    fm: (id) => parse(/^---\n([\s\S]*?)\n---\n/.exec(text(id))![1]!) as Json,
    ids: readdirSync(join(cwd, 'out')).map((f) => f.replace(/\.md$/, '')).sort(),
    diagnostics,
  };
}

/** The single source file under a corpus folder's source/ (its path differs per project). */
function sourceOf(folder: string, rel: string): string {
  return readFileSync(join(CORPORA!, folder, 'source', rel), 'utf8');
}

function conflictBetween(d: Json[], a: string, b: string): boolean {
  return d.some((x) => x.ruleId === 'ownership-conflict' && x.file === `out/${a}.md` && String(x.message).includes(`owned by '${b}'`));
}

const SPEC_KIT = [
  ['speckit-story-eval-depends', '001-story-eval-mvp/tasks.md'],
  ['speckit-prompt-engine-wrapped', '008-prompt-generation-engine/tasks.md'],
  ['speckit-group-matching-false-p', '028-group-matching/tasks.md'],
  ['speckit-constitution-large', '002-constitution-compliance/tasks.md'],
] as const;

for (const [folder, rel] of SPEC_KIT) {
  test(`corpus ${folder}: every task found, done ones marked, no invalid spec`, { skip }, async () => {
    const source = sourceOf(folder, rel);
    const tasks = source.match(/^\s*- \[[ xX]\] T\d+/gm)!.length;
    const done = source.match(/^\s*- \[[xX]\] T\d+/gm)!.length;
    const r = await importCorpus('spec-kit', folder, rel);
    assert.equal(r.ids.length, tasks);
    assert.match(r.stdout, new RegExp(`read ${tasks} spec-kit tasks`));
    assert.equal(r.ids.filter((id) => r.fm(id).status === 'done').length, done);
  });
}

test('corpus speckit-story-eval-depends: titles exact, "(depends on …)" read, US1 and US2 editing one file found', { skip }, async () => {
  const r = await importCorpus('spec-kit', 'speckit-story-eval-depends', '001-story-eval-mvp/tasks.md');
  assert.equal(r.fm('t042').title, 'Implement submission service in backend/src/services/submissionService.ts (depends on T037, T038, T039)');
  assert.equal(r.fm('t001').title, 'Create project root directory structure (frontend/, backend/, ai-processing/)');
  for (const dep of ['t037', 't038', 't039']) assert.ok(r.fm('t042').depends_on.includes(dep), dep);
  for (const dep of ['t042', 't043', 't040', 't041']) assert.ok(r.fm('t044').depends_on.includes(dep), dep);
  assert.deepEqual(r.fm('t042').tags, ['US1']);
  assert.equal(r.fm('t015').phase, 'foundation');
  assert.equal(r.fm('t095').phase, 'integration');
  // The source says US2 needs US1 in prose; its tasks never say so, and both edit submissionService.ts.
  assert.ok(conflictBetween(r.diagnostics, 't042', 't091'));
  assert.match(r.text('t108'), /names T030, T036 outside a `depends on`/);
});

test('corpus speckit-prompt-engine-wrapped: wrapped descriptions joined, the shared container file found', { skip }, async () => {
  const r = await importCorpus('spec-kit', 'speckit-prompt-engine-wrapped', '008-prompt-generation-engine/tasks.md');
  assert.equal(
    r.fm('t001').title,
    'Run `npm run lint`, `npm run build`, and `npm run test -- --run` at the repo root and confirm all three currently pass, establishing the pre-feature baseline',
  );
  assert.equal(r.fm('t004').title, 'Extend `TemplateVersion` in `src/features/template-detail/types.ts` with `variables: TemplateVariable[]` and `variants: TemplateVariant[]` (depends on T002; data-model.md)');
  assert.ok(r.fm('t004').depends_on.includes('t002'));
  assert.deepEqual([...r.fm('t035').depends_on].sort(), ['t017', 't022', 't028', 't031', 't032', 't033', 't034']);
  // Four stories wire into TemplateGenerateSection.tsx, named without its folder: the file's own note says so.
  for (const [a, b] of [['t015', 't020'], ['t020', 't026'], ['t026', 't030']]) assert.ok(conflictBetween(r.diagnostics, a!, b!), `${a} ${b}`);
  assert.match(r.text('t020'), /`TemplateGenerateSection\.tsx` is read as `src\/features\/template-generate\/components\/TemplateGenerateSection\.tsx`/);
});

test('corpus speckit-group-matching-false-p: the false [P] pairs are found, the suffixed id kept', { skip }, async () => {
  const r = await importCorpus('spec-kit', 'speckit-group-matching-false-p', '028-group-matching/tasks.md');
  assert.ok(r.ids.includes('t042b'));
  assert.equal(r.fm('t042b')['x-source'].id, 'T042b');
  assert.equal(r.fm('t041').title, 'Update MatchCandidate TypeScript interface with candidateType in `frontend/src/types/match.ts`');
  assert.ok(conflictBetween(r.diagnostics, 't041', 't042'), 'two [P] tasks edit match.ts');
  assert.ok(conflictBetween(r.diagnostics, 't011', 't012'), 'two [P] tests share one test file');
  assert.ok(conflictBetween(r.diagnostics, 't046', 't047'), 'two [P] polish tasks share a service');
  assert.deepEqual(r.fm('t034').owns, ['backend/src/ExpenseFlow.Infrastructure/Services/MatchingService.cs']);
});

test('corpus speckit-constitution-large: 147 tasks, false [P] on one Bicep module found', { skip }, async () => {
  const r = await importCorpus('spec-kit', 'speckit-constitution-large', '002-constitution-compliance/tasks.md');
  assert.ok(conflictBetween(r.diagnostics, 't048', 't049'));
  assert.equal(r.fm('t147').phase, 'integration');
  assert.deepEqual(r.fm('t147').depends_on, ['t146']);
});

test('corpus ccsdd-graphiti-depends: sub-tasks are specs, _Depends:_ read, the Validation group last', { skip }, async () => {
  const r = await importCorpus('cc-sdd', 'ccsdd-graphiti-depends', '.kiro/specs/graphiti-neo4j-finalize/tasks.md');
  const source = sourceOf('ccsdd-graphiti-depends', '.kiro/specs/graphiti-neo4j-finalize/tasks.md');
  assert.equal(r.ids.length, source.match(/^- \[[ x]\]\*? \d+\.\d+ /gm)!.length);
  assert.equal(r.ids.length, 13);
  assert.equal(r.fm('task-1-1').title, 'Extend the central configuration module with the new provider switch and decoupled embedder credentials');
  assert.equal(r.fm('task-4-4').title, 'End-to-end pipeline smoke against the documented default provider');
  for (const dep of ['task-1-1', 'task-2-1']) assert.ok(r.fm('task-2-2').depends_on.includes(dep), dep);
  for (const dep of ['task-3-1', 'task-3-2']) assert.ok(r.fm('task-4-1').depends_on.includes(dep), dep);
  assert.equal(r.fm('task-4-2').phase, 'integration');
  assert.equal(r.fm('task-1-1').phase, 'foundation');
  assert.equal(r.ids.filter((id) => r.fm(id).status === 'done').length, source.match(/^- \[x\] \d+\.\d+ /gm)!.length);
  assert.deepEqual(r.fm('task-3-1').owns, ['backend/app/services/zep_tools.py']);
  assert.match(r.text('task-4-4'), /cc-sdd marks this task optional/);
});

test('corpus ccsdd-rag-backend: 28 tasks from heading groups, (P) runs side by side', { skip }, async () => {
  const r = await importCorpus('cc-sdd', 'ccsdd-rag-backend', '.kiro/specs/customer-support-rag-backend-en/tasks.md');
  const source = sourceOf('ccsdd-rag-backend', '.kiro/specs/customer-support-rag-backend-en/tasks.md');
  assert.equal(r.ids.length, source.match(/^- \[ \] \d+\.\d+\*? /gm)!.length);
  assert.equal(r.fm('task-7-9').title, 'Performance Test Implementation');
  assert.match(r.text('task-7-9'), /optional/);
  // 3.2 (P) runs beside 3.1: both wait only for group 2.
  assert.deepEqual(r.fm('task-3-2').depends_on, r.fm('task-3-1').depends_on);
  assert.deepEqual([...r.fm('task-4-1').depends_on].sort(), ['task-3-1', 'task-3-2', 'task-3-3']);
});

test('corpus taskmaster-tagged-master: the master tag, string ids and dependencies, subtasks as criteria', { skip }, async () => {
  const r = await importCorpus('taskmaster', 'taskmaster-tagged-master', '.taskmaster/tasks/tasks.json');
  const data = JSON.parse(sourceOf('taskmaster-tagged-master', '.taskmaster/tasks/tasks.json')) as Json;
  assert.equal(r.ids.length, data.master.tasks.length);
  assert.equal(r.fm('task-5').title, 'Add --concurrency flag to CLI NextCommand');
  assert.deepEqual(r.fm('task-6').depends_on, ['task-4', 'task-5']);
  assert.equal(r.fm('task-6')['x-source'].tag, 'master');
  assert.equal(r.ids.filter((id) => r.fm(id).status === 'done').length, data.master.tasks.filter((t: Json) => t.status === 'done').length);
  assert.match(r.text('task-1'), /^- \[x\] 1\.1 Add basic getNextTasks method signature$/m);
  assert.deepEqual(r.fm('task-5').owns, ['apps/cli/src/commands/next.command.ts']);
});

test('corpus taskmaster-legacy-scrumpoker: the untagged file, numeric dependencies, in-progress kept as a note', { skip }, async () => {
  const r = await importCorpus('taskmaster', 'taskmaster-legacy-scrumpoker', 'tasks/tasks.json');
  const data = JSON.parse(sourceOf('taskmaster-legacy-scrumpoker', 'tasks/tasks.json')) as Json;
  assert.equal(r.ids.length, data.tasks.length);
  assert.deepEqual(r.fm('task-5').depends_on, ['task-1', 'task-2', 'task-3', 'task-4']);
  assert.equal(r.fm('task-3').title, 'Implement DurableObject with WebSocket Hibernation');
  assert.match(r.text('task-6'), /Task Master status: in-progress/);
  // Task 5 names 1 and 2, already implied through 4: the source's redundancy, reported.
  assert.ok(r.diagnostics.some((d) => d.ruleId === 'redundant-dependency' && d.file === 'out/task-5.md'));
});

test('corpus backlog-backlogmd-subset: 15 task files, dependencies between them, labels and modified files', { skip }, async () => {
  const r = await importCorpus('backlog', 'backlog-backlogmd-subset', 'backlog/tasks');
  assert.equal(r.ids.length, readdirSync(join(CORPORA!, 'backlog-backlogmd-subset', 'source', 'backlog', 'tasks')).filter((f) => f.endsWith('.md')).length);
  assert.equal(r.fm('back-260').title, 'Web UI: Include completed records in All Tasks');
  assert.deepEqual(r.fm('back-543').depends_on, ['back-430']);
  assert.deepEqual(r.fm('back-553').depends_on, ['back-546']);
  assert.deepEqual(r.fm('back-599').depends_on, ['back-260']);
  assert.deepEqual(r.fm('back-222-1')['x-source'].id, 'BACK-222.1');
  assert.equal(r.fm('back-222-1').status, 'done');
  assert.deepEqual(r.fm('back-546').tags, ['tui', 'web', 'enhancement']);
  assert.ok(r.fm('back-545').owns.includes('src/formatters/json-output.ts'));
  assert.match(r.text('back-222-1'), /Backlog\.md parent_task_id: BACK-222\./);
  assert.match(r.text('back-430'), /^### Implementation Notes$/m);
});
