import { defineRule } from '../types.js';

export default defineRule({
  id: 'project-config',
  scope: 'project',
  summary: '`PROJECT.md` frontmatter that does not match its schema',
  help: 'PROJECT.md holds project-wide settings (base_branch, max_parallel, worktree_dir, branch_prefix, required_sections, default_agent, agents) and must match schemas/project.schema.json.',
  check({ projectProblems, report }) {
    for (const p of projectProblems) report({ file: p.file, at: p.at, message: p.message });
  },
});
