import { findRepoRoot } from '../io/repo.js';
import { formatPlan, type PlanFormat } from '../plan/format/index.js';
import { buildPlan } from '../plan/plan.js';
import { useColor } from '../report/color.js';
import type { Io } from '../io/io.js';
import { checkedSpecs } from '../lint/service.js';

export interface PlanOptions {
  dir: string;
  format: PlanFormat;
}

/** Lints (refusing on errors), plans, prints. */
export async function runPlan(opts: PlanOptions, io: Io): Promise<number> {
  const result = await checkedSpecs(opts.dir, io);
  const plan = buildPlan(result, { repoRoot: findRepoRoot(io.cwd) ?? io.cwd, cwd: io.cwd });
  io.stdout.write(formatPlan(plan, opts.format, { color: useColor(io.stdout, io.env) }));
  return 0;
}
