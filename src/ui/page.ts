import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { formatMinutes } from '../plan/estimate.js';
import type { RunPlan } from '../plan/types.js';
import type { Layout } from './layout.js';
import type { RunSummary } from './state.js';
import { escapeXml, renderGraphSvg } from './svg.js';

export type PageMode = 'static' | 'live';

export interface PageInput {
  plan: RunPlan;
  layout: Layout;
  mode: PageMode;
  /** Each task's `data-status` as the page first shows it. */
  statusOf: (id: string) => string;
  /** The static file carries every spec's text; the live page asks the server for it. */
  specs?: Record<string, string>;
  /** The live page's run when it was made (the script applies it at once, then follows the server). */
  state?: RunSummary | null;
}

export interface Page {
  html: string;
  /** The Content-Security-Policy the page runs under: its own script and style, nothing from another host. */
  csp: string;
}

const assets = new Map<string, string>();

/**
 * The page's script and stylesheet, kept as files in src/ui/assets/ so they
 * read (and lint) as what they are. The path is the same seen from src/ui/
 * and from the bundle in dist/, like the interview prompts.
 */
function asset(name: string): string {
  let text = assets.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`../../src/ui/assets/${name}`, import.meta.url), 'utf8');
    assets.set(name, text);
  }
  return text;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** JSON that cannot end the `<script>` element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const LIVE_STATES = ['pending', 'running', 'done', 'merged', 'failed', 'conflict', 'skipped', 'interrupted'];

/**
 * One HTML document: the graph as inline SVG, its data, and the script and
 * style inline. Pure. The specs' text (most of a large plan's bytes) comes
 * after the script, so the graph is drawn before the parser reaches it.
 */
export function renderPage(input: PageInput): Page {
  const { plan, layout, mode } = input;
  const script = asset('page.js');
  const style = asset('page.css');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    'img-src data:',
    mode === 'live' ? "connect-src 'self'" : '',
    "base-uri 'none'",
    "form-action 'none'",
  ]
    .filter(Boolean)
    .join('; ');
  const critical = new Set(plan.criticalPath.tasks);
  const boxes = new Map(layout.nodes.map((n) => [n.id, n]));
  const r = (n: number) => Math.round(n);
  const data = {
    mode,
    project: plan.project,
    tasks: plan.tasks.map((t) => {
      const n = boxes.get(t.id)!;
      return {
        id: t.id,
        title: t.title,
        phase: t.phase,
        wave: t.wave,
        estimate: t.estimateMinutes,
        critical: critical.has(t.id),
        planned: t.status === 'done' ? 'done' : 'planned',
        branch: t.branch,
        worktree: t.worktree,
        file: t.file,
        ...(t.agent !== undefined ? { agent: t.agent } : {}),
        owns: t.owns,
        box: [r(n.x), r(n.y), n.width, n.height],
      };
    }),
    bands: layout.bands.map((b) => ({ phase: b.phase, x: r(b.x), width: r(b.width) })),
    columns: layout.columns.map((c) => ({ label: c.label, x: r(c.x), width: r(c.width) })),
    ...(mode === 'live' ? { state: input.state ?? null } : {}),
  };

  const name = plan.project ?? 'plan';
  const done = plan.tasks.filter((t) => t.status === 'done').length;
  const summary = [
    `${plan.tasks.length} task${plan.tasks.length === 1 ? '' : 's'}`,
    `${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}`,
    ...(done > 0 ? [`${done} done`] : []),
    `critical path ${formatMinutes(plan.criticalPath.minutes)}`,
    // The live page's header has the run to show; the branches are in the panel.
    ...(mode === 'static' ? [`${plan.baseBranch} → ${plan.targetBranch}`] : []),
  ].join(' · ');
  const legend =
    mode === 'live'
      ? ['planned', ...LIVE_STATES].map((s) => `<span><i class="status-${s}"></i>${s}</span>`).join('')
      : '<span><i></i>planned</span><span><i class="status-spec-done"></i>done (status: done in its spec)</span>';

  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${mode === 'static' ? `<meta http-equiv="Content-Security-Policy" content="${escapeXml(csp)}">\n` : ''}<title>${escapeXml(name)} · specdag ${mode === 'live' ? 'ui' : 'plan'}</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body class="${mode}">
<header id="bar">
<h1>specdag<span class="project">${escapeXml(name)}</span></h1>
<div id="summary">${escapeXml(summary)}</div>
${mode === 'live' ? '<div id="run" aria-live="polite">connecting…</div>\n' : ''}<div class="tools">
<input id="find" type="search" list="task-ids" placeholder="find a task (/)" aria-label="Find a task by id or title" autocomplete="off">
<datalist id="task-ids"></datalist>
<button type="button" id="zoom-out" aria-label="Zoom out" title="Zoom out (-)">−</button>
<button type="button" id="zoom-fit" aria-label="Show the whole graph" title="Whole graph (0)">fit</button>
<button type="button" id="zoom-in" aria-label="Zoom in" title="Zoom in (+)">+</button>
</div>
</header>
<div id="legend">${legend}<span><i class="critical"></i>critical path</span><span class="hint">scroll to zoom · drag to pan · Tab to a task, Enter to read it</span></div>
<main>
<div id="viewport">
<div id="ruler" aria-hidden="true"></div>
${renderGraphSvg(plan, layout, input.statusOf)}
</div>
<aside id="panel" hidden aria-label="The chosen task">
<header><h2 id="panel-id"></h2><button type="button" id="panel-close" aria-label="Close the panel" title="Close (Esc)">×</button></header>
<div id="panel-body"></div>
</aside>
</main>
<script type="application/json" id="specdag-data">${scriptJson(data)}</script>
<script>${script}</script>
${mode === 'static' ? `<script type="application/json" id="specdag-specs">${scriptJson(input.specs ?? {})}</script>\n` : ''}</body>
</html>
`;
  return { html, csp };
}
