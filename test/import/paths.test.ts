// Which words of a task are repository paths: what real task lists write
// (spec-kit, cc-sdd, Task Master details) and what only looks like a path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPaths, pathIndex } from '../../src/import/paths.js';

const none = pathIndex('');
const owns = (text: string) => findPaths(text, none).owns;

test('paths a task names become owns, in order, once each', () => {
  const cases: [string, string[]][] = [
    ['Create User model in src/models/user.py', ['src/models/user.py']],
    ['Configure ESLint in frontend/.eslintrc.js.', ['frontend/.eslintrc.js']],
    ['Verify X in `backend/src/Core/Entities/Group.cs`', ['backend/src/Core/Entities/Group.cs']],
    ['Create project root directory structure (frontend/, backend/, ai-processing/)', ['frontend/**', 'backend/**', 'ai-processing/**']],
    ['Initialize the AI project in ai-processing/', ['ai-processing/**']],
    ['Verified the filter in `backend/src/Services/MatchingService.cs:97`', ['backend/src/Services/MatchingService.cs']],
    ['a grep across `backend/app/services` returns nothing', ['backend/app/services/**']],
    ['Touch src/a.ts, then src/b.ts and src/a.ts again', ['src/a.ts', 'src/b.ts']],
    ['See [the docs](docs/guide/setup.md) first', ['docs/guide/setup.md']],
    ['Add the **src/x.ts** module', ['src/x.ts']],
    ['Edit docker/Dockerfile and the Makefile', ['docker/Dockerfile']],
    ['Route in app/[slug]/page.tsx and app/(auth)/login.tsx', ['app/\\[slug\\]/page.tsx', 'app/\\(auth\\)/login.tsx']],
    ['Cover every test in src/**/*.test.ts', ['src/**/*.test.ts']],
  ];
  for (const [text, expected] of cases) assert.deepEqual(owns(text), expected, text);
});

test('what only looks like a path is not owned', () => {
  for (const text of [
    'Contract test for POST /api/users and GET /evaluations/:id',
    'Parse PDF (PyMuPDF/pdfplumber), per audience: what/why/who, 3 per email/24h',
    'Initialize with Node.js 20.x and Express.js, Python 3.11+',
    'See https://example.com/docs/page.html and github.com/org/repo/file.md',
    'Use `react-dom/client` and `@scope/pkg/sub`, and/or CI/CD, I/O',
    'Run `npm run test -- --run` at C:\\repo\\src\\a.ts',
    'Never ../outside/file.ts nor ~/home/file.ts',
    'Requirements 1.1/2.3 and v1.2/v2.0',
  ]) {
    assert.deepEqual(owns(text), [], text);
  }
});

test('a bare file name is owned only when the source names exactly one full path of that name', () => {
  const index = pathIndex('T011 Create src/features/gen/components/Section.tsx\nT020 Create web/a/Dup.ts and web/b/Dup.ts');
  const resolved = findPaths('Wire the preview into `Section.tsx`', index);
  assert.deepEqual(resolved.owns, ['src/features/gen/components/Section.tsx']);
  assert.match(resolved.notes[0]!, /`Section\.tsx` is read as `src\/features\/gen\/components\/Section\.tsx`/);

  const ambiguous = findPaths('Fix Dup.ts', index);
  assert.deepEqual(ambiguous.owns, []);
  assert.match(ambiguous.notes[0]!, /`Dup\.ts` could be `web\/a\/Dup\.ts` or `web\/b\/Dup\.ts`; neither is in owns/);

  assert.deepEqual(findPaths('Check global.json and README.md', index), { owns: [], notes: [] });
  // Named both ways in one task: owned once, no note needed.
  assert.deepEqual(findPaths('Edit src/features/gen/components/Section.tsx (Section.tsx)', index), { owns: ['src/features/gen/components/Section.tsx'], notes: [] });
});
