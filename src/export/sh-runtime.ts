/**
 * The functions every exported sh script shares (see sh.ts). Fixed text:
 * nothing from the specs is spliced in here; task data reaches these
 * functions only as quoted arguments and the quoted variables at the top of
 * the script (SPECDAG_BASE, SPECDAG_TARGET, SPECDAG_WORKTREE_DIR,
 * SPECDAG_SETUP, SPECDAG_VERIFY, SPECDAG_RETRIES).
 *
 * Every git command names branches as full refs (`refs/heads/…`) or after
 * `--`, so no value is ever read as an option.
 *
 * The retry section written by specdag_retry_prompt is byte for byte
 * plan/prompt.ts's checkFailedSection (a test holds the two together).
 */
/**
 * specdag_retry_prompt FIRST TO CHECK EXIT_CODE LOG WHERE: the first prompt
 * with the section "## The check failed" after it (CLI.md, "Trusted
 * results"): byte for byte plan/prompt.ts's checkFailedSection. Shared by the
 * sh script and the GitHub Actions jobs (POSIX sh and bash alike). Backticks
 * are written as printf's \140, so no single-quoted string holds one.
 */
export const RETRY_PROMPT = String.raw`specdag_retry_prompt() {
  {
    cat "$1"
    printf '\n## The check failed\n\n\140%s\140 exited with code %s %s. Fix what it reports and run it again before you stop.\n\nThe last 200 lines of its output:\n\n~~~~\n' "$3" "$4" "$6"
    tail -n 200 "$5"
    [ -z "$(tail -c 1 "$5")" ] || printf '\n'
    printf '~~~~\n'
  } > "$2"
}`;

