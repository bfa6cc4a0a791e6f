import type { LintResult } from '../lint/engine.js';
import { formatMinutes } from '../plan/estimate.js';
import { buildPrompt, type ReadText } from '../plan/prompt.js';
import type { RunPlan } from '../plan/types.js';
import { agentCommand } from './agents.js';
import { comment, heredocDelimiter, shQuote } from './quote.js';

/**
 * The functions every exported script shares. Fixed text: nothing from the
 * specs is spliced in here; task data reaches them only as quoted arguments.
 */
const RUNTIME = String.raw`set -u

say() { printf 'specdag: %s\n' "$*"; }

specdag_root=$(git rev-parse --show-toplevel) || { say 'run this script inside the git repository' >&2; exit 2; }
cd "$specdag_root" || exit 2
case $SPECDAG_WORKTREE_DIR in
  /*) specdag_wt=$SPECDAG_WORKTREE_DIR ;;
  *) specdag_wt=$specdag_root/$SPECDAG_WORKTREE_DIR ;;
esac
if ! mkdir -p "$specdag_wt" || ! specdag_wt=$(cd "$specdag_wt" && pwd -P); then
  say "cannot create the worktree folder $specdag_wt" >&2
  exit 2
fi
specdag_target_wt=$specdag_wt/integration
specdag_run_dir=$specdag_root/.specdag/sh/$(date +%Y%m%dT%H%M%S)-$$
specdag_merged_list=$specdag_root/.specdag/sh/merged
mkdir -p "$specdag_run_dir" || exit 2
specdag_failed=0

# The target branch starts from the base branch (which is never written) and
# gets its own worktree; a new target branch also forgets earlier runs.
if ! git show-ref --verify --quiet "refs/heads/$SPECDAG_TARGET"; then
  git branch "$SPECDAG_TARGET" "$SPECDAG_BASE" || { say "cannot create $SPECDAG_TARGET from $SPECDAG_BASE" >&2; exit 2; }
  : > "$specdag_merged_list"
fi
if [ -e "$specdag_target_wt" ]; then
  if [ "$(git -C "$specdag_target_wt" symbolic-ref --short -q HEAD)" != "$SPECDAG_TARGET" ]; then
    say "$specdag_target_wt exists but is not a worktree of $SPECDAG_TARGET; move it away" >&2
    exit 2
  fi
else
  git worktree add -q "$specdag_target_wt" "$SPECDAG_TARGET" || { say "cannot create the worktree $specdag_target_wt" >&2; exit 2; }
fi
say "logs and prompts in $specdag_run_dir"

# True when every argument is "ok": the dependencies of a task all finished.
specdag_all_ok() {
  for specdag_s in "$@"; do
    [ "$specdag_s" = ok ] || return 1
  done
  return 0
}

# True when an earlier run of this script merged the task into the target branch.
specdag_was_merged() {
  [ -f "$specdag_merged_list" ] && grep -qxF "$1" "$specdag_merged_list"
}

specdag_mark_merged() {
  printf '%s\n' "$1" >> "$specdag_merged_list"
}

# specdag_agent ID WORKTREE SPEC_FILE COMMAND: runs the agent in the worktree,
# the prompt on stdin, its output in the task's log.
specdag_agent() {
  say "$1: running the agent in $2 (log: $specdag_run_dir/$1.log)"
  (
    cd "$2" || exit 1
    SPECDAG_TASK_ID=$1
    SPECDAG_SPEC_FILE=$specdag_root/$3
    SPECDAG_PROMPT_FILE=$specdag_run_dir/$1.prompt.md
    export SPECDAG_TASK_ID SPECDAG_SPEC_FILE SPECDAG_PROMPT_FILE
    sh -c "$4" < "$SPECDAG_PROMPT_FILE"
  ) > "$specdag_run_dir/$1.log" 2>&1
  specdag_rc=$?
  [ "$specdag_rc" -eq 0 ] || say "$1: the agent exited with status $specdag_rc"
  return "$specdag_rc"
}

# specdag_commit WORKTREE MESSAGE: commits what the agent left uncommitted.
specdag_commit() {
  git -C "$1" add -A || return 1
  if git -C "$1" diff --cached --quiet; then
    return 0
  fi
  git -C "$1" commit -q -m "$2"
}

# True when the target branch's worktree has nothing uncommitted: a task that
# failed there leaves its work as it was, and no later task may take it over.
specdag_target_clean() {
  if [ -n "$(git -C "$specdag_target_wt" status --porcelain)" ]; then
    say "$1: $specdag_target_wt has uncommitted changes (left by a task that failed there?); commit or remove them, then run again"
    return 1
  fi
}

# specdag_on_target ID SPEC_FILE COMMAND MESSAGE: a foundation or integration
# task, run on the target branch's worktree.
specdag_on_target() {
  specdag_target_clean "$1" || return 1
  specdag_agent "$1" "$specdag_target_wt" "$2" "$3" || return 1
  specdag_commit "$specdag_target_wt" "$4"
}

# specdag_parallel ID BRANCH SPEC_FILE COMMAND MESSAGE: a parallel task in its
# own branch and worktree, from the target branch's tip (where its dependencies
# are merged), then merged into the target branch. A branch and worktree kept
# from an earlier failure are reused as they were left.
specdag_parallel() {
  specdag_dir=$specdag_wt/$1
  if ! git show-ref --verify --quiet "refs/heads/$2"; then
    git worktree add -q -b "$2" "$specdag_dir" "$SPECDAG_TARGET" || return 1
  elif [ ! -e "$specdag_dir" ]; then
    git worktree add -q "$specdag_dir" "$2" || return 1
  fi
  specdag_agent "$1" "$specdag_dir" "$3" "$4" || return 1
  specdag_commit "$specdag_dir" "$5" || return 1
  specdag_target_clean "$1" || return 1
  if ! git -C "$specdag_target_wt" merge -q --no-ff --no-edit -m "specdag: merge $1" "$2"; then
    git -C "$specdag_target_wt" merge --abort
    say "$1: merge conflict with $SPECDAG_TARGET; $2 and $specdag_dir are kept as they are"
    return 1
  fi
}
`;

