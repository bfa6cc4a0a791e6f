/** Minutes per unit: a day is 8 working hours, a week 5 such days. */
const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 8 * 60, w: 5 * 8 * 60 };

/** What a task without an estimate counts for (CLI.md). */
export const DEFAULT_ESTIMATE_MINUTES = 60;

const ESTIMATE = /^([0-9]+(?:\.[0-9]+)?)\s*([mhdw])$/;

/**
 * `15m`, `2h`, `1.5h`, `1d`, `1w` → whole minutes (rounded). Undefined for
 * anything else: lint already reports a bad estimate as a `schema` error,
 * so the planner only meets one when called on a folder that has errors.
 */
export function parseEstimate(text: string): number | undefined {
  const m = ESTIMATE.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MINUTES[m[2]!]!);
}

/** Minutes → `45m`, `2h`, `1h30m`: how the human formats show an estimate. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}m`;
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}
