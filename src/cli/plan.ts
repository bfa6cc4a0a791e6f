import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../io/repo.js';
import { formatPlan, type PlanFormat } from '../plan/format/index.js';
import { buildPlan } from '../plan/plan.js';
import { useColor } from '../report/color.js';
import type { Io } from '../io/io.js';
import { checkedSpecs } from '../lint/service.js';

export interface PlanOptions {
  dir: string;
  /** `html` is drawn apart from the text formats: it loads the layout library, and reads the specs' text. */
  format: PlanFormat | 'html';
}

/** Lints (refusing on errors), plans, prints. */
export async function runPlan(opts: PlanOptions, io: Io): Promise<number> {
  const result = await checkedSpecs(opts.dir, io);
  const root = findRepoRoot(io.cwd) ?? io.cwd;
  const plan = buildPlan(result, { repoRoot: root, cwd: io.cwd });
  if (opts.format === 'html') {
    const { formatPlanHtml } = await import('../plan/format/html.js');
    io.stdout.write(formatPlanHtml(plan, Object.fromEntries(plan.tasks.map((t) => [t.id, readFileSync(join(root, t.file), 'utf8')]))));
    return 0;
  }
  io.stdout.write(formatPlan(plan, opts.format, { color: useColor(io.stdout, io.env) }));
  return 0;
}