export interface ShOptions {
  /** The spec folder as the user named it, for the header. */
  specDir?: string;
  readText?: ReadText;
}

/**
 * A POSIX sh script that runs the plan with `specdag run`'s semantics, one
 * task at a time. Every value from the specs or PROJECT.md reaches the script
 * as a single-quoted word, a quoted here-document, or a one-line comment.
 */
export function exportSh(plan: RunPlan, result: LintResult, opts: ShOptions = {}): string {
  const project = result.specs.project;
  const index = new Map(plan.tasks.map((t, i) => [t.id, i]));
  const status = (id: string) => `"$s${index.get(id)}"`;
  const foundation = plan.tasks.filter((t) => t.phase === 'foundation');

  const out: string[] = [
    '#!/bin/sh',
    '# shellcheck disable=SC2016',
    '# (values from the specs are single-quoted on purpose: nothing in them may expand)',
    `# Generated by \`specdag export --to sh\`${opts.specDir ? ` from ${comment(opts.specDir)}` : ''}; regenerate it rather than edit it.`,
    '#',
    "# Runs the plan like `specdag run`, one task at a time: the target branch is",
    '# created from the base branch (never written); foundation tasks run in order',
    "# in the target branch's worktree; each parallel task gets its own branch and",
    "# worktree from the target branch's tip once its dependencies are merged, and",
    '# is merged back (no fast-forward); integration tasks run last, on the target',
    '# branch. An agent gets its prompt on stdin and SPECDAG_TASK_ID,',
    '# SPECDAG_SPEC_FILE and SPECDAG_PROMPT_FILE in its environment; what it leaves',
    '# uncommitted is committed for it. A task that fails keeps its branch and',
    '# worktree, the tasks after it are skipped, the others go on, and the script',
    '# exits 1. Tasks merged by an earlier run of this script are not run again.',
    '#',
    `# Plan${plan.project === null ? '' : ` for ${comment(plan.project)}`}: ${plan.tasks.length} tasks in ${plan.waves.length} waves, critical path ${formatMinutes(plan.criticalPath.minutes)}.`,
    ...plan.tasks.map((t) => `#   wave ${t.wave}  ${t.id} (${t.phase}${t.status === 'done' ? ', done' : ''})  ${comment(t.title)}`),
    '',
    `SPECDAG_BASE=${shQuote(plan.baseBranch)}`,
    `SPECDAG_TARGET=${shQuote(plan.targetBranch)}`,
    `SPECDAG_WORKTREE_DIR=${shQuote(plan.worktreeDir)}`,
    '',
    RUNTIME,
  ];
  for (let i = 0; i < plan.tasks.length; i++) out.push(`s${i}=pending`);
  out.push('');

  const hasFoundation = foundation.length > 0;
  // Tasks are in wave order, so the foundation tasks come first; their verdict is taken once, right after them.
  const firstOther = plan.tasks.findIndex((t) => t.phase !== 'foundation');
  plan.tasks.forEach((task, i) => {
    if (hasFoundation && i === firstOther) {
      out.push(`# Every other task comes after all the foundation tasks.`, `if specdag_all_ok ${foundation.map((f) => status(f.id)).join(' ')}; then specdag_f=ok; else specdag_f=failed; fi`, '');
    }
    out.push(`# wave ${task.wave}: ${task.id} (${task.phase}) ${comment(task.title)}`);
    const s = `s${i}`;
    if (task.status === 'done') {
      out.push(`say ${shQuote(`${task.id}: done already (status: done in its spec), not run`)}`, `${s}=ok`, '');
      return;
    }
    const command = agentCommand(task, project);
    const prompt = buildPrompt(task, plan, result, opts.readText).replace(/\0/g, '');
    const delimiter = heredocDelimiter(prompt, 'SPECDAG_PROMPT');
    const deps = [...(task.phase === 'foundation' ? [] : hasFoundation ? ['"$specdag_f"'] : []), ...task.dependsOn.filter((d) => index.has(d)).map(status)];
    const message = shQuote(`specdag: ${task.id}: ${comment(task.title)}`);
    const run =
      task.phase === 'parallel'
        ? `specdag_parallel ${task.id} ${shQuote(task.branch)} ${shQuote(task.file)} ${shQuote(command)} ${message}`
        : `specdag_on_target ${task.id} ${shQuote(task.file)} ${shQuote(command)} ${message}`;
    out.push(
      `cat > "$specdag_run_dir/${task.id}.prompt.md" <<'${delimiter}'`,
      prompt.endsWith('\n') ? prompt.slice(0, -1) : prompt,
      delimiter,
      ...(deps.length > 0
        ? [`if ! specdag_all_ok ${deps.join(' ')}; then`, `  say '${task.id}: skipped, a task it depends on did not finish'`, `  ${s}=skipped`, `elif specdag_was_merged ${task.id}; then`]
        : [`if specdag_was_merged ${task.id}; then`]),
      `  say '${task.id}: finished in an earlier run of this script, not run again'`,
      `  ${s}=ok`,
      `elif ${run}; then`,
      `  say '${task.id}: ${task.phase === 'parallel' ? 'merged into' : 'committed on'} the target branch'`,
      `  specdag_mark_merged ${task.id}`,
      `  ${s}=ok`,
      'else',
      `  say '${task.id}: failed'`,
      `  ${s}=failed`,
      '  specdag_failed=1',
      'fi',
      '',
    );
  });

  out.push('say summary');
  plan.tasks.forEach((task, i) => out.push(`printf '  %-10s %s\\n' "$s${i}" '${task.id}'`));
  out.push('[ "$specdag_failed" -eq 0 ] || exit 1', 'say "every task is merged into $SPECDAG_TARGET (worktree: $specdag_target_wt)"', '');
  return out.join('\n');
}

