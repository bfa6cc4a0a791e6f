/**
 * Opt-in timing by phase (SPECDAG_PROFILE=1), for the benchmark: one line on
 * stderr at exit, `specdag-profile {"phases":{...},"maxRssKiB":n}`.
 */
export class Profile {
  readonly phases: Record<string, number> = {};

  constructor(readonly enabled: boolean) {}

  time<T>(phase: string, fn: () => T): T {
    if (!this.enabled) return fn();
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.phases[phase] = (this.phases[phase] ?? 0) + performance.now() - t0;
    }
  }

  add(phase: string, ms: number): void {
    this.phases[phase] = (this.phases[phase] ?? 0) + ms;
  }

  line(): string {
    const phases = Object.fromEntries(Object.entries(this.phases).map(([k, v]) => [k, Math.round(v * 10) / 10]));
    return `specdag-profile ${JSON.stringify({ phases, maxRssKiB: process.resourceUsage().maxRSS })}\n`;
  }
}

export const noProfile = new Profile(false);

/** Which benchmark phase a rule's time counts towards. */
export function phaseOfRule(ruleId: string): string {
  if (ruleId === 'schema') return 'schema';
  if (ruleId.startsWith('section-') || ruleId === 'acceptance-criteria-empty' || ruleId === 'broken-link') return 'body';
  if (ruleId === 'ownership-conflict' || ruleId === 'read-write-race') return 'ownership';
  if (ruleId === 'project-config' || ruleId === 'duplicate-id') return 'graph';
  return ruleId.startsWith('frontmatter-') || ruleId === 'id-filename-mismatch' || ruleId === 'file-unreadable' ? 'parse' : 'graph';
}
