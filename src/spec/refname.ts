/**
 * Why git would refuse a branch name, after `git check-ref-format --branch`;
 * undefined when it would take it. specdag makes branch names from
 * PROJECT.md's `branch_prefix` (and reads `base_branch`), and a name git
 * refuses must be a lint error, not a crash halfway through a run.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.startsWith('-')) return "it starts with '-', which git would read as an option";
  if (name.startsWith('/')) return "it starts with '/'";
  if (name.endsWith('/')) return "it ends with '/'";
  if (name.includes('//')) return "it has '//' (an empty folder)";
  if (name.includes('..')) return "it has '..'";
  if (name.includes('@{')) return "it has '@{'";
  if (name.endsWith('.')) return "it ends with '.'";
  const bad = /[\u0000-\u0020\u007f~^:?*[\\]/.exec(name);
  if (bad) return `it has ${/[\u0000-\u0020\u007f]/.test(bad[0]) ? `a space or control character (U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})` : `'${bad[0]}'`}`;
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `its part '${part}' starts with '.'`;
    if (part.endsWith('.lock')) return `its part '${part}' ends with '.lock'`;
  }
  return undefined;
}
