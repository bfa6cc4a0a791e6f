// `id` and `owns` read straight off a spec's frontmatter for the common,
// plain shapes, so the hook need not load a YAML parser (the largest part of
// its start-up). Whatever it cannot read with certainty (aliases, anchors or
// tags on these values, merge keys, quoted text spanning lines, flow
// collections beyond a one-line list of plain globs, a key twice, tabs...)
// gives undefined, and the caller asks the real parser. A test holds both to
// the same answer on every frontmatter it can read.

export interface OwnsAndId {
  id?: string;
  /** As the parser gives it; a missing or empty `owns:` is []. */
  owns: unknown[];
}

const KEY_LINE = /^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$/;
const ITEM_LINE = /^( *)-(?:[ \t]+(.*?))?[ \t]*$/;
const BLANK = /^[ \t]*(?:#.*)?$/;
/** Plain scalars that YAML reads as something other than a string (1.2 core schema, and 1.1 booleans to be safe). */
const NOT_A_STRING =
  /^(?:[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$/;

export function readOwnsFast(yaml: string): OwnsAndId | undefined {
  // A lone CR is no line break to every YAML reader alike: leave it to the parser.
  if (/\r(?!\n)/.test(yaml)) return undefined;
  const lines = yaml.split(/\r?\n/);
  let id: string | undefined;
  let owns: unknown[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (BLANK.test(line)) continue;
    if (line.startsWith('\t')) return undefined;
    // Part of the previous key's value; only owns' own lines matter, and those are read below.
    if (line.startsWith(' ')) continue;
    const m = KEY_LINE.exec(line);
    if (!m) return undefined;
    const key = m[1]!;
    if (key === '<<' || seen.has(key)) return undefined;
    seen.add(key);
    const value = withoutComment(m[2] ?? '');
    if (value === undefined) return undefined;
    // A quoted value must close on its own line: otherwise the lines after it are text, not keys.
    if (/^["']/.test(value) && scalar(value) === undefined) return undefined;
    if (key === 'id' && value !== '') {
      id = scalar(value);
      if (id === undefined) return undefined;
    }
    if (key !== 'owns') {
      // Another key's value only has to be one the parser surely takes, so that this is YAML at all.
      if (!(value === '' || /^[|>][-+1-9]?[-+]?$/.test(value) || NOT_A_STRING.test(value) || scalar(value) !== undefined || (value.startsWith('[') && flowItems(value) !== undefined))) {
        return undefined;
      }
    } else {
      let j = i + 1;
      while (j < lines.length && BLANK.test(lines[j]!)) j++;
      const indented = j < lines.length && /^[ \t]/.test(lines[j]!);
      if (value === '') {
        const items = blockItems(lines, i + 1);
        if (items === undefined) return undefined;
        owns = items.values;
        i = items.end - 1;
      } else if (value.startsWith('[') && !indented) {
        const items = flowItems(value);
        if (items === undefined) return undefined;
        owns = items;
      } else {
        return undefined;
      }
    }
  }
  return { ...(id !== undefined ? { id } : {}), owns };
}

/** `- item` lines from `start`, all at one indentation; `end` is the first line after them. */
function blockItems(lines: string[], start: number): { values: unknown[]; end: number } | undefined {
  const values: unknown[] = [];
  let indent: number | undefined;
  let j = start;
  for (; j < lines.length; j++) {
    const next = lines[j]!;
    if (BLANK.test(next)) continue;
    const item = ITEM_LINE.exec(next);
    if (!item) {
      if (/^[ \t]/.test(next)) return undefined;
      break;
    }
    if (indent !== undefined && item[1]!.length !== indent) return undefined;
    indent = item[1]!.length;
    const text = withoutComment(item[2] ?? '');
    if (text === undefined || text === '') return undefined;
    const v = scalar(text);
    if (v === undefined) return undefined;
    values.push(v);
  }
  return { values, end: j };
}

/** `[a, b]` on one line, of plain or simply quoted globs without commas or brackets. */
function flowItems(value: string): unknown[] | undefined {
  if (!value.endsWith(']')) return undefined;
  const inner = value.slice(1, -1).trim();
  if (/[[\]{}#"'?:]/.test(inner)) return undefined;
  if (inner === '') return [];
  const parts = inner.split(',').map((s) => s.trim());
  if (parts.at(-1) === '') parts.pop();
  const values: unknown[] = [];
  for (const p of parts) {
    const v = p === '' ? undefined : scalar(p);
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values;
}

/** The value without a trailing comment; undefined when the quoting makes that uncertain. */
function withoutComment(value: string): string | undefined {
  if (/^["']/.test(value)) {
    const end = value.indexOf(value[0]!, 1);
    if (end === -1) return value; // scalar() refuses it
    return /^[ \t]*(?:#.*)?$/.test(value.slice(end + 1)) ? value.slice(0, end + 1) : undefined;
  }
  const hash = value.search(/[ \t]#/);
  return (hash === -1 ? value : value.slice(0, hash)).trimEnd();
}

/** A string scalar in its plain or simply quoted form; undefined for anything else. */
function scalar(text: string): string | undefined {
  if (text.startsWith('"')) {
    const inner = text.slice(1, -1);
    return text.length >= 2 && text.endsWith('"') && !/["\\]/.test(inner) ? inner : undefined;
  }
  if (text.startsWith("'")) {
    const inner = text.slice(1, -1);
    return text.length >= 2 && text.endsWith("'") && !inner.includes("'") ? inner : undefined;
  }
  // Indicators that change what a plain scalar is (an alias, a tag, a block scalar...), and `: ` inside one.
  if (text === '' || /^[-?:,[\]{}#&*!|>'"%@`]/.test(text) || /:(?:[ \t]|$)|[ \t]#/.test(text)) return undefined;
  if (NOT_A_STRING.test(text)) return undefined;
  return text;
}
