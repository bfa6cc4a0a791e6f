/**
 * File paths named in a task's text, as `owns` globs. Only what looks like a
 * repository path counts: a relative path with a folder and a file name
 * (`src/x.py`), a folder written with its slash (`frontend/`), or inside
 * backticks a deeper folder (`backend/app/services`). A bare file name
 * (`TemplateGenerateSection.tsx`) counts only when the same source names
 * exactly one full path ending in it, and the spec says so in a note.
 * Routes (`/api/users`), URLs, package names and `a/b` word pairs do not.
 */

export interface PathIndex {
  /** File name → the full paths the source names with that file name. */
  byName: Map<string, Set<string>>;
}

export interface FoundPaths {
  owns: string[];
  notes: string[];
}

/** Files commonly named without an extension. */
const NO_EXTENSION = new Set(['Dockerfile', 'Containerfile', 'Makefile', 'GNUmakefile', 'Justfile', 'Procfile', 'Gemfile', 'Rakefile', 'Jenkinsfile', 'Vagrantfile', 'Brewfile', 'LICENSE', 'CODEOWNERS']);

/** First folders that mark a backticked `a/b` without an extension as a folder rather than a package or word pair. */
const ROOTS = new Set(['src', 'lib', 'app', 'apps', 'packages', 'test', 'tests', 'docs', 'backend', 'frontend', 'api', 'web', 'server', 'client', 'cmd', 'internal', 'pkg', 'scripts', 'config', 'public', 'infra', 'components', 'services', 'spec', 'e2e']);

const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|io|dev|rs|ai|app|co|sh|gg|me|so|edu|gov)$/i;
const SEGMENT = /^[\w.@+\-*[\]{}()!]+$/;
const EXTENSION = /[^/]\.[A-Za-z][A-Za-z0-9_-]{0,11}$|^\.[A-Za-z][\w.-]*$/;

export interface Candidate {
  path: string;
  dir: boolean;
  /** No folder in it: a file name to look up in the index. */
  bare: boolean;
}

function hasExtension(segment: string): boolean {
  return EXTENSION.test(segment) || NO_EXTENSION.has(segment);
}

/** A token read as a path (inside backticks when `inCode`), or undefined. */
export function classify(raw: string, inCode: boolean): Candidate | undefined {
  let token = raw.replace(/(?::\d+){1,2}$|#L\d+(?:-L?\d+)?$/, '');
  if (token === '' || /^[a-z][a-z0-9+.-]*:/i.test(token) || /^[/\\~$@]/.test(token) || /[\\\s=&%$`'"<>|,;:]/.test(token)) return undefined;
  const dir = token.endsWith('/');
  token = token.replace(/\/+$/, '');
  const segments = token.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || !SEGMENT.test(s))) return undefined;
  if (segments.length === 1 && !dir) return hasExtension(token) ? { path: token, dir: false, bare: true } : undefined;
  if (DOMAIN.test(segments[0]!)) return undefined;
  if (dir) return { path: token, dir: true, bare: false };
  if (hasExtension(segments[segments.length - 1]!)) return { path: token, dir: false, bare: false };
  if (inCode && (segments.length >= 3 || ROOTS.has(segments[0]!))) return { path: token, dir: true, bare: false };
  return undefined;
}

/** Every token of the text that may be a path, in order: code spans whole, other text word by word. */
function candidates(text: string): Candidate[] {
  const out: Candidate[] = [];
  for (const m of text.replace(/\]\(/g, '] (').matchAll(/`([^`\n]+)`|[^\s`]+/g)) {
    // Sentence punctuation and emphasis come off a word; a folder keeps its slash ("frontend/," → "frontend/").
    const c = m[1] !== undefined ? classify(m[1].trim(), true) : classify(m[0].replace(/^[([{"'*_<]+/, '').replace(/[)\]}"'.,:;!?*_>]+$/, ''), false);
    if (c) out.push(c);
  }
  return out;
}

/** The full file paths a whole source names, by file name, to resolve bare names against. */
export function pathIndex(text: string): PathIndex {
  const byName = new Map<string, Set<string>>();
  for (const c of candidates(text)) {
    if (c.dir || c.bare) continue;
    const name = c.path.slice(c.path.lastIndexOf('/') + 1);
    const set = byName.get(name) ?? new Set<string>();
    set.add(c.path);
    byName.set(name, set);
  }
  return { byName };
}

/** A path as a picomatch glob: a folder owns everything below it; bracket, brace and paren characters are escaped. */
export function toGlob(path: string, dir: boolean): string {
  const escaped = path.replace(/[[\]{}()!?]/g, '\\$&');
  return dir ? `${escaped}/**` : escaped;
}

/** The `owns` globs a task's text names, in order of appearance, and a note for each file name it had to resolve. */
export function findPaths(text: string, index: PathIndex): FoundPaths {
  const owns: string[] = [];
  const notes: string[] = [];
  const found = candidates(text);
  const full = new Set(found.filter((c) => !c.bare).map((c) => c.path));
  const seenBare = new Set<string>();
  for (const c of found) {
    if (!c.bare) {
      owns.push(toGlob(c.path, c.dir));
      continue;
    }
    if (seenBare.has(c.path)) continue;
    seenBare.add(c.path);
    const matches = [...(index.byName.get(c.path) ?? [])].sort();
    if (matches.some((m) => full.has(m))) continue;
    if (matches.length === 1) {
      owns.push(toGlob(matches[0]!, false));
      notes.push(`\`${c.path}\` is read as \`${matches[0]}\`, the only path of that name in the source.`);
    } else if (matches.length > 1) {
      notes.push(`\`${c.path}\` could be ${matches.map((m) => `\`${m}\``).join(' or ')}; neither is in owns.`);
    }
  }
  return { owns: [...new Set(owns)], notes };
}
