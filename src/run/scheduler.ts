import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathMatcher } from '../graph/globs/overlap.js';
import { startAgent, type AgentHandle } from './agent.js';
import { GitError, type Git } from './git.js';
import type { Lock } from './lock.js';
import { realish } from './preflight.js';
import type { Progress } from './progress.js';
import { writeState, type RunState, type TaskState } from './state.js';

export interface SchedulerOptions {
  git: Git;
  state: RunState;
  progress: Progress;
  /** Held for work in the target branch's worktree. */
  lock: Lock;
  /** Held while adding or pruning worktrees. */
  worktreeLock: Lock;
  /** The environment agents inherit (SPECDAG_* variables are added per task). */
  env: NodeJS.ProcessEnv;
  /** The prompt of a task, written to its prompt file and given on stdin. */
  promptOf(task: TaskState): string;
  maxParallel: number;
  /** Task ids, the first to get a free slot first (see startPriority). */
  priority: string[];
  timeoutMs?: number;
  /** Dependencies outside this run (with --only) that are already on the target branch or done. */
  satisfiedOutside: Set<string>;
}

/** A task-level failure with a sentence for the user (not a bug). */
class TaskError extends Error {}

const SETTLED = new Set<TaskState['status']>(['merged', 'failed', 'conflict', 'skipped']);

/**
 * Drives a run, event by event: whenever a task finishes, a merge lands or a
 * slot frees up, `pump` starts everything that may start. No waves: a task
 * starts as soon as its own dependencies are merged and a slot is free.
 *
 * The target branch's worktree is used by one thing at a time (a foundation
 * or integration task, or a merge), through `opts.lock`. Parallel tasks
 * each have their own worktree and never wait for it except to merge.
 *
 * When every slot is busy, the worktrees of the next ready tasks (up to
 * max-parallel of them) are created meanwhile, one at a time, so a freed
 * slot starts its next agent at once instead of waiting for a checkout.
 */
