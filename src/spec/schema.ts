import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { globLimitProblem } from '../graph/globs/limits.js';
import { didYouMean } from '../util/closest.js';
import { excerpt } from '../util/text.js';
import { nodeSpan, type ParsedFile, type Problem } from './parse.js';
import * as validators from './validators.generated.js';

import projectSchemaJson from '../../schemas/project.schema.json' with { type: 'json' };
import specSchemaJson from '../../schemas/spec.schema.json' with { type: 'json' };

/** The schemas live in `schemas/` for editors and other tools; the bundle carries a copy. */
export const specSchema = specSchemaJson as SchemaJson;
export const projectSchema = projectSchemaJson as SchemaJson;

interface SchemaJson {
  properties: Record<string, unknown>;
}

const PATH_PATTERN = new RegExp((specSchemaJson as { definitions: { paths: { items: { pattern: string } } } }).definitions.paths.items.pattern, 'u');

/**
 * A glob the ownership rules can use: what the schema allows in owns and
 * reads (relative, no '..' segment, not empty) and within GLOB_LIMITS. The
 * others are schema errors and take no part in the graph: an empty or
 * escaping glob would otherwise conflict with everything.
 */
export function usableGlob(glob: string): boolean {
  return glob !== '' && PATH_PATTERN.test(glob) && globLimitProblem(glob) === undefined;
}

export type SchemaKind = 'spec' | 'project';

