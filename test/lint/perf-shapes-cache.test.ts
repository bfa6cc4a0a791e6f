// The compact lint cache (src/lint/cache.ts): a result read back from the
// cache must be the result the file gave, to the byte and the key order, and
// the cache must stay small and be read only where it is needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSpecFolder } from '../../src/io/folder.js';
import { decodeResult, encodeResult, LintCache } from '../../src/lint/cache.js';
import { lintEntries, loadProject } from '../../src/lint/engine.js';
import { defaultProject } from '../../src/spec/project.js';
import { cliAsync, ROOT, specText, tempDir, writeTree } from '../helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'lint');

function folders(): string[] {
  const dirs = readdirSync(FIXTURES)
    .filter((name) => statSync(join(FIXTURES, name)).isDirectory())
    .map((name) => join(FIXTURES, name));
  // A fixture holds its specs in specs/ or directly.
  return [...dirs.map((d) => (readdirSync(d).includes('specs') ? join(d, 'specs') : d)), join(ROOT, 'specs')];
}

test('every fixture result reads back from its compact form identical, key order included', () => {
  let checked = 0;
  for (const dir of folders()) {
    let folder;
    try {
      folder = readSpecFolder(dir, ROOT);
    } catch {
      continue; // a fixture of an unreadable folder
    }
    const { config } = loadProject(folder.project);
    lintEntries(folder.specs, config).forEach((result, i) => {
      const ref = folder.specs[i]!;
      assert.equal(JSON.stringify(decodeResult(encodeResult(result, ref), ref)), JSON.stringify(result), `${ref.file}`);
      checked++;
    });
  }
  assert.ok(checked > 100, `only ${checked} results checked`);
});

test('a result with fields this code does not know is kept as it is', () => {
  const dir = tempDir();
  writeTree(dir, { 'specs/a.md': specText('a', 'owns: [src/a/**]\n') });
  const folder = readSpecFolder(join(dir, 'specs'), dir);
  const [result] = lintEntries(folder.specs, defaultProject());
  const odd = { ...result!, spec: { ...result!.spec, owns: [{ ...result!.spec.owns[0]!, note: 'new' }], later: [1, 2] } };
  odd.diagnostics = [{ ruleId: 'x', severity: 'error', file: folder.specs[0]!.file, line: 1, column: 1, endLine: 1, endColumn: 2, message: 'm', fixable: false, extra: true } as never];
  const back = decodeResult(encodeResult(odd, folder.specs[0]!), folder.specs[0]!);
  assert.deepEqual(back, odd);
});

test('the cache file is a fraction of the specs it holds, and a changed or broken line is a miss', () => {
  const dir = tempDir();
  const files: Record<string, string> = {};
  const body = '## Goal\nBuild it.\n\n## Acceptance criteria\n- [ ] It works\n\n## Notes\n' + 'Some words about the task. '.repeat(40) + '\n';
  for (let i = 0; i < 50; i++) {
    const id = `task-${i}`;
    files[`specs/area/${id}.md`] = specText(id, `depends_on: [${i > 0 ? `task-${i - 1}` : ''}]\nowns:\n  - src/area/${id}/**\n  - test/area/${id}.test.ts\nprovides: [Area.Thing${i}]\ntags: [area, backend]\nestimate: 2h\n`, body);
  }
  writeTree(dir, files);
  const folder = readSpecFolder(join(dir, 'specs'), dir);
  const results = lintEntries(folder.specs, defaultProject());
  const path = join(dir, 'cache.lines');
  const write = LintCache.open(path, 'build-1');
  folder.specs.forEach((ref, i) => write.set(ref, `hash-${i}`, results[i]!));
  write.save();
  const corpus = folder.specs.reduce((n, e) => n + Buffer.byteLength(e.text!), 0);
  const size = statSync(path).size;
  assert.ok(size < 0.6 * corpus, `cache ${size} bytes for ${corpus} bytes of specs`);

  const exists = () => true;
  const read = LintCache.open(path, 'build-1');
  // A hit is the result without its link answers (checked on the way in), its fields read on demand.
  const withoutAsked = (r: (typeof results)[number] | undefined) => JSON.stringify(r && { spec: r.spec, diagnostics: r.diagnostics });
  assert.equal(JSON.stringify(read.get(folder.specs[3]!, 'hash-3', () => true)), withoutAsked(results[3]));
  assert.equal(read.get(folder.specs[4]!, 'hash-other', exists), undefined, 'another hash is a miss');
  assert.equal(LintCache.open(path, 'build-2').get(folder.specs[3]!, 'hash-3', exists), undefined, 'another build is a miss');

  // A torn or edited line costs that file only.
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[6] = lines[6]!.slice(0, 40);
  writeFileSync(path, lines.join('\n'));
  const torn = LintCache.open(path, 'build-1');
  assert.equal(torn.get(folder.specs[5]!, 'hash-5', exists), undefined);
  assert.equal(JSON.stringify(torn.get(folder.specs[6]!, 'hash-6', exists)), withoutAsked(results[6]));

  // Saving keeps what was asked for and drops what was not (a file that is gone).
  torn.save();
  const kept = LintCache.open(path, 'build-1');
  assert.equal(JSON.stringify(kept.get(folder.specs[6]!, 'hash-6', exists)), withoutAsked(results[6]));
  assert.equal(kept.get(folder.specs[7]!, 'hash-7', exists), undefined);
});

test('PROJECT.md is read from the cache too, and a change to the sections it requires reaches every file', async () => {
  const dir = tempDir();
  const project = (sections: string) => `---\nproject: p\nrequired_sections: [${sections}]\n---\n# P\n`;
  writeTree(dir, {
    'specs/PROJECT.md': project('Goal'),
    'specs/a.md': specText('a', 'owns: [src/a/**]\n', '## Goal\nG.\n'),
  });
  const run = () => cliAsync(['lint', 'specs', '--format', 'json'], { cwd: dir });
  const cold = await run();
  const warm = await run();
  assert.equal(cold.code, 0, cold.stdout);
  assert.equal(warm.stdout, cold.stdout);
  writeTree(dir, { 'specs/PROJECT.md': project('Goal, Risks') });
  const changed = await run();
  assert.equal(changed.code, 1);
  assert.match(changed.stdout, /Risks/);
  const again = await run();
  assert.equal(again.stdout, changed.stdout, 'warm again, with the new settings');
  writeTree(dir, { 'specs/PROJECT.md': project('Goal') });
  assert.equal((await run()).stdout, cold.stdout);
});