export const SH_RUNTIME = String.raw`set -u

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
specdag_target_ref=refs/heads/$SPECDAG_TARGET
specdag_target_wt=$specdag_wt/integration
# Merges are checked here, at a detached commit ('_' cannot start a task id).
specdag_gate_wt=$specdag_wt/_merge-check
specdag_state=$specdag_root/.specdag
specdag_run_dir=$specdag_state/sh/$(date +%Y%m%dT%H%M%S)-$$
specdag_merged_list=$specdag_state/sh/merged
mkdir -p "$specdag_run_dir" || exit 2
# A self-ignoring folder, as specdag run makes it: git add -A never picks the logs up.
[ -f "$specdag_state/.gitignore" ] || printf '# written by specdag: its run state and logs are not part of the project\n*\n' > "$specdag_state/.gitignore"
specdag_failed=0
specdag_bt=$(printf '\140')

SPECDAG_REPO_ROOT=$specdag_root
# A Claude Code settings file for 'claude -p --settings "$SPECDAG_CLAUDE_SETTINGS"':
# with specdag on PATH, its hook holds the agent to the task's owns.
SPECDAG_CLAUDE_SETTINGS=$specdag_run_dir/claude-settings.json
if command -v specdag > /dev/null 2>&1; then
  printf '%s\n' '{"hooks":{"PreToolUse":[{"matcher":"Write|Edit|MultiEdit|NotebookEdit","hooks":[{"type":"command","command":"specdag hook claude-pre-tool-use"}]}]}}' > "$SPECDAG_CLAUDE_SETTINGS"
else
  printf '{}\n' > "$SPECDAG_CLAUDE_SETTINGS"
fi
SPECDAG_TASK_ID=
SPECDAG_SPEC_FILE=
SPECDAG_PROMPT_FILE=
export SPECDAG_REPO_ROOT SPECDAG_CLAUDE_SETTINGS SPECDAG_TASK_ID SPECDAG_SPEC_FILE SPECDAG_PROMPT_FILE

# The target branch starts from the base branch (which is never written) and
# gets its own worktree, where the merged result is to be seen.
if ! git show-ref --verify --quiet "$specdag_target_ref"; then
  git branch -- "$SPECDAG_TARGET" "refs/heads/$SPECDAG_BASE" || { say "cannot create $SPECDAG_TARGET from $SPECDAG_BASE" >&2; exit 2; }
fi
if [ -e "$specdag_target_wt" ]; then
  if [ "$(git -C "$specdag_target_wt" symbolic-ref -q HEAD)" != "$specdag_target_ref" ]; then
    say "$specdag_target_wt exists but is not a worktree of $SPECDAG_TARGET; move it away" >&2
    exit 2
  fi
else
  git worktree add -q -- "$specdag_target_wt" "$SPECDAG_TARGET" || { say "cannot create the worktree $specdag_target_wt" >&2; exit 2; }
fi
say "logs and prompts in $specdag_run_dir"

# True when every argument is "ok": the tasks a task waits for all finished.
specdag_all_ok() {
  for specdag_s in "$@"; do
    [ "$specdag_s" = ok ] || return 1
  done
  return 0
}

# specdag_was_merged ID BRANCH: true when the task's work is on the target
# branch already: its branch is the second parent of a merge on the target's
# first-parent line (specdag run merges the same way), or an earlier run of
# this script recorded a merge the target branch still contains.
specdag_was_merged() {
  if specdag_m_tip=$(git rev-parse -q --verify "refs/heads/$2^{commit}"); then
    if git log --first-parent --merges --format=%P "$specdag_target_ref" -- | grep " $specdag_m_tip" > /dev/null; then
      return 0
    fi
  fi
  [ -f "$specdag_merged_list" ] || return 1
  while read -r specdag_m_id specdag_m_commit; do
    if [ "$specdag_m_id" = "$1" ] && git merge-base --is-ancestor "$specdag_m_commit" "$specdag_target_ref" 2> /dev/null; then
      return 0
    fi
  done < "$specdag_merged_list"
  return 1
}

# True when the target branch's worktree has nothing uncommitted: merges land
# there, and a person's edits there are theirs, not a task's.
specdag_target_clean() {
  if [ -n "$(git -C "$specdag_target_wt" status --porcelain)" ]; then
    say "$specdag_target_wt has uncommitted changes; commit or remove them, then run this script again"
    return 1
  fi
}

# specdag_setup DIR LOG: PROJECT.md's setup, once in each new worktree (a
# mark in the worktree's own git folder remembers that it passed).
specdag_setup() {
  [ -n "$SPECDAG_SETUP" ] || return 0
  specdag_mark=$(cd "$1" && cd "$(git rev-parse --git-dir)" && pwd -P)/specdag-setup-done || return 1
  [ -f "$specdag_mark" ] && return 0
  say "setup in $1"
  (cd "$1" && sh -c "$SPECDAG_SETUP") >> "$2" 2>&1
  specdag_rc=$?
  if [ "$specdag_rc" -ne 0 ]; then
    say "setup failed in $1 (exit code $specdag_rc; log: $2)"
    return 1
  fi
  : > "$specdag_mark"
}

# specdag_check DIR COMMAND LOG: runs a check; its exit code in specdag_check_rc.
specdag_check() {
  (cd "$1" && sh -c "$2") > "$3" 2>&1
  specdag_check_rc=$?
  return "$specdag_check_rc"
}

# specdag_gate REF MESSAGE LOG CHECK_LOG: merges REF into the target branch with --no-ff.
# With PROJECT.md's verify, the merge is made at a detached commit in a
# scratch worktree and checked there; only a merge that passes reaches the
# target branch (its worktree is fast-forwarded to it), so the target never
# points at a failing commit; a failing merge is dropped.
# Returns 0 merged, 2 a conflict, 3 the merge failed the check, 1 otherwise.
specdag_gate() {
  specdag_target_clean || return 1
  if [ -z "$SPECDAG_VERIFY" ]; then
    git -C "$specdag_target_wt" merge -q --no-ff --no-edit -m "$2" "$1" >> "$3" 2>&1 && return 0
    git -C "$specdag_target_wt" rev-parse -q --verify MERGE_HEAD > /dev/null || return 1
    git -C "$specdag_target_wt" merge --abort
    return 2
  fi
  specdag_tip=$(git rev-parse -q --verify "$specdag_target_ref^{commit}") || return 1
  if [ ! -e "$specdag_gate_wt" ]; then
    git worktree add -q --detach -- "$specdag_gate_wt" "$specdag_tip" || return 1
  fi
  # specdag's own scratch worktree: what an earlier check left in tracked files goes.
  git -C "$specdag_gate_wt" reset -q --hard || return 1
  git -C "$specdag_gate_wt" checkout -q --detach "$specdag_tip" || return 1
  specdag_setup "$specdag_gate_wt" "$3" || return 1
  if ! git -C "$specdag_gate_wt" merge -q --no-ff --no-edit -m "$2" "$1" >> "$3" 2>&1; then
    git -C "$specdag_gate_wt" rev-parse -q --verify MERGE_HEAD > /dev/null || return 1
    git -C "$specdag_gate_wt" merge --abort
    return 2
  fi
  specdag_gate_log=$4
  if ! specdag_check "$specdag_gate_wt" "$SPECDAG_VERIFY" "$specdag_gate_log"; then
    say "the merge into $SPECDAG_TARGET failed the check (exit code $specdag_check_rc; log: $specdag_gate_log); dropped, $SPECDAG_TARGET stays where it was"
    return 3
  fi
  specdag_merge=$(git -C "$specdag_gate_wt" rev-parse HEAD) || return 1
  git -C "$specdag_target_wt" merge -q --ff-only "$specdag_merge" >> "$3" 2>&1
}

${RETRY_PROMPT}
# specdag_fail REASON: the task failed; its branch and worktree stay as they are.
specdag_fail() {
  say "$SPECDAG_TASK_ID: failed ($specdag_failure): $1; $specdag_branch and $specdag_dir are kept as they are"
  return 1
}

# specdag_task ID BRANCH SPEC_FILE COMMAND CHECK ALLOW_EMPTY COMMIT_MESSAGE MERGE_MESSAGE:
# one task as specdag run does it. Its own branch and worktree, from the
# target branch's tip (where what it waits for is merged), or the ones an
# earlier failure kept, as they were left; setup once; the agent (the prompt
# on stdin); what it leaves is committed; a task that changed nothing fails
# unless ALLOW_EMPTY is true; its check, retried with the failure appended to
# the prompt while SPECDAG_RETRIES allows; then the checked merge. Returns 0
# once merged; on failure, specdag_failure says why.
specdag_task() {
  SPECDAG_TASK_ID=$1
  SPECDAG_SPEC_FILE=$specdag_root/$3
  SPECDAG_PROMPT_FILE=$specdag_run_dir/$1.prompt.md
  specdag_branch=$2
  specdag_dir=$specdag_wt/$1
  specdag_log=$specdag_run_dir/$1.log
  specdag_failure=agent
  if ! git show-ref --verify --quiet "refs/heads/$2"; then
    git worktree add -q -b "$2" -- "$specdag_dir" "$specdag_target_ref" >> "$specdag_log" 2>&1 || specdag_fail "cannot create its worktree (log: $specdag_log)" || return 1
  elif [ ! -e "$specdag_dir" ]; then
    # A worktree folder deleted by hand leaves its registration behind; prune forgets it (no file is touched).
    git worktree prune
    git worktree add -q -- "$specdag_dir" "$2" >> "$specdag_log" 2>&1 || specdag_fail "cannot add its worktree (log: $specdag_log)" || return 1
  elif [ "$(git -C "$specdag_dir" symbolic-ref -q HEAD)" != "refs/heads/$2" ]; then
    specdag_fail "$specdag_dir is not on its branch; check out $2 there and run again" || return 1
  fi
  specdag_failure=setup
  specdag_setup "$specdag_dir" "$specdag_log" || specdag_fail "its setup failed" || return 1
  specdag_attempt=1
  while :; do
    specdag_failure=agent
    say "$1: running its agent in $specdag_dir (attempt $specdag_attempt; log: $specdag_log)"
    (cd "$specdag_dir" && sh -c "$4" < "$SPECDAG_PROMPT_FILE") >> "$specdag_log" 2>&1
    specdag_rc=$?
    [ "$specdag_rc" -eq 0 ] || specdag_fail "its agent exited with code $specdag_rc" || return 1
    git -C "$specdag_dir" add -A || return 1
    if ! git -C "$specdag_dir" diff --cached --quiet; then
      git -C "$specdag_dir" commit -q -m "$7" >> "$specdag_log" 2>&1 || specdag_fail "cannot commit what its agent left (log: $specdag_log)" || return 1
    fi
    specdag_start=$(git -C "$specdag_dir" merge-base HEAD "$specdag_target_ref") || return 1
    if [ "$6" != true ] && git -C "$specdag_dir" diff --quiet "$specdag_start" HEAD --; then
      specdag_failure=no-changes
      specdag_fail "its agent exited 0 but changed nothing (a spec may say allow_empty: true)" || return 1
    fi
    specdag_where='in your worktree'
    specdag_check_log=$specdag_run_dir/$1.check-$specdag_attempt.log
    if [ -n "$5" ] && ! specdag_check "$specdag_dir" "$5" "$specdag_check_log"; then
      specdag_failure=verify
      specdag_retry_check=$5
      say "$1: its check failed (exit code $specdag_check_rc; log: $specdag_check_log)"
    else
      say "$1: merging $2 into $SPECDAG_TARGET"
      specdag_gate "refs/heads/$2" "$8" "$specdag_log" "$specdag_run_dir/$1.merge-check-$specdag_attempt.log"
      case $? in
        0)
          printf '%s %s\n' "$1" "$(git rev-parse "$specdag_target_ref")" >> "$specdag_merged_list"
          return 0
          ;;
        2)
          specdag_failure=conflict
          specdag_fail "merging $2 into $SPECDAG_TARGET conflicts; the merge was aborted: resolve it on $2 (git merge $SPECDAG_TARGET) and run again" || return 1
          ;;
        3)
          specdag_failure=merge-verify
          specdag_retry_check=$SPECDAG_VERIFY
          specdag_check_log=$specdag_gate_log
          specdag_where="on your branch merged with $specdag_bt$SPECDAG_TARGET$specdag_bt (its tip is now merged into your branch, so you see what broke)"
          ;;
        *)
          specdag_fail "merging $2 into $SPECDAG_TARGET failed (log: $specdag_log)" || return 1
          ;;
      esac
    fi
    [ "$specdag_attempt" -le "$SPECDAG_RETRIES" ] || specdag_fail "the check failed and no attempt is left (retries: $SPECDAG_RETRIES)" || return 1
    if [ "$specdag_failure" = merge-verify ] && ! git -C "$specdag_dir" merge -q --no-edit "$specdag_target_ref" >> "$specdag_log" 2>&1; then
      git -C "$specdag_dir" merge --abort
      specdag_failure=conflict
      specdag_fail "bringing $SPECDAG_TARGET into $2 for a retry conflicts; the merge was aborted" || return 1
    fi
    specdag_attempt=$((specdag_attempt + 1))
    SPECDAG_PROMPT_FILE=$specdag_run_dir/$1.prompt-$specdag_attempt.md
    specdag_retry_prompt "$specdag_run_dir/$1.prompt.md" "$SPECDAG_PROMPT_FILE" "$specdag_retry_check" "$specdag_check_rc" "$specdag_check_log" "$specdag_where"
  done
}

# specdag_write_prompt ID: the task's first prompt, from stdin.
specdag_write_prompt() {
  cat > "$specdag_run_dir/$1.prompt.md"
}

# The base branch gained commits since the target branch was made: merge it
# in first, checked like any other merge; when that fails, say so and go on
# from the target branch as it is.
if ! git merge-base --is-ancestor "refs/heads/$SPECDAG_BASE" "$specdag_target_ref"; then
  say "$SPECDAG_BASE moved since $SPECDAG_TARGET was made: merging it in first"
  specdag_base_log=$specdag_run_dir/base-merge.log
  if specdag_gate "refs/heads/$SPECDAG_BASE" "Merge $SPECDAG_BASE into $SPECDAG_TARGET" "$specdag_base_log" "$specdag_run_dir/base-merge-check.log"; then
    say "merged $SPECDAG_BASE into $SPECDAG_TARGET"
  else
    say "the merge of $SPECDAG_BASE into $SPECDAG_TARGET was dropped (a conflict or a failed check; log: $specdag_base_log); going on from $SPECDAG_TARGET as it is"
  fi
fi
`;
