// Regenerates the generated parts of README.md (the rule table) from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { rules, severityOf } from '../src/lint/registry.js';
import { rulesTable, withRulesTable } from '../src/report/rules-table.js';

const path = new URL('../README.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const next = withRulesTable(text, rulesTable(rules, severityOf));
if (next === undefined) {
  console.error('README.md has no <!-- rules:start --> / <!-- rules:end --> markers');
  process.exit(1);
}
if (next !== text) writeFileSync(path, next);
console.log(next === text ? 'README.md is up to date' : 'README.md rule table updated');
