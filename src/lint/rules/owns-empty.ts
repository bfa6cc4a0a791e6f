import { ID_PATTERN } from '../../spec/template.js';
import { defineRule } from '../types.js';

export default defineRule({
  id: 'owns-empty',
  scope: 'file',
  summary: 'a task that owns nothing: nothing keeps it apart from concurrent tasks, and `run` cannot hold it to its paths (version 2)',
  help: 'owns lists the paths and globs a task may create or change. Without it lint cannot tell whether the task collides with the tasks that run beside it, and run cannot report (or, with outside_owns: fail, refuse) the files it changed outside its part. List what the task will change, e.g. owns: [src/auth/**, test/auth/**].',
  check({ parsed, spec, report }) {
    if (!spec.parsed) return;
    const data = parsed.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
    const owns = (data as Record<string, unknown>).owns;
    // A value of the wrong type is the schema rule's to report.
    if (owns !== undefined && !(Array.isArray(owns) && owns.length === 0)) return;
    const field = spec.fields.owns;
    const example = ID_PATTERN.test(spec.stem) ? spec.stem : 'feature';
    report({
      at: field ? field.valueSpan : spec.fence,
      message: `${field ? "'owns' is empty" : "no 'owns'"}: nothing keeps this task apart from the tasks that may run beside it; list the paths it will change, e.g. 'owns: [src/${example}/**]'`,
    });
  },
});
