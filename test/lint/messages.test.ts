// Messages say what was found and how to fix it, for the rules whose first
// wording left the user guessing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runMain, specText, tempDir, writeTree } from '../helpers.js';

async function messages(files: Record<string, string>, ruleId: string): Promise<string[]> {
  const cwd = writeTree(tempDir(), files);
  const r = await runMain(['lint', 'specs', '--format', 'json'], cwd);
  return (JSON.parse(r.stdout).diagnostics as { ruleId: string; message: string }[]).filter((d) => d.ruleId === ruleId).map((d) => d.message);
}

test('interface-unprovided says where the name belongs, then the closest name', async () => {
  const found = await messages(
    {
      'specs/api.md': specText('api', 'phase: foundation\nowns: [src/api/**]\nprovides: [AuthService]\n'),
      'specs/ui.md': specText('ui', 'depends_on: [api]\nowns: [src/ui/**]\nconsumes: [AuthServce, Billing]\n'),
    },
    'interface-unprovided',
  );
  assert.deepEqual(found, [
    "consumes 'AuthServce', which no task provides; list it under the provides of the task that builds it; did you mean 'AuthService'?",
    "consumes 'Billing', which no task provides; list it under the provides of the task that builds it",
  ]);
});
