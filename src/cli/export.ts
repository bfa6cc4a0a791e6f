import { chmodSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { findRepoRoot } from '../io/repo.js';
import { writeFileAtomic } from '../io/write.js';
import { exportPlan, type ExportTarget } from '../export/index.js';
import { buildPlan } from '../plan/plan.js';
import { UsageError } from '../util/errors.js';
import type { Io } from '../io/io.js';
import { checkedSpecs } from '../lint/service.js';

export interface ExportOptions {
  dir: string;
  to: ExportTarget;
  output?: string;
}

/** Lints (refusing on errors), plans, and writes the plan for another engine to stdout or, atomically, to a file. */
export async function runExport(opts: ExportOptions, io: Io): Promise<number> {
  const result = await checkedSpecs(opts.dir, io);
  const repoRoot = findRepoRoot(io.cwd) ?? io.cwd;
  const plan = buildPlan(result, { repoRoot, cwd: io.cwd });
  // The generated file names the spec folder relative to where it will run:
  // the Makefile's folder (make runs there), else the repository root.
  const output = opts.output === undefined ? undefined : resolve(io.cwd, opts.output);
  const base = opts.to === 'makefile' ? (output ? dirname(output) : io.cwd) : repoRoot;
  const specDir = relative(base, resolve(io.cwd, opts.dir)).split(sep).join('/') || '.';
  const text = exportPlan(plan, result, opts.to, { specDir, ...(output !== undefined ? { fileName: basename(output) } : {}) });
  if (output === undefined) {
    io.stdout.write(text);
    return 0;
  }
  try {
    const created = !existsSync(output);
    writeFileAtomic(output, text);
    // A new script is made executable wherever it is readable (an existing file keeps its mode).
    if (created && opts.to === 'sh') {
      const mode = statSync(output).mode & 0o777;
      chmodSync(output, mode | ((mode & 0o444) >> 2));
    }
  } catch (err) {
    throw new UsageError(`cannot write '${opts.output}': ${(err as Error).message}`);
  }
  return 0;
}
