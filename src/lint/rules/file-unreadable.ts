import { defineRule } from '../types.js';

export default defineRule({
  id: 'file-unreadable',
  scope: 'unreadable',
  summary: 'a spec file (or its body) that cannot be read: binary, invalid UTF-8, past the size, line or nesting limits, not a regular file, a symlink loop or to nothing, a link to a folder outside the spec folder, no permission',
  help: 'specdag reads every *.md file in the spec folder as UTF-8 text of at most 1 MiB and 100,000 lines, whose Markdown nests at most 32 levels; it reads no FIFO or device and follows no link to a folder outside the spec folder. Fix or remove the file, or rename it with a leading _ to keep it out of the folder.',
  check({ error, report }) {
    report({ at: error.at, message: error.message });
  },
});
