import type { RunPlan } from '../types.js';
import { formatPlanDot } from './dot.js';
import { formatPlanJson } from './json.js';
import { formatPlanMarkdown } from './markdown.js';
import { formatPlanMermaid } from './mermaid.js';
import { formatPlanText } from './text.js';

export const PLAN_FORMATS = ['text', 'json', 'markdown', 'mermaid', 'dot'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

/** RunPlan → text in one of `plan`'s formats. Pure. */
export function formatPlan(plan: RunPlan, format: PlanFormat, opts: { color?: boolean } = {}): string {
  switch (format) {
    case 'json':
      return formatPlanJson(plan);
    case 'markdown':
      return formatPlanMarkdown(plan);
    case 'mermaid':
      return formatPlanMermaid(plan);
    case 'dot':
      return formatPlanDot(plan);
    case 'text':
      return formatPlanText(plan, opts);
  }
}
