import { extractSpec } from './extract.js';
import type { ParsedFile, Problem } from './parse.js';
import { validateFrontmatter } from './schema.js';
import { branchNameProblem } from './refname.js';
import { DEFAULT_REQUIRED_SECTIONS, type ProjectConfig } from './types.js';
import { excerpt, listed } from '../util/text.js';

export const PROJECT_FILE = 'PROJECT.md';

export function defaultProject(): ProjectConfig {
  return {
    baseBranch: 'main',
    maxParallel: 4,
    branchPrefix: 'specdag/',
    requiredSections: [...DEFAULT_REQUIRED_SECTIONS],
    agents: {},
    retries: 0,
    outsideOwns: 'warn',
    body: '',
  };
}

/**
 * PROJECT.md → settings. Every problem (YAML or schema) is returned for the
 * `project-config` rule; the settings fall back to defaults key by key, so
 * one bad key does not change how the rest of the folder is linted.
 */
export function readProject(parsed: ParsedFile, file: string): { config: ProjectConfig; problems: Problem[] } {
  const config = defaultProject();
  config.file = file;
  const problems: Problem[] = [...parsed.yamlErrors];
  if (parsed.scan.kind === 'unterminated') {
    problems.push({ message: "PROJECT.md opens a frontmatter block with '---' on line 1 but never closes it; add a closing '---' line", span: parsed.fence });
  }
  if (parsed.scan.kind === 'misplaced') {
    const at = parsed.lines.span(parsed.scan.fenceStart, parsed.scan.fenceStart + 3);
    problems.push({ message: `the '---' block on line ${at.line} is not frontmatter: it must start on line 1, with nothing before it; its settings are ignored`, span: at });
  }
  const bodyStart = parsed.scan.kind === 'block' ? parsed.scan.block.end : 0;
  config.body = parsed.text.slice(bodyStart).trim();
  if (parsed.scan.kind !== 'block' || parsed.yamlErrors.length > 0) return { config, problems };

  const schemaProblems = validateFrontmatter(parsed, 'project');
  problems.push(...schemaProblems);
  const bad = new Set(schemaProblems.map((p) => p.span.start));
  const fields = extractSpec(parsed, { file, path: file, stem: 'PROJECT' }).fields;
  const data = (parsed.data ?? {}) as Record<string, unknown>;
  const ok = (key: string) => key in data && !(fields[key] && (bad.has(fields[key].valueSpan.start) || bad.has(fields[key].keySpan.start)));
  if (ok('project')) config.project = data.project as string;
  if (ok('base_branch')) {
    const reason = branchNameProblem(data.base_branch as string);
    if (reason) problems.push({ message: `base_branch '${excerpt(data.base_branch as string)}' is not a branch name git accepts: ${reason}`, span: fields.base_branch!.valueSpan });
    else config.baseBranch = data.base_branch as string;
  }
  if (ok('max_parallel')) config.maxParallel = data.max_parallel as number;
  if (ok('worktree_dir')) config.worktreeDir = data.worktree_dir as string;
  if (ok('branch_prefix')) {
    const prefix = data.branch_prefix as string;
    // Checked on the target branch's name: an id adds only letters, digits and '-', which cannot make a name git refuses.
    const reason = branchNameProblem(`${prefix}integration`);
    if (reason) {
      problems.push({
        message: `branch_prefix '${excerpt(prefix)}' makes branch names git refuses ('${excerpt(`${prefix}integration`)}': ${reason}); use names joined by '/', such as 'specdag/'`,
        span: fields.branch_prefix!.valueSpan,
      });
    } else config.branchPrefix = prefix;
  }
  if (ok('required_sections')) config.requiredSections = data.required_sections as string[];
  if (ok('setup')) config.setup = data.setup as string;
  if (ok('verify')) config.verify = data.verify as string;
  if (ok('retries')) config.retries = data.retries as number;
  if (ok('outside_owns')) config.outsideOwns = data.outside_owns as 'warn' | 'fail';
  if (ok('agents') && data.agents && typeof data.agents === 'object') config.agents = { ...(data.agents as Record<string, string>) };
  if (ok('default_agent')) {
    const name = data.default_agent as string;
    if (Object.hasOwn(config.agents, name)) config.defaultAgent = name;
    else {
      const agents = Object.keys(config.agents).sort();
      problems.push({
        message: `default_agent '${excerpt(name)}' is not one of the agents defined here (${agents.length ? listed(agents.map((a) => excerpt(a)), 8) : 'none'}); add it under 'agents:'`,
        span: fields.default_agent!.valueSpan,
      });
    }
  } else if (!('default_agent' in data)) {
    const names = Object.keys(config.agents);
    if (names.length === 1) config.defaultAgent = names[0];
  }
  return { config, problems };
}
