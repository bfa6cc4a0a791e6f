import { isAlias, isMap, isPair, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { nodeSpan, type ParsedFile } from './parse.js';
import { usableGlob } from './schema.js';
import { PHASES, STATUSES, type Field, type Item, type Phase, type Span, type Spec, type Status } from './types.js';

type ListProp = 'dependsOn' | 'owns' | 'reads' | 'provides' | 'consumes' | 'tags';
const LIST_KEYS: Record<string, ListProp> = {
  depends_on: 'dependsOn',
  owns: 'owns',
  reads: 'reads',
  provides: 'provides',
  consumes: 'consumes',
  tags: 'tags',
};

export interface FileRef {
  file: string;
  path: string;
  stem: string;
}

/**
 * Reads the task fields out of the positioned frontmatter. Tolerant: values
 * of the wrong type are left out here (the `schema` rule reports them), so a
 * half-broken spec still takes part in the graph with what it does say.
 */
export function extractSpec(parsed: ParsedFile, ref: FileRef): Spec {
  const spec = emptySpec(ref, parsed.fence, parsed.doc !== null && parsed.yamlErrors.length === 0);
  const root = parsed.doc?.contents;
  if (!spec.parsed || !isMap(root)) return spec;
  for (const pair of root.items) {
    // An alias is the value it stands for (`id: *me`); it is reported where it is written.
    const key = parsed.resolve(pair.key as YamlNode | null);
    if (!isScalar(key) || typeof key.value !== 'string') continue;
    const keySpan = nodeSpan(parsed, pair.key as YamlNode);
    if (!keySpan) continue;
    const written = pair.value as YamlNode | null;
    const value = parsed.resolve(written);
    const valueSpan = (isAlias(written) ? nodeSpan(parsed, written) : (collectionSpan(parsed, value) ?? nodeSpan(parsed, value))) ?? keySpan;
    const field: Field = { key: key.value, keySpan, valueSpan };
    if (isSeq(value)) field.listStyle = value.flow ? 'flow' : 'block';
    spec.fields[key.value] = field;
    switch (key.value) {
      case 'id':
      case 'title':
      case 'estimate':
      case 'agent':
      case 'verify': {
        const item = scalarItem(parsed, written);
        if (item) spec[key.value] = item;
        break;
      }
      case 'phase': {
        const item = scalarItem(parsed, written);
        if (item && (PHASES as readonly string[]).includes(item.value)) spec.phase = item.value as Phase;
        break;
      }
      case 'allow_empty':
        spec.allowEmpty = isScalar(value) && value.value === true;
        break;
      case 'status': {
        const item = scalarItem(parsed, written);
        if (item && (STATUSES as readonly string[]).includes(item.value)) spec.status = item.value as Status;
        break;
      }
      default:
        if (Object.hasOwn(LIST_KEYS, key.value) && isSeq(value)) {
          const list: Item[] = spec[LIST_KEYS[key.value]!];
          const globs = key.value === 'owns' || key.value === 'reads';
          for (const node of value.items) {
            const item = scalarItem(parsed, node as YamlNode);
            if (item && (!globs || usableGlob(item.value))) list.push(item);
          }
        }
    }
  }
  return spec;
}

/** A spec with every field at its default: the start of extraction, and all there is of an unreadable file. */
export function emptySpec(ref: FileRef, fence: Span, parsed = false): Spec {
  return { ...ref, parsed, phase: 'parallel', status: 'ready', allowEmpty: false, dependsOn: [], owns: [], reads: [], provides: [], consumes: [], tags: [], fields: {}, fence };
}

/** A string value, through an alias if need be, at the place it is written. */
function scalarItem(parsed: ParsedFile, node: YamlNode | null | undefined): Item | undefined {
  const value = parsed.resolve(node);
  if (!isScalar(value) || typeof value.value !== 'string') return undefined;
  const span = nodeSpan(parsed, node);
  return span ? { value: value.value, span } : undefined;
}

/** A block collection's own range runs on to the next key; end it at its last item instead. */
function collectionSpan(parsed: ParsedFile, node: YamlNode | null | undefined) {
  if (!(isSeq(node) || isMap(node)) || node.flow || node.items.length === 0 || !node.range) return undefined;
  const last = node.items[node.items.length - 1];
  const lastNode = (isPair(last) ? (last.value ?? last.key) : last) as YamlNode | null | undefined;
  const end = lastNode?.range?.[1];
  return end === undefined ? undefined : parsed.lines.span(parsed.yamlOffset + node.range[0], parsed.yamlOffset + end);
}
