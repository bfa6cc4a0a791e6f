import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rules, severities, severityOf } from '../../src/lint/registry.js';
import { rulesTable, withRulesTable } from '../../src/report/rules-table.js';
import { ROOT } from '../helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

test('the README rule table matches the rule registry (run `npm run docs` when this fails)', () => {
  const expected = withRulesTable(readme, rulesTable(rules, severityOf));
  assert.ok(expected !== undefined, 'README.md lacks the rules markers');
  assert.equal(readme, expected);
});

const contractPath = join(ROOT, '..', 'shared', 'design', 'SPEC-FORMAT.md');

test('every rule of the contract is in the registry with the contract severity', { skip: !existsSync(contractPath) && 'the contract (../shared/design) is not beside this checkout' }, () => {
  const contract = readFileSync(contractPath, 'utf8');
  const rows = [...contract.matchAll(/^\| `([a-z-]+)` \| (error|warning) \|/gm)];
  assert.ok(rows.length >= 20, 'could not read the rule table of SPEC-FORMAT.md');
  for (const [, id, severity] of rows) {
    assert.ok(rules.some((r) => r.id === id), `rule '${id}' is missing from the registry`);
    assert.equal(severities[id!], severity, `severity of '${id}'`);
  }
});

test('the README starts with the two commands', () => {
  const lines = readme.split('\n');
  assert.equal(lines[0], '```sh');
  assert.equal(lines[1], 'npm ci && node dist/cli/bin.js lint specs');
  assert.equal(lines[2], 'npm ci && npm test');
});
