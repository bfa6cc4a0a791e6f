// The floor: the least any tool must do to know a spec folder's dependency
// graph. Reads every .md file under DIR, parses the frontmatter (between the
// first two `---` lines) with `yaml`, collects id and depends_on, and sorts
// the ids topologically (Kahn). Prints how many specs it read and sorted.
//
//   node bench/floor.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

function walk(dir, out) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.name.endsWith('.md')) out.push(path);
  }
  return out;
}

const deps = new Map();
for (const path of walk(process.argv[2], [])) {
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith('---\n')) continue;
  const end = text.indexOf('\n---\n', 3);
  if (end === -1) continue;
  const data = parse(text.slice(4, end + 1));
  if (data && typeof data.id === 'string') deps.set(data.id, Array.isArray(data.depends_on) ? data.depends_on : []);
}

const remaining = new Map();
const dependents = new Map();
for (const [id, list] of deps) {
  const known = list.filter((d) => deps.has(d));
  remaining.set(id, known.length);
  for (const d of known) {
    if (!dependents.has(d)) dependents.set(d, []);
    dependents.get(d).push(id);
  }
}
const ready = [...deps.keys()].filter((id) => remaining.get(id) === 0);
const order = [];
while (ready.length > 0) {
  const id = ready.pop();
  order.push(id);
  for (const next of dependents.get(id) ?? []) {
    remaining.set(next, remaining.get(next) - 1);
    if (remaining.get(next) === 0) ready.push(next);
  }
}
process.stdout.write(`${deps.size} specs, ${order.length} sorted\n`);
