import { specText, writeTree } from '../helpers.js';

/** A title that would run as a script, end the data block, or break an attribute if any value went out unescaped. */
export const EVIL_TITLE = `</script><script>alert('title')</script> & <img src=x onerror=alert(2)> "quoted" 'single'`;

/**
 * A small plan with every case the page draws: a foundation task, parallel
 * tasks (one done, one whose title is hostile), an integration task, the
 * critical path through them.
 */
export function writeDemo(dir: string): string {
  const owns = (id: string) => `owns: [src/${id}/**]\n`;
  writeTree(dir, {
    'specs/PROJECT.md': '---\nproject: demo\nbase_branch: main\n---\n# Demo\n\nShared context.\n',
    'specs/base.md': specText('base', `phase: foundation\n${owns('base')}estimate: 2h\n`),
    'specs/api.md': specText('api', `depends_on: [base]\n${owns('api')}estimate: 8h\n`, '## Goal\nServe the API. <b>not bold</b>\n\n## Acceptance criteria\n- [ ] It answers\n'),
    'specs/web.md': specText('web', `depends_on: [base]\n${owns('web')}estimate: 3h\n`),
    'specs/docs.md': specText('docs', `${owns('docs')}status: done\n`),
    'specs/evil.md': `---\nid: evil\ntitle: ${JSON.stringify(EVIL_TITLE)}\ndepends_on: [web]\n${owns('evil')}---\n\n# Evil\n\n## Goal\nEscape everything.\n\n## Acceptance criteria\n- [ ] <script>alert('body')</script> stays text\n`,
    'specs/integrate.md': specText('integrate', `phase: integration\ndepends_on: [api, evil]\n${owns('app')}`),
  });
  return `${dir}/specs`;
}
