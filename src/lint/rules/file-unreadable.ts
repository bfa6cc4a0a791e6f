import { defineRule } from '../types.js';

export default defineRule({
  id: 'file-unreadable',
  scope: 'unreadable',
  summary: 'a spec file that cannot be read as UTF-8 text (binary, invalid UTF-8, too large, a symlink loop, no permission)',
  help: 'specdag reads every *.md file in the spec folder as UTF-8 text of at most 1 MiB. Fix or remove the file, or rename it with a leading _ to keep it out of the folder.',
  check({ error, report }) {
    report({ at: error.at, message: error.message });
  },
});