/** Validates a parsed frontmatter; each problem points at the offending key or value. */
export function validateFrontmatter(file: ParsedFile, kind: SchemaKind): Problem[] {
  // Compiled ahead of time by scripts/validators.mjs (ajv standalone), with these same schemas.
  const validate = validators[kind];
  const data = file.data ?? {};
  const schema = kind === 'spec' ? specSchema : projectSchema;
  const problems: Problem[] = [];
  const seen = new Set<string>();
  const add = (problem: Problem | undefined) => {
    if (!problem) return;
    const key = `${problem.span.start}:${problem.message}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push(problem);
  };
  if (!validate(data)) for (const error of validate.errors ?? []) add(toProblem(file, error, Object.keys(schema.properties)));
  if (kind === 'spec') for (const p of globProblems(file, problems)) add(p);
  return problems;
}

/** The glob limits (GLOB_LIMITS), for the globs the schema itself let through. */
function globProblems(file: ParsedFile, already: Problem[]): Problem[] {
  const data = file.data as Record<string, unknown> | null | undefined;
  if (!data || typeof data !== 'object') return [];
  const flagged = new Set(already.map((p) => p.span.start));
  const out: Problem[] = [];
  for (const key of ['owns', 'reads']) {
    const list = data[key];
    if (!Array.isArray(list)) continue;
    list.forEach((glob, i) => {
      if (typeof glob !== 'string') return;
      const message = globLimitProblem(glob);
      if (!message) return;
      const span = nodeSpan(file, nodeAtPath(file, [key, i])) ?? file.fence;
      if (!flagged.has(span.start)) out.push({ message: `${message} (in ${key})`, span });
    });
  }
  return out;
}

/** The node at a data path, through aliases on the way (the last one is kept: a finding points where the value is written). */
function nodeAtPath(file: ParsedFile, path: (string | number)[]): YamlNode | undefined {
  let node = (file.doc?.contents ?? undefined) as YamlNode | undefined;
  for (const step of path) {
    const here = file.resolve(node);
    if (isMap(here)) {
      const pair = here.items.find((p) => {
        const key = file.resolve(p.key as YamlNode);
        return isScalar(key) && String(key.value) === String(step);
      });
      node = (pair?.value ?? undefined) as YamlNode | undefined;
    } else if (isSeq(here) && typeof step === 'number') node = here.items[step] as YamlNode | undefined;
    else return undefined;
  }
  return node;
}

const RESERVED_ID = '#/allOf/0/then';

function toProblem(file: ParsedFile, error: ErrorObject, knownKeys: string[]): Problem | undefined {
  const path = pointer(error.instancePath);
  const field = path.length > 0 ? String(path[0]) : 'frontmatter';
  const nodeAt = (p: (string | number)[]) => nodeAtPath(file, p);
  const at = (node: YamlNode | null | undefined) => nodeSpan(file, node) ?? file.fence;
  const value = valueAt(file.data, path);

  if (error.schemaPath.startsWith(RESERVED_ID)) {
    if (error.keyword === 'required' || path[0] === 'phase') {
      return {
        message: `id 'integration' is reserved: the target branch is <branch_prefix>integration, so only a foundation or integration task may have it; rename the task or set its phase`,
        span: at(nodeAt(['id'])),
      };
    }
    return undefined;
  }
  switch (error.keyword) {
    case 'if':
      return undefined;
    case 'required': {
      const missing = String(error.params.missingProperty);
      return { message: `missing required key '${missing}'${missing === 'id' ? ': add `id: <the file name without .md>`' : ''}`, span: path.length === 0 ? file.fence : at(nodeAt(path)) };
    }
    case 'additionalProperties':
    case 'propertyNames': {
      const name = String(error.keyword === 'additionalProperties' ? error.params.additionalProperty : error.params.propertyName);
      const container = file.resolve(nodeAt(path));
      const keyNode = isMap(container) ? container.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === name)?.key : undefined;
      if (error.keyword === 'propertyNames') {
        return { message: `'${excerpt(name)}' is not a valid name under ${field}: use letters, digits, '_', '.' and '-'`, span: at(keyNode as YamlNode) };
      }
      const hint = path.length === 0 ? didYouMean(name.replace(/-/g, '_'), knownKeys) || didYouMean(name, knownKeys) : '';
      return { message: `unknown key '${excerpt(name)}'${hint}${path.length === 0 ? " (keys starting with 'x-' are free for your own use)" : ''}`, span: at(keyNode as YamlNode) };
    }
    case 'type':
      return { message: `${label(path)} must be ${article(String(error.params.type))}, not ${describe(value)}`, span: at(nodeAt(path)) };
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map(String);
      return {
        message: `${label(path)} is ${describe(value)}; expected one of ${allowed.join(', ')}${typeof value === 'string' ? didYouMean(value, allowed) : ''}`,
        span: at(nodeAt(path)),
      };
    }
    case 'pattern':
      return { message: patternMessage(field, path, value, String(error.params.pattern)), span: at(nodeAt(path)) };
    case 'uniqueItems': {
      const later = Math.max(Number(error.params.i), Number(error.params.j));
      const dup = [...path, later];
      return { message: `${describe(valueAt(file.data, dup))} appears twice in ${field}`, span: at(nodeAt(dup)) };
    }
    case 'minLength':
      return { message: `${label(path)} must not be empty`, span: at(nodeAt(path)) };
    case 'minimum':
    case 'maximum':
      return { message: `${label(path)} is ${describe(value)}; it must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(error.params.limit)}`, span: at(nodeAt(path)) };
    default:
      return { message: `${label(path)} ${error.message ?? 'is invalid'}`, span: at(nodeAt(path)) };
  }
}

function patternMessage(field: string, path: (string | number)[], value: unknown, pattern: string): string {
  const v = describe(value);
  switch (field) {
    case 'id':
    case 'depends_on':
      return `${v} is not a valid task id: use lowercase letters, digits and '-', start with a letter or digit, at most 64 characters (it becomes a branch and a folder name)`;
    case 'owns':
    case 'reads':
      return `${v} in ${field} must be a path relative to the repository root: no leading '/', no drive letter, no '..' segment`;
    case 'provides':
    case 'consumes':
      return `${v} in ${field} is not a valid interface name: start with a letter or '_', then letters, digits, '_', '.', ':' or '-'`;
    case 'estimate':
      return `estimate ${v} must be a number and a unit: 15m, 2h, 1.5h, 1d (8h) or 1w (5d)`;
    case 'title': {
      const control = typeof value === 'string' ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.exec(value) : null;
      return control ? `title holds a control character (${codePoint(control[0])}); write it as plain text` : 'title must not be blank';
    }
    case 'verify':
    case 'setup':
    case 'worktree_dir':
      if (typeof value === 'string' && value.includes('\u0000')) return `${field} holds a NUL character, which no ${field === 'worktree_dir' ? 'path' : 'command'} can`;
      return `${field} must not be blank`;
    case 'agent':
    case 'default_agent':
      return `${field} ${v} is not a valid agent name: use letters, digits, '_', '.' and '-'`;
    case 'branch_prefix':
      return `branch_prefix ${v} may only hold letters, digits, '.', '_', '-' and '/'`;
    case 'agents':
      return `the command for agent '${excerpt(String(path[1]))}' ${typeof value === 'string' && value.includes('\u0000') ? 'holds a NUL character, which no command can' : 'must not be blank'}`;
    default:
      return `${label(path)} is ${v}, which does not match ${pattern}`;
  }
}

/** `U+001B`: how a message names an invisible character. */
function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function pointer(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v: unknown = data;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

function label(path: (string | number)[]): string {
  if (path.length === 0) return 'the frontmatter';
  const [head, ...rest] = path;
  return rest.length === 0 ? String(head) : `${String(head)}${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${excerpt(p)}`)).join('')}`;
}

function article(type: string): string {
  const names: Record<string, string> = { array: 'a list', object: 'a mapping', string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false' };
  return names[type] ?? type;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `'${excerpt(value)}'`;
  return `${typeof value} ${String(value)}`;
}
