import { validateFrontmatter } from '../../spec/schema.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'schema',
  scope: 'file',
  summary: 'a field of the wrong type or shape, a missing required field, an unknown key (at the key)',
  help: 'The frontmatter must match schemas/spec.schema.json: id and title are required, lists are YAML lists, ids and globs have a fixed form, and unknown keys are refused (use an x- prefix for your own).',
  check({ parsed, report }) {
    if (parsed.scan.kind !== 'block' || parsed.yamlErrors.length > 0) return;
    for (const p of validateFrontmatter(parsed, 'spec')) report({ at: p.span, message: p.message });
  },
});