export class Scheduler {
  private readonly state: RunState;
  private readonly byId: Map<string, TaskState>;
  private readonly queue: TaskState[];
  private readonly foundation: TaskState[];
  private readonly agents = new Map<string, AgentHandle>();
  private readonly mergeQueue: TaskState[] = [];
  /** Worktrees being created (or created) ahead of a free slot: true once ready. */
  private readonly prepared = new Map<string, Promise<boolean>>();
  /** Tasks holding a slot: from their start until their agent exits (committing and merging take none). */
  private active = 0;
  private readonly slots = new Set<string>();
  private inflight = 0;
  private targetBusy = false;
  private targetVerified = false;
  private stopping: NodeJS.Signals | undefined;
  private finish: (() => void) | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.state = opts.state;
    this.byId = new Map(this.state.tasks.map((t) => [t.id, t]));
    const rank = new Map(opts.priority.map((id, i) => [id, i]));
    this.queue = [...this.state.tasks].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity));
    this.foundation = this.state.tasks.filter((t) => t.phase === 'foundation');
  }

  get stoppedBy(): NodeJS.Signals | undefined {
    return this.stopping;
  }

  /** Runs until every task is settled (or stopped). Tasks found `done` (finished, not merged) are merged first. */
  run(): Promise<void> {
    for (const t of this.state.tasks) if (t.status === 'done') this.mergeQueue.push(t);
    this.propagate();
    return new Promise((resolve) => {
      this.finish = resolve;
      this.pump();
    });
  }

  /** Ctrl-C / SIGTERM: stop the agents (a second signal kills them at once), start nothing new. */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) {
      for (const a of this.agents.values()) a.stop(0);
      return;
    }
    this.stopping = signal;
    const n = this.agents.size;
    this.opts.progress.line(
      `${signal}: stopping ${n} agent${n === 1 ? '' : 's'}; every worktree stays as it is (${signal === 'SIGINT' ? 'press Ctrl-C again to kill them at once' : 'send it again to kill them at once'})`,
    );
    for (const a of this.agents.values()) a.stop();
    this.pump();
  }

  private save(): void {
    writeState(this.state);
  }

  private now(): string {
    return new Date().toISOString();
  }

  /* --------------------------------------------------------- readiness */

  private satisfied(id: string): boolean {
    const t = this.byId.get(id);
    if (!t) return this.opts.satisfiedOutside.has(id);
    return t.status === 'merged' || (t.status === 'skipped' && t.alreadyDone === true);
  }

  /** Why a dependency will never be satisfied in this run, or undefined while it still may be. */
  private blockedBy(id: string): string | undefined {
    const t = this.byId.get(id);
    if (!t) return this.opts.satisfiedOutside.has(id) ? undefined : `'${id}', which is not on the target branch`;
    if (t.status === 'failed') return `'${id}', which failed`;
    if (t.status === 'conflict') return `'${id}', which could not be merged`;
    if (t.status === 'skipped' && !t.alreadyDone) return t.draft ? `'${id}', which is a draft` : `'${id}', which was skipped`;
    return undefined;
  }

  /** Marks, until nothing changes, every pending task that can no longer run as skipped. */
  private propagate(): void {
    let changed = true;
    let any = false;
    while (changed) {
      changed = false;
      const brokenFoundation = this.foundation.find((f) => f.status === 'failed' || f.status === 'conflict');
      for (const t of this.state.tasks) {
        if (t.status !== 'pending') continue;
        let reason: string | undefined;
        for (const dep of t.dependsOn) {
          const why = this.blockedBy(dep);
          if (why) {
            reason = `depends on ${why}`;
            break;
          }
        }
        if (!reason && t.phase !== 'foundation') {
          for (const f of this.foundation) {
            const why = this.blockedBy(f.id);
            if (why) {
              reason = `comes after every foundation task, including ${why}`;
              break;
            }
          }
        }
        // Foundation tasks share the target branch's worktree, where a failed one left its work: nothing more runs there.
        if (!reason && t.phase === 'foundation' && brokenFoundation) reason = `foundation task '${brokenFoundation.id}' failed and left its work in the target branch's worktree`;
        if (reason) {
          t.status = 'skipped';
          t.reason = reason;
          changed = true;
          any = true;
          this.opts.progress.skipped(t);
        }
      }
    }
    if (any) this.save();
  }

  /** What holds for every task alike, computed once per pump: is the foundation merged, has everything but integration settled? */
  private gates(): { foundationMerged: boolean; othersSettled: boolean } {
    return {
      foundationMerged: this.foundation.every((f) => this.satisfied(f.id)),
      // Integration tasks run last: after every foundation and parallel task of the run has settled.
      othersSettled: this.state.tasks.every((o) => o.phase === 'integration' || SETTLED.has(o.status)),
    };
  }

  private canStart(t: TaskState, gates: { foundationMerged: boolean; othersSettled: boolean }): boolean {
    if (t.status !== 'pending') return false;
    if (!t.dependsOn.every((d) => this.satisfied(d))) return false;
    if (t.phase === 'foundation') return true;
    if (!gates.foundationMerged) return false;
    return t.phase !== 'integration' || gates.othersSettled;
  }

  /* ------------------------------------------------------------- events */

  private pump(): void {
    if (!this.stopping) {
      if (!this.targetBusy && this.mergeQueue.length > 0) {
        const t = this.mergeQueue.shift()!;
        this.targetBusy = true;
        this.track(this.opts.lock.run(() => this.merge(t)), true);
      }
      const gates = this.gates();
      for (const t of this.queue) {
        if (this.active >= this.opts.maxParallel) break;
        if (!this.canStart(t, gates)) continue;
        const onTarget = t.phase !== 'parallel';
        if (onTarget && this.targetBusy) continue;
        this.begin(t);
        this.active++;
        this.slots.add(t.id);
        if (onTarget) {
          this.targetBusy = true;
          this.track(
            this.opts.lock.run(() => this.runOnTarget(t)).finally(() => this.release(t)),
            true,
          );
        } else {
          this.track(this.runParallel(t).finally(() => this.release(t)), false);
        }
      }
      this.prefetch(gates);
    }
    if (this.inflight === 0 && this.finish) {
      if (!this.stopping) this.settleLeftovers();
      const done = this.finish;
      this.finish = undefined;
      done();
    }
  }

  /** Frees the task's slot (once) and lets the next task start. */
  private release(t: TaskState): void {
    if (!this.slots.delete(t.id)) return;
    this.active--;
    this.pump();
  }

  /** Creates the worktrees of the next ready tasks that wait for a slot. */
  private prefetch(gates: { foundationMerged: boolean; othersSettled: boolean }): void {
    let ahead = this.prepared.size;
    for (const t of this.queue) {
      if (ahead >= this.opts.maxParallel) break;
      if (t.phase !== 'parallel' || this.prepared.has(t.id) || !this.canStart(t, gates)) continue;
      const work = this.prepareWorktree(t, false).then(
        () => true,
        // Tried again, and reported, when the task starts.
        () => false,
      );
      this.prepared.set(t.id, work);
      ahead++;
      this.track(work.then(() => undefined), false);
    }
  }

  private track(work: Promise<void>, holdsTarget: boolean): void {
    this.inflight++;
    void work
      .catch((err: unknown) => {
        // runParallel / runOnTarget / merge record their own failures; anything reaching here is a bug worth surfacing.
        this.opts.progress.line(`specdag: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      })
      .finally(() => {
        this.inflight--;
        if (holdsTarget) this.targetBusy = false;
        this.propagate();
        this.pump();
      });
  }

  /** Nothing runs and nothing can start: whatever is still pending will never run (a cycle through --only, a missing dependency). */
  private settleLeftovers(): void {
    let any = false;
    for (const t of this.state.tasks) {
      if (t.status !== 'pending') continue;
      const missing = t.dependsOn.filter((d) => !this.satisfied(d));
      t.status = 'skipped';
      t.reason = missing.length ? `its dependencies ${missing.map((d) => `'${d}'`).join(', ')} did not finish` : 'it could not be started';
      any = true;
      this.opts.progress.skipped(t);
    }
    if (any) this.save();
  }

  private begin(t: TaskState): void {
    t.status = 'running';
    t.startedAt = this.now();
    t.attempts++;
    for (const key of ['endedAt', 'exitCode', 'signal', 'timedOut', 'reason', 'interrupted', 'agentPid'] as const) delete t[key];
    this.save();
    this.opts.progress.started(t);
  }

  private fail(t: TaskState, reason: string, status: 'failed' | 'conflict' = 'failed'): void {
    t.status = status;
    t.reason = reason;
    t.endedAt = this.now();
    this.save();
    if (status === 'conflict') this.opts.progress.conflict(t);
    else this.opts.progress.failed(t);
  }

  /** Back to a resumable state: specdag was stopped, the task did nothing wrong. */
  private interrupt(t: TaskState): void {
    t.status = 'pending';
    t.interrupted = true;
    t.endedAt = this.now();
    delete t.agentPid;
    this.save();
    this.opts.progress.event(`stopped ${t.id}`);
  }

  /* -------------------------------------------------------------- tasks */

  private async runParallel(t: TaskState): Promise<void> {
    try {
      const ahead = this.prepared.get(t.id);
      this.prepared.delete(t.id);
      if (!(ahead && (await ahead))) await this.prepareWorktree(t);
      if (this.stopping) return this.interrupt(t);
      await this.agentStep(t);
      this.release(t);
      if (t.status !== 'running') return;
      await this.commitStep(t);
      t.status = 'done';
      t.endedAt = this.now();
      this.save();
      this.opts.progress.done(t);
      this.opts.progress.outsideOwns(t);
      this.mergeQueue.push(t);
    } catch (err) {
      this.fail(t, messageOf(err));
    }
  }

  /** Foundation and integration tasks: run in the target branch's worktree and commit there. */
  private async runOnTarget(t: TaskState): Promise<void> {
    const { git } = this.opts;
    try {
      await this.checkTargetWorktree();
      const head = await git.line(t.worktree, ['rev-parse', 'HEAD']);
      // A retried task keeps the start of its first attempt when that is still behind HEAD (it may have committed some of its work).
      if (!t.startCommit || !(await git.resolve(t.worktree, t.startCommit)) || !(await git.isAncestor(t.worktree, t.startCommit, head))) t.startCommit = head;
      if (this.stopping) return this.interrupt(t);
      this.targetVerified = false;
      await this.agentStep(t);
      this.release(t);
      if (t.status !== 'running') return;
      await this.commitStep(t);
      this.targetVerified = true;
      t.status = 'merged';
      t.endedAt = this.now();
      this.save();
      this.opts.progress.merged(t);
      this.opts.progress.outsideOwns(t);
    } catch (err) {
      this.fail(t, messageOf(err));
    }
  }

  /**
   * The task's branch and worktree: created from the target branch's tip, or
   * the ones an earlier attempt left (reused as they are; brought forward to
   * the tip only when that loses nothing, i.e. a fast-forward).
   */
  private async prepareWorktree(t: TaskState, urgent = true): Promise<void> {
    const { git } = this.opts;
    const root = this.state.repoRoot;
    const tip = await git.resolve(root, `refs/heads/${this.state.targetBranch}`);
    if (!tip) throw new TaskError(`the target branch '${this.state.targetBranch}' disappeared`);
    // The common case: no branch, no folder yet. Only the bookkeeping of `worktree add` is serialised; the
    // checkout of the files runs beside the others. (`-b` refuses an existing branch, which takes the long way.)
    if (!existsSync(t.worktree)) {
      const added = await this.opts.worktreeLock.run(() => git.exec(root, ['worktree', 'add', '--quiet', '--no-checkout', '-b', t.branch, t.worktree, tip]), urgent);
      if (added.code === 0) {
        await git.run(t.worktree, ['reset', '--hard', '--quiet']);
        t.startCommit = tip;
        this.save();
        return;
      }
    }
    await this.opts.worktreeLock.run(() => this.reuseWorktree(t, tip), urgent);
  }

  private async reuseWorktree(t: TaskState, tip: string): Promise<void> {
    const { git } = this.opts;
    const root = this.state.repoRoot;
    const list = await git.worktrees(root);
    const holder = list.find((w) => w.branch === t.branch);
    const atPath = list.find((w) => samePath(w.path, t.worktree));
    if (holder && !samePath(holder.path, t.worktree)) {
      throw new TaskError(`its branch '${t.branch}' is checked out in ${holder.path}; switch that worktree to another branch (or remove it) and resume`);
    }
    if (atPath && atPath.branch !== t.branch) {
      throw new TaskError(`${t.worktree} is already a worktree of ${atPath.branch ? `branch '${atPath.branch}'` : 'a detached HEAD'}; move it away and resume`);
    }
    if (atPath && !existsSync(t.worktree)) {
      // Registered, but its folder was deleted: forget the stale entry (this removes no files) and recreate it.
      await git.run(root, ['worktree', 'prune']);
    } else if (!atPath && existsSync(t.worktree)) {
      throw new TaskError(`${t.worktree} exists and is not the worktree of '${t.branch}'; move it away and resume`);
    }
    if (!atPath || !existsSync(t.worktree)) {
      if (await git.branchExists(root, t.branch)) await git.run(root, ['worktree', 'add', '--quiet', t.worktree, t.branch]);
      else await git.run(root, ['worktree', 'add', '--quiet', '-b', t.branch, t.worktree, tip]);
    } else if (!existsSync(resolve(t.worktree, await git.line(t.worktree, ['rev-parse', '--git-path', 'index'])))) {
      // Added without a checkout by a run that died before checking the files out: there is nothing in it to lose.
      await git.run(t.worktree, ['reset', '--hard', '--quiet']);
    }
    const head = await git.line(t.worktree, ['rev-parse', 'HEAD']);
    if (head !== tip && (await git.isAncestor(root, head, tip))) {
      const r = await git.exec(t.worktree, ['merge', '--ff-only', '--quiet', tip]);
      if (r.code !== 0) this.opts.progress.event(`${t.id}: kept its branch where it was (${firstLine(r.stderr)})`);
    }
    const now = await git.line(t.worktree, ['rev-parse', 'HEAD']);
    t.startCommit = await git.line(root, ['merge-base', now, tip]);
    this.save();
  }

  private async agentStep(t: TaskState): Promise<void> {
    if (!t.command) throw new TaskError('it has no agent command');
    const prompt = this.opts.promptOf(t);
    writeFileSync(t.prompt, prompt);
    const env: NodeJS.ProcessEnv = {
      ...this.opts.env,
      SPECDAG_TASK_ID: t.id,
      SPECDAG_SPEC_FILE: t.specFile,
      SPECDAG_PROMPT_FILE: t.prompt,
      SPECDAG_RUN_ID: this.state.runId,
    };
    const handle = startAgent({ command: t.command, cwd: t.worktree, env, prompt, log: t.log, ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}) });
    this.agents.set(t.id, handle);
    if (handle.pid !== undefined) {
      t.agentPid = handle.pid;
      this.save();
    }
    if (this.stopping) handle.stop();
    const exit = await handle.exit;
    this.agents.delete(t.id);
    delete t.agentPid;
    if (exit.stopped && !exit.timedOut) return this.interrupt(t);
    t.exitCode = exit.code;
    if (exit.signal) t.signal = exit.signal;
    if (exit.error) return this.fail(t, `its agent command could not be started: ${exit.error}`);
    if (exit.timedOut) {
      t.timedOut = true;
      return this.fail(t, `timed out after ${Math.round((this.opts.timeoutMs ?? 0) / 60000)} minute(s); its process group was killed`);
    }
    if (exit.code !== 0) return this.fail(t, exit.code === null ? `its agent was killed by ${exit.signal}` : `its agent exited with code ${exit.code}`);
  }

  /** Commits what the agent left, then records the files it changed outside its `owns`. */
  private async commitStep(t: TaskState): Promise<void> {
    const { git } = this.opts;
    const branch = await git.currentBranch(t.worktree);
    if (branch !== t.branch) {
      throw new TaskError(`its agent left ${t.worktree} on ${branch ? `branch '${branch}'` : 'a detached HEAD'} instead of '${t.branch}'; check out '${t.branch}' there and resume`);
    }
    await git.run(t.worktree, ['add', '-A']);
    const message = ['-m', `${t.id}: ${t.title}`, '-m', `Committed by specdag (run ${this.state.runId}): what the agent of task '${t.id}' left uncommitted.`];
    const r = await git.exec(t.worktree, ['commit', '--quiet', ...message]);
    // A commit that fails with nothing staged means the agent left nothing (or committed it all itself); with changes staged, a hook refused it.
    if (r.code !== 0 && !(await git.test(t.worktree, ['diff', '--cached', '--quiet']))) throw new GitError(['commit', ...message], r.code, r.stdout, r.stderr);
    t.commit = await git.line(t.worktree, ['rev-parse', 'HEAD']);
    const changed = t.startCommit ? await git.changedFiles(t.worktree, t.startCommit, t.commit) : [];
    // The very reading of owns that lint's ownership check uses: a folder path covers what is below it.
    const owned = pathMatcher(t.owns);
    t.outsideOwns = changed.filter((f) => !owned(f));
  }

  private async merge(t: TaskState): Promise<void> {
    const { git } = this.opts;
    const wt = this.state.targetWorktree;
    try {
      await this.checkTargetWorktree();
      this.state.merging = t.id;
      this.save();
      const r = await git.exec(wt, ['merge', '--no-ff', '--no-edit', '-m', `Merge ${t.branch}: ${t.title}`, '-m', `specdag run ${this.state.runId}, task '${t.id}'.`, t.branch]);
      if (r.code === 0) {
        t.mergeCommit = await git.line(wt, ['rev-parse', 'HEAD']);
        t.mergedAt = this.now();
        t.status = 'merged';
        delete t.reason;
        delete this.state.merging;
        this.save();
        this.opts.progress.merged(t);
        return;
      }
      const conflicts = (await git.run(wt, ['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter(Boolean);
      const inProgress = (await git.resolve(wt, 'MERGE_HEAD')) !== undefined;
      if (inProgress) await git.run(wt, ['merge', '--abort']);
      delete this.state.merging;
      if (conflicts.length > 0) {
        this.fail(
          t,
          `merging '${t.branch}' into '${this.state.targetBranch}' conflicts in ${conflicts.join(', ')}; the merge was aborted and its branch and worktree (${t.worktree}) are kept: resolve there (git merge ${this.state.targetBranch}) and resume`,
          'conflict',
        );
      } else {
        this.fail(t, `merging '${t.branch}' into '${this.state.targetBranch}' failed: ${firstLine(r.stderr || r.stdout)}`);
      }
    } catch (err) {
      delete this.state.merging;
      this.fail(t, messageOf(err));
    }
  }

  /**
   * Is the target branch still what its worktree has checked out? Only an
   * agent working there (or a person) can change that, so after a good check
   * it is asked again only once a foundation or integration agent has run.
   */
  private async checkTargetWorktree(): Promise<void> {
    if (this.targetVerified) return;
    const branch = await this.opts.git.currentBranch(this.state.targetWorktree);
    if (branch !== this.state.targetBranch) {
      throw new TaskError(
        `the target worktree ${this.state.targetWorktree} is on ${branch ? `branch '${branch}'` : 'a detached HEAD'}, not '${this.state.targetBranch}'; check out '${this.state.targetBranch}' there and resume`,
      );
    }
    this.targetVerified = true;
  }
}

function samePath(a: string, b: string): boolean {
  return realish(a) === realish(b);
}

function firstLine(text: string): string {
  return text.trim().split('\n').find(Boolean) ?? 'no message';
}

function messageOf(err: unknown): string {
  if (err instanceof TaskError) return err.message;
  if (err instanceof GitError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
