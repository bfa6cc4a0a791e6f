import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathMatcher } from '../graph/globs/overlap.js';
import { writeClaudeSettings } from './claude.js';
import { GitError, type Git } from './git.js';
import type { Lock } from './lock.js';
import { appendCheckLog, checkFailedSection, checkNote, outsideOwnsSection } from './checks.js';
import type { MergeCheck, Merger } from './merge.js';
import type { Launcher } from './launcher.js';
import { startProcess, type ProcessHandle } from './process.js';
import { gitDirOf } from './recover.js';
import { branchTips } from './refs.js';
import type { Progress } from './progress.js';
import { runsDir, SPECDAG_DIR, writeState, type CheckRecord, type Failure, type RunState, type TaskState } from './state.js';
import { firstLine, premakeWorktree, prepareWorktree, TaskError } from './worktree.js';

export interface SchedulerOptions {
  git: Git;
  state: RunState;
  progress: Progress;
  /** Held for work on the target branch (merges), also against other specdag processes. */
  lock: Lock;
  /** Held while adding or pruning worktrees. */
  worktreeLock: Lock;
  /** The environment agents inherit (SPECDAG_* variables are added per task). */
  env: NodeJS.ProcessEnv;
  /** Starts agents, setups and checks without a fork of node (undefined: node starts them). */
  launcher?: Launcher;
  /** The prompt of a task, written to its prompt file and given on stdin. */
  promptOf(task: TaskState): string;
  maxParallel: number;
  /** Task ids, the first to get a free slot first (see startPriority). */
  priority: string[];
  timeoutMs?: number;
  /** Dependencies outside this run (with --only) that are already on the target branch or done. */
  satisfiedOutside: Set<string>;
  merger: Merger;
  /** Tasks a resume found in conflict: their merge is tried again before their agent. */
  resumedConflicts: Set<string>;
  /** This specdag as a shell command, for the Claude Code hook. */
  specdagCommand: string;
  /** PROJECT.md's setup, run in each new worktree before its first agent. */
  setup?: string;
  /** PROJECT.md's verify: every merge into the target is checked with it before the target moves. */
  mergeCheck?: string;
  /** Agent attempts after a failed check. */
  retries: number;
  outsideOwns: 'warn' | 'fail';
  /** Tasks a resume finds failed after their agent finished (a failed check, files outside owns): looked at before their agent starts. */
  rejudge: Set<string>;
  /** The repository's common git folder (branch tips are read there without starting git). */
  commonDir: string;
  /** The target's tip as the last specdag merge left it, shared by every specdag process on this target (read and written under the lock). */
  tips: { read(): string | undefined; write(commit: string): void };
}

const SETTLED = new Set<TaskState['status']>(['merged', 'failed', 'conflict', 'skipped']);
/** A dependency in these states may still be merged in this run, soon. */
const UNDER_WAY = new Set<TaskState['status']>(['running', 'done']);

/** How long a state change may wait to be written with the next ones (see save). */
const SAVE_MS = 100;

/**
 * Drives a run, event by event: whenever a task finishes, a merge lands or a
 * slot frees up, `pump` starts everything that may start. No waves: a task
 * starts as soon as its own dependencies are merged and a slot is free.
 *
 * Every task works on its own branch in its own worktree, created from the
 * target branch's tip once its dependencies are merged there. The target
 * branch changes only by merges, made one at a time (`opts.lock`, which
 * other specdag processes on the same target respect too), so `git log
 * --first-parent` of the target reads like the plan: one merge per task.
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
  private readonly processes = new Map<string, ProcessHandle>();
  private readonly mergeQueue: TaskState[] = [];
  /** A section to end a task's next prompt with: what went wrong the last time. */
  private readonly feedback = new Map<string, string>();
  /** Agent starts per task in this invocation: what `retries` is counted against. */
  private readonly agentStarts = new Map<string, number>();
  /** Worktrees being created ahead of a free slot: whether each is new once ready, undefined when that failed. */
  private readonly prepared = new Map<string, Promise<boolean | undefined>>();
  /** Worktrees made ahead, detached, for tasks that wait only for tasks under way (see premakeWorktree): made or not. */
  private readonly premade = new Map<string, Promise<boolean>>();
  /** Tasks holding a slot: from their start until their work is judged (agent, commit, the task's check); merging takes none. */
  private active = 0;
  private readonly slots = new Set<string>();
  private inflight = 0;
  private merging = false;
  /** Merges that passed their check in the scratch worktree, in order, waiting for the target to be brought there (land). */
  private readonly unlanded: { t: TaskState; commit: string; merged: string }[] = [];
  /** Why nothing new starts: a signal, or the target or base branch moved under the run ('moved'). */
  private stopping: NodeJS.Signals | 'moved' | undefined;
  private saveTimer: NodeJS.Timeout | undefined;
  /** The sentence that stopped the run when a branch moved. */
  private movedMessage: string | undefined;
  /** Tasks whose commands ran since the branches were last seen where specdag left them: the suspects when they moved. */
  private readonly ranSinceCheck = new Set<string>();
  private finish: (() => void) | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.state = opts.state;
    this.byId = new Map(this.state.tasks.map((t) => [t.id, t]));
    const rank = new Map(opts.priority.map((id, i) => [id, i]));
    this.queue = [...this.state.tasks].sort((a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity));
    this.foundation = this.state.tasks.filter((t) => t.phase === 'foundation');
  }

  get stoppedBy(): NodeJS.Signals | undefined {
    return this.stopping === 'moved' ? undefined : this.stopping;
  }

  /** Set when the run stopped because the target or base branch moved, not by specdag's hand. */
  get moved(): string | undefined {
    return this.movedMessage;
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

  /**
   * Ctrl-C, SIGTERM, SIGHUP: SIGTERM to every process group specdag started,
   * SIGKILL after the grace period (a second signal: at once); nothing new
   * starts, and the run ends once every one of them is gone.
   */
  stop(signal: NodeJS.Signals): void {
    if (this.stopping) {
      for (const p of this.processes.values()) p.stop(0);
      return;
    }
    this.stopping = signal;
    const n = this.processes.size;
    this.opts.progress.line(
      `${signal}: stopping ${n} agent${n === 1 ? '' : 's'}; every worktree stays as it is (${signal === 'SIGINT' ? 'press Ctrl-C again to kill them at once' : 'send it again to kill them at once'})`,
    );
    for (const p of this.processes.values()) p.stop();
    this.pump();
  }

  /**
   * Writes state.json, at most every SAVE_MS: at every step of every task a
   * write (and its rename) held the one thread that also starts every
   * process. `urgent` writes at once, for what a resume after a kill must
   * know: an agent's process group (an orphan must not get a twin), a merge
   * under way (its leftovers are specdag's own).
   */
  private save(urgent = false): void {
    if (!urgent) {
      this.saveTimer ??= setTimeout(() => this.flush(), SAVE_MS);
      return;
    }
    this.flush();
  }

  /** Writes the state now, and cancels a pending write. */
  flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
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
    // Once stopped, a task that was cut short is not a failure its dependents should be skipped for: a resume runs them all.
    if (this.stopping) return;
    let changed = true;
    let any = false;
    while (changed) {
      changed = false;
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
        if (!reason) {
          // Foundation tasks run one after another, each after the one before it is merged; everything else comes after them all.
          for (const f of this.foundation) {
            if (f === t) break;
            const why = this.blockedBy(f.id);
            if (why) {
              reason = t.phase === 'foundation' ? `comes after foundation task ${why}` : `comes after every foundation task, including ${why}`;
              break;
            }
          }
        }
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

  /** Has everything but the integration tasks settled? Computed once per pump. */
  private othersSettled(): boolean {
    return this.state.tasks.every((o) => o.phase === 'integration' || SETTLED.has(o.status));
  }

  private canStart(t: TaskState, othersSettled: boolean): boolean {
    if (t.status !== 'pending') return false;
    if (!t.dependsOn.every((d) => this.satisfied(d))) return false;
    for (const f of this.foundation) {
      if (f === t) return true;
      if (!this.satisfied(f.id)) return false;
    }
    return t.phase !== 'integration' || othersSettled;
  }

  /* ------------------------------------------------------------- events */

  private pump(): void {
    if (!this.stopping) {
      if (!this.merging && this.mergeQueue.length > 0) {
        const t = this.mergeQueue.shift()!;
        this.merging = true;
        this.track(
          this.opts.lock.run(() => this.mergeQueued(t)).finally(() => {
            this.merging = false;
          }),
        );
      }
      const othersSettled = this.othersSettled();
      for (const t of this.queue) {
        if (this.active >= this.opts.maxParallel) break;
        if (!this.canStart(t, othersSettled)) continue;
        this.begin(t);
        this.active++;
        this.slots.add(t.id);
        this.track(this.runTask(t).finally(() => this.release(t)));
      }
      this.prefetch(othersSettled);
    }
    if (this.inflight === 0 && this.finish) {
      if (!this.stopping) this.settleLeftovers();
      this.flush();
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

  /**
   * Creates the worktrees of the next ready tasks that wait for a slot; then,
   * while there is room (max_parallel worktrees ahead in all), makes the
   * worktrees of tasks that wait only for tasks under way, detached at the
   * target's tip of now: when their dependencies are merged, a checkout of
   * what those changed (and the branch) is all that is left, instead of
   * max_parallel worktrees made one after another behind a lock.
   */
  private prefetch(othersSettled: boolean): void {
    let ahead = this.prepared.size + this.premade.size;
    for (const t of this.queue) {
      if (ahead >= this.opts.maxParallel) break;
      if (this.prepared.has(t.id) || !this.canStart(t, othersSettled)) continue;
      const work = this.prepare(t, false).then(
        (fresh) => fresh,
        // Tried again, and reported, when the task starts.
        () => undefined,
      );
      this.prepared.set(t.id, work);
      ahead++;
      this.track(work.then(() => undefined));
    }
    const tip = this.state.targetCommit;
    for (const t of this.queue) {
      if (ahead >= this.opts.maxParallel || tip === undefined) break;
      if (this.prepared.has(t.id) || this.premade.has(t.id) || !this.nextUp(t)) continue;
      const work = premakeWorktree(this.opts.git.later(), this.state.repoRoot, this.opts.commonDir, t, tip, this.opts.worktreeLock).catch(() => false);
      this.premade.set(t.id, work);
      ahead++;
      this.track(work.then(() => undefined));
    }
  }

  /** A pending task that waits only for tasks under way: running, or done and waiting for their merge. */
  private nextUp(t: TaskState): boolean {
    if (t.status !== 'pending' || t.phase === 'integration') return false;
    const before = t.phase === 'foundation' ? this.foundation.slice(0, this.foundation.indexOf(t)) : this.foundation;
    const waits = [...t.dependsOn, ...before.map((f) => f.id)].filter((id) => !this.satisfied(id));
    return waits.length > 0 && waits.every((id) => UNDER_WAY.has(this.byId.get(id)?.status ?? 'pending'));
  }

  /**
   * Worktrees made ahead for tasks that will not start (a dependency failed):
   * removed the way `git worktree remove` allows (never forced; one that
   * cannot be is named and left, and a later run takes it over). A run that
   * was stopped leaves every worktree as it is (CLI.md); its resume takes
   * them over.
   */
  async dropPremade(): Promise<void> {
    if (this.stopping) return;
    const { git } = this.opts;
    for (const [id, work] of this.premade) {
      this.premade.delete(id);
      if (!(await work)) continue;
      const t = this.byId.get(id)!;
      const r = await this.opts.worktreeLock.run(() => git.exec(this.state.repoRoot, ['worktree', 'remove', t.worktree]));
      if (r.code !== 0) this.opts.progress.line(`specdag: kept ${t.worktree}, made ahead for '${t.id}', which did not start: ${firstLine(r.stderr || r.stdout)}`);
    }
  }

  private track(work: Promise<void>): void {
    this.inflight++;
    void work
      .catch((err: unknown) => {
        // runTask and merge record their own failures; anything reaching here is a bug worth surfacing.
        this.opts.progress.line(`specdag: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      })
      .finally(() => {
        this.inflight--;
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
    for (const key of ['endedAt', 'exitCode', 'signal', 'timedOut', 'reason', 'failure', 'interrupted', 'agentPid'] as const) delete t[key];
    this.save();
  }

  private fail(t: TaskState, failure: Failure, reason: string): void {
    const status = failure === 'conflict' ? 'conflict' : 'failed';
    t.status = status;
    t.failure = failure;
    t.reason = reason;
    t.endedAt = this.now();
    this.save();
    if (status === 'conflict') this.opts.progress.conflict(t);
    else this.opts.progress.failed(t);
  }

  /** specdag was stopped: the task did nothing wrong, and a resume runs it again. */
  private interrupt(t: TaskState): void {
    t.status = 'failed';
    t.failure = 'interrupted';
    t.reason = this.stopping === 'moved' ? 'stopped: a branch moved under the run' : `stopped by ${this.stopping ?? 'a signal'} before it finished`;
    t.interrupted = true;
    t.endedAt = this.now();
    delete t.agentPid;
    this.save();
    this.opts.progress.event(`stopped ${t.id}`);
  }

  /* -------------------------------------------------------------- tasks */

  /**
   * The task's worktree, from the target branch's tip as specdag last left
   * it (its dependencies are merged there). True when the worktree is new:
   * its setup has to run.
   */
  private async prepare(t: TaskState, urgent = true): Promise<boolean> {
    const ahead = this.premade.get(t.id);
    this.premade.delete(t.id);
    const premade = ahead !== undefined && (await ahead);
    const tip = this.state.targetCommit;
    if (!tip) throw new TaskError(`the target branch '${this.state.targetBranch}' has no known tip`);
    const fresh = await prepareWorktree(urgent ? this.opts.git : this.opts.git.later(), this.state.repoRoot, t, tip, this.opts.worktreeLock, urgent, (text) => this.opts.progress.event(text), premade);
    if (fresh) delete t.setupDone;
    this.save();
    return fresh;
  }

  /**
   * A task from its worktree to `done` (queued for its merge): setup in a
   * new worktree, then the agent, what it left judged (committed, changed
   * something, inside its owns, its check passing), and the agent started
   * again with the check's output while attempts remain.
   */
  private async runTask(t: TaskState): Promise<void> {
    try {
      const ahead = this.prepared.get(t.id);
      this.prepared.delete(t.id);
      if ((ahead ? await ahead : undefined) === undefined) await this.prepare(t);
      if (this.stopping) return this.interrupt(t);
      if (this.opts.setup !== undefined && !t.setupDone) {
        const setup = await this.runCommand(t, 'setup', this.opts.setup, t.worktree);
        if (setup === undefined) return this.interrupt(t);
        if (setup.exitCode !== 0) {
          return this.fail(t, 'setup', `its setup command '${this.opts.setup}' ${exitText(setup)} in its worktree; its output is in the log`);
        }
        t.setupDone = true;
        this.save();
      }
      // A resume of a task that failed after its agent finished looks at what is there first: the user may have fixed it.
      let rejudge = this.opts.rejudge.delete(t.id);
      for (;;) {
        if (!rejudge && !(await this.agentStep(t))) return;
        const verdict = await this.judge(t, rejudge);
        if (verdict === 'ok') break;
        if (verdict === 'stopped') return this.interrupt(t);
        if (verdict === 'failed') return;
        if (!rejudge && !this.attemptsLeft(t)) {
          return this.fail(t, 'verify', `its check '${t.check}' ${exitText(verdict.check!)} in its worktree after ${this.starts(t)} attempt${this.starts(t) === 1 ? '' : 's'} (log: ${verdict.check!.log})`);
        }
        if (verdict.feedback) this.feedback.set(t.id, verdict.feedback);
        if (verdict.check && !rejudge) this.opts.progress.retry(t, verdict.check, this.opts.retries + 1 - this.starts(t));
        rejudge = false;
      }
      t.status = 'done';
      t.endedAt = this.now();
      this.save();
      this.opts.progress.done(t);
      this.mergeQueue.push(t);
    } catch (err) {
      this.fail(t, 'agent', messageOf(err));
    }
  }

  /** Agent starts in this invocation (a resume starts counting again). */
  private starts(t: TaskState): number {
    return this.agentStarts.get(t.id) ?? 0;
  }

  /** May the agent be started again after a failed check? (`retries` more times than the first.) */
  private attemptsLeft(t: TaskState): boolean {
    return this.starts(t) < 1 + this.opts.retries;
  }

  /** Runs the agent once; false when that ended the task (failed or stopped, recorded). */
  private async agentStep(t: TaskState): Promise<boolean> {
    if (!t.command) throw new TaskError('it has no agent command');
    t.attempts++;
    this.agentStarts.set(t.id, this.starts(t) + 1);
    t.status = 'running';
    this.save();
    this.opts.progress.started(t);
    const extra = [this.checkNote(t), this.feedback.get(t.id)].filter((x): x is string => x !== undefined);
    this.feedback.delete(t.id);
    const base = this.opts.promptOf(t);
    const prompt = extra.length ? `${base}\n${extra.join('\n\n')}\n` : base;
    writeFileSync(t.prompt, prompt);
    this.ranSinceCheck.add(t.id);
    const handle = startProcess({ command: t.command, cwd: t.worktree, env: this.taskEnv(t), stdin: prompt, stdinFile: t.prompt, log: t.log, ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}) }, this.opts.launcher);
    this.processes.set(t.id, handle);
    void handle.started.then((pid) => {
      if (pid === undefined || !this.processes.has(t.id)) return;
      t.agentPid = pid;
      this.save(true);
    });
    if (this.stopping) handle.stop();
    const exit = await handle.exit;
    this.processes.delete(t.id);
    delete t.agentPid;
    if (exit.stopped && !exit.timedOut) {
      this.interrupt(t);
      return false;
    }
    t.exitCode = exit.code;
    if (exit.signal) t.signal = exit.signal;
    else delete t.signal;
    if (exit.error) return this.failed(t, 'agent', `its agent command could not be started: ${exit.error}`);
    if (exit.timedOut) {
      t.timedOut = true;
      return this.failed(t, 'timeout', `timed out after ${Math.round((this.opts.timeoutMs ?? 0) / 60000)} minute(s); its process group was killed`);
    }
    if (exit.code !== 0) return this.failed(t, 'agent', exit.code === null ? `its agent was killed by ${exit.signal}` : `its agent exited with code ${exit.code}`);
    return true;
  }

  private failed(t: TaskState, failure: Failure, reason: string): false {
    this.fail(t, failure, reason);
    return false;
  }

  /** What every prompt ends with when checks are set: the agent knows from its first attempt what judges it. */
  private checkNote(t: TaskState): string | undefined {
    return checkNote(t.check, this.opts.mergeCheck, this.state.targetBranch);
  }

  /** What every command of a task (agent, setup, check) finds in its environment (CLI.md, "Trusted results"). */
  private taskEnv(t: TaskState): NodeJS.ProcessEnv {
    return {
      ...this.opts.env,
      SPECDAG_TASK_ID: t.id,
      SPECDAG_SPEC_FILE: t.specFile,
      SPECDAG_PROMPT_FILE: t.prompt,
      SPECDAG_RUN_ID: this.state.runId,
      SPECDAG_REPO_ROOT: this.state.repoRoot,
      SPECDAG_CLAUDE_SETTINGS: this.claudeSettings(t),
    };
  }

  private readonly settingsWritten = new Map<string, string>();

  /** The task's Claude Code settings file, written once a run (every agent, setup and check of the task names it). */
  private claudeSettings(t: TaskState): string {
    let file = this.settingsWritten.get(t.id);
    if (file === undefined) {
      file = writeClaudeSettings(dirname(t.log), t.id, this.opts.specdagCommand);
      this.settingsWritten.set(t.id, file);
    }
    return file;
  }

  /**
   * Runs a setup or a check for a task and records it in the task's
   * `checks`. Undefined when specdag was stopped meanwhile. A setup writes
   * into the task's log; a check into a log of its own (its tail goes into
   * the next prompt), copied into the task's log afterwards.
   */
  private async runCommand(t: TaskState, kind: CheckRecord['kind'], command: string, where: string, commit?: string): Promise<CheckRecord | undefined> {
    t.checks ??= [];
    const log = kind === 'setup' ? t.log : join(dirname(t.log), `${t.id}.${kind === 'merge' ? 'merge-check' : 'check'}-${t.checks.length + 1}.log`);
    const key = kind === 'merge' ? `merge:${t.id}` : t.id;
    const startedAt = this.now();
    const t0 = Date.now();
    this.opts.progress.checking(t, kind, command);
    this.ranSinceCheck.add(t.id);
    const handle = startProcess({ command, cwd: where, env: this.taskEnv(t), log, ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}) }, this.opts.launcher);
    this.processes.set(key, handle);
    if (this.stopping) handle.stop();
    const exit = await handle.exit;
    this.processes.delete(key);
    this.opts.progress.checked(t);
    if (exit.stopped && !exit.timedOut) return undefined;
    const record: CheckRecord = { kind, where, command, exitCode: exit.error ? 127 : exit.code, log, startedAt, durationMs: Date.now() - t0, ...(commit ? { commit } : {}) };
    t.checks.push(record);
    this.save();
    if (kind !== 'setup') appendCheckLog(t.log, record);
    return record;
  }

  /**
   * What the agent left, judged: committed (what it left uncommitted is
   * committed for it), changed something (unless `allow_empty`), inside its
   * owns (with `outside_owns: fail`), passing its check. One `git status`
   * tells the branch, the commit and what is uncommitted; when the agent
   * made no commit of its own, what it changed is exactly that list.
   *
   * `rejudge`: a resume looking before starting the agent; what fails then
   * is not a failure yet, the agent gets its turn.
   */
  private async judge(t: TaskState, rejudge: boolean): Promise<'ok' | 'failed' | 'stopped' | { feedback?: string; check?: CheckRecord }> {
    const { git } = this.opts;
    const st = await git.status(t.worktree);
    if (st.branch !== t.branch) {
      return this.failed(t, 'agent', `its agent left ${t.worktree} on ${st.branch ? `branch '${st.branch}'` : 'a detached HEAD'} instead of '${t.branch}'; check out '${t.branch}' there and resume`) || 'failed';
    }
    const committedNothing = st.head === t.startCommit;
    const unfinished = [...st.unmerged.map((p) => `${p} unmerged`), ...unfinishedOperations(t.worktree)];
    if (unfinished.length > 0) {
      return this.failed(t, 'agent', `its agent left an unfinished merge in ${t.worktree} (${unfinished.join(', ')}); nothing of it was committed: finish or abort it there and resume`) || 'failed';
    }
    const markers = (paths: string[]) => {
      const marked = conflictMarkers(t.worktree, paths);
      return marked.length === 0 ? undefined : this.failed(t, 'agent', `its agent left conflict markers (<<<<<<<) in ${marked.join(', ')}; they are not merged: resolve them in ${t.worktree} and resume`) || 'failed';
    };
    // What would be committed for it is looked at before it is committed; what it committed itself, once the changes are known.
    const uncommittedMarkers = markers(st.changed);
    if (uncommittedMarkers) return uncommittedMarkers;
    if (st.changed.length > 0) {
      const message = ['-m', `${t.id}: ${t.title}`, '-m', `Committed by specdag (run ${this.state.runId}): what the agent of task '${t.id}' left uncommitted.`];
      const r = await git.execAll(t.worktree, [['add', '-A'], ['commit', '--quiet', ...message]]);
      if (r.code !== 0) throw new GitError(['add', '-A', '&&', 'git', 'commit', ...message], r.code, r.stdout, r.stderr);
    } else if (committedNothing && !t.allowEmpty) {
      if (rejudge) return {};
      return this.failed(t, 'no-changes', "its agent exited 0 but changed nothing (no commit, nothing left uncommitted); if that is right for this task, set 'allow_empty: true' in its spec") || 'failed';
    }
    const changed = committedNothing ? st.changed : t.startCommit ? await git.changedFiles(t.worktree, t.startCommit, 'HEAD') : [];
    const uncommitted = new Set(st.changed);
    const committedMarkers = markers(changed.filter((p) => !uncommitted.has(p)));
    if (committedMarkers) return committedMarkers;
    // The very reading of owns that lint's ownership check uses: a folder path covers what is below it.
    const owned = pathMatcher(t.owns);
    t.outsideOwns = changed.filter((f) => !owned(f));
    this.save();
    this.opts.progress.outsideOwns(t, this.opts.outsideOwns);
    if (t.outsideOwns.length > 0 && this.opts.outsideOwns === 'fail') {
      if (rejudge) return { feedback: outsideOwnsSection(t.outsideOwns, t.owns) };
      const n = t.outsideOwns.length;
      return this.failed(t, 'outside-owns', `it changed ${n} file${n === 1 ? '' : 's'} outside its owns: ${t.outsideOwns.join(', ')} (outside_owns: fail)`) || 'failed';
    }
    if (t.check === undefined) return 'ok';
    const check = await this.runCommand(t, 'verify', t.check, t.worktree);
    if (check === undefined) return 'stopped';
    if (check.exitCode === 0) return 'ok';
    return { feedback: checkFailedSection(check, this.state.targetBranch), check };
  }

  /* ------------------------------------------------------------- merges */

  /**
   * The target branch and the base branch move only by specdag's hand: the
   * target is where specdag last put it (this run, or another specdag on
   * the same target, which records its tip beside the lock), the base where
   * the run found it. An agent that reset or rewrote one of them stops the
   * run: nothing is built on a moved target. Asked before every merge and at
   * the end, under the lock. False when the run stops.
   */
  async branchesInPlace(): Promise<boolean> {
    const { git } = this.opts;
    const state = this.state;
    const [target, base] = await branchTips(git, state.repoRoot, this.opts.commonDir, [state.targetBranch, state.baseBranch]);
    const expected = this.opts.tips.read() ?? state.targetCommit;
    const suspects = [...this.ranSinceCheck].filter((id) => id !== 'base-merge' && id !== 'merge-check');
    const during = suspects.length === 0 ? 'while no task of this run was running' : `while ${suspects.length === 1 ? 'task' : 'tasks'} ${suspects.map((id) => `'${id}'`).join(', ')} ran`;
    const short = (sha: string | undefined) => (sha === undefined ? 'nowhere (deleted)' : sha.slice(0, 7));
    let message: string | undefined;
    if (target !== expected) {
      message = `the target branch '${state.targetBranch}' moved from ${short(expected)} to ${short(target)} ${during}, not by specdag's hand; the run stops and builds nothing on it. See what moved it (git reflog show ${state.targetBranch}); put it back (git update-ref refs/heads/${state.targetBranch} ${expected}${target ? ` ${target}` : ''}) and resume`;
    } else if (base !== state.baseCommit) {
      message = `the base branch '${state.baseBranch}' moved from ${short(state.baseCommit)} to ${short(base)} ${during}; specdag never writes it, so something else did, and the run stops. See what moved it (git reflog show ${state.baseBranch}); put it back (git update-ref refs/heads/${state.baseBranch} ${state.baseCommit}${base ? ` ${base}` : ''}) and resume`;
    }
    if (message === undefined) {
      this.ranSinceCheck.clear();
      return true;
    }
    this.halt(message);
    return false;
  }

  /** Stops the run for good reason (exit 1): its processes are stopped as on a signal, nothing new starts. */
  private halt(message: string): void {
    if (this.movedMessage !== undefined) return;
    this.movedMessage = message;
    this.state.stopped = message;
    this.save();
    this.opts.progress.line(`specdag: ${message}`);
    const first = this.stopping === undefined;
    if (first) this.stopping = 'moved';
    for (const p of this.processes.values()) p.stop();
    this.pump();
  }

  /**
   * A new run on a target branch made earlier first brings in what the base
   * branch gained since, through the same (checked) merge as any task. A
   * merge that conflicts or fails its check is dropped with one line: the
   * run goes on from the target as it is.
   */
  async mergeBase(): Promise<void> {
    const { git } = this.opts;
    const state = this.state;
    if (!(await this.branchesInPlace())) return;
    const base = state.baseBranch;
    const gained = await git.line(state.repoRoot, ['rev-list', '--count', `${state.targetCommit}..${state.baseCommit}`]);
    if (gained === '0') return;
    const commits = `${gained} commit${gained === '1' ? '' : 's'}`;
    const record: NonNullable<RunState['baseMerge']> = { status: 'merged', base: state.baseCommit };
    const check: MergeCheck = async (where, commit) => {
      const pseudo = this.pseudoTask('base-merge', `merge of ${base}`, record.checks);
      const result = await this.runCommand(pseudo, 'merge', this.opts.mergeCheck!, where, commit);
      record.checks = pseudo.checks;
      return result === undefined ? undefined : result.exitCode === 0;
    };
    const messages = [`Merge ${base} into ${state.targetBranch}`, `specdag run ${state.runId}: '${base}' gained ${commits} since '${state.targetBranch}' was made.`];
    const r = await this.opts.merger.merge(state.baseCommit, state.targetCommit!, messages, this.opts.mergeCheck !== undefined ? check : undefined);
    const drop = (why: string) => {
      record.status = r.kind === 'conflict' ? 'conflict' : 'failed';
      record.reason = why;
      this.opts.progress.line(`specdag: merging '${base}' (${commits} ahead) into '${state.targetBranch}' ${why}; dropped, the run goes on from '${state.targetBranch}' as it is`);
    };
    if (r.kind === 'merged') {
      this.moveTarget(r.commit);
      record.commit = r.commit;
      this.opts.progress.line(`specdag: merged '${base}' into '${state.targetBranch}' first: it gained ${commits} since the target was made`);
    } else if (r.kind === 'conflict') drop(`conflicts in ${r.conflicts.join(', ')}`);
    else if (r.kind === 'check-failed') drop(`fails the check '${this.opts.mergeCheck}' (log: ${record.checks?.at(-1)?.log})`);
    else if (r.kind === 'failed') drop(`failed (${r.message})`);
    else drop('was stopped');
    state.baseMerge = record;
    this.save();
  }

  /** specdag's own work (the base branch's merge, the merge-check worktree's setup) as a task for the command runner: its log beside the tasks'. */
  private pseudoTask(id: string, title: string, checks: CheckRecord[] = []): TaskState {
    const log = join(runsDir(this.state.repoRoot), this.state.runId, `${id}.log`);
    return {
      id,
      title,
      phase: 'foundation',
      dependsOn: [],
      status: 'running',
      branch: this.state.targetBranch,
      worktree: this.state.targetWorktree,
      log,
      prompt: log,
      specFile: '',
      owns: [],
      outsideOwns: [],
      attempts: 0,
      checks,
    };
  }

  /**
   * PROJECT.md's setup in the worktree where merges are checked, once: a
   * marker in .specdag/ remembers the setup command that passed there, so a
   * later run reuses the worktree as it is.
   */
  async setupGate(where: string): Promise<boolean> {
    const command = this.opts.setup!;
    const marker = join(this.state.repoRoot, SPECDAG_DIR, 'merge-check.setup');
    if (existsSync(marker) && readFileSync(marker, 'utf8') === command) return true;
    const task = this.pseudoTask('merge-check', 'the merge-check worktree', this.state.gateChecks);
    const r = await this.runCommand(task, 'setup', command, where);
    this.state.gateChecks = task.checks!;
    this.save();
    if (r === undefined || r.exitCode !== 0) return false;
    writeFileSync(marker, command);
    return true;
  }

  /**
   * Merges `first`, then every finished task that waits meanwhile, one at a
   * time under the lock. With a merge gate, a merge that passed stays in the
   * scratch worktree while others wait, and the next one builds on it: the
   * target moves once the queue is empty (or max_parallel merges passed, or
   * before anything else is done there), straight to the last merge that
   * passed. Every commit it points to passed the check, and `git log
   * --first-parent` still shows one merge per task; what is saved is a
   * checkout of the target worktree (and the lock taken again) per merge
   * that found others waiting.
   */
  private async mergeQueued(first: TaskState): Promise<void> {
    try {
      for (let t: TaskState | undefined = first; t !== undefined; t = this.stopping ? undefined : this.mergeQueue.shift()) await this.merge(t);
    } finally {
      await this.land();
    }
  }

  /** The target brought to the last merge that passed (see mergeQueued); its tasks are merged then. */
  private async land(): Promise<void> {
    const batch = this.unlanded.splice(0);
    const last = batch.at(-1);
    // A branch moved under the run: nothing is built on it; the tasks stay done, and a resume merges them again.
    if (last === undefined || this.stopping === 'moved') return;
    this.state.merging = last.t.id;
    this.save(true);
    const failed = await this.opts.merger.land(last.commit).catch((err: unknown) => messageOf(err));
    delete this.state.merging;
    if (failed !== undefined) {
      for (const { t } of batch) this.fail(t, 'conflict', `merging '${t.branch}' into '${this.state.targetBranch}' failed: ${failed}`);
      return;
    }
    this.moveTarget(last.commit);
    for (const { t, commit, merged } of batch) this.merged(t, commit, merged);
  }

  /** Where specdag last put the target, for this run and for any other specdag on the same target. */
  private moveTarget(commit: string): void {
    this.state.targetCommit = commit;
    this.opts.tips.write(commit);
  }

  private merged(t: TaskState, commit: string, merged: string): void {
    t.mergeCommit = commit;
    t.commit = merged;
    t.mergedAt = this.now();
    t.status = 'merged';
    delete t.reason;
    delete t.failure;
    this.save();
    this.opts.progress.merged(t);
  }

  /**
   * Merges a finished task into the target branch (one at a time: the
   * caller holds the lock). With PROJECT.md's verify, the merge is checked
   * before the target moves; a task that passes alone but fails merged gets
   * the target's tip merged into its branch and its agent started again
   * with the output, while attempts remain. A task in conflict that a resume
   * retries gets a second chance: when its merge still conflicts, its agent
   * is started again, told to merge the target into its branch and resolve.
   */
  private async merge(t: TaskState): Promise<void> {
    const target = this.state.targetBranch;
    const mergeCheck = this.opts.mergeCheck;
    try {
      if (!(await this.branchesInPlace())) return;
      if (this.opts.resumedConflicts.has(t.id) && !(await this.takeResolution(t))) return;
      this.state.merging = t.id;
      this.save(true);
      const tip = this.unlanded.at(-1)?.commit ?? this.opts.tips.read() ?? this.state.targetCommit!;
      const check: MergeCheck = async (where, commit) => {
        const record = await this.runCommand(t, 'merge', mergeCheck!, where, commit);
        return record === undefined ? undefined : record.exitCode === 0;
      };
      const r = await this.opts.merger.merge(t.branch, tip, [`Merge ${t.branch}: ${t.title}`, `specdag run ${this.state.runId}, task '${t.id}'.`], mergeCheck !== undefined ? check : undefined, false);
      delete this.state.merging;
      if (r.kind === 'merged' && r.landed === false) {
        t.commit = r.merged;
        this.unlanded.push({ t, commit: r.commit, merged: r.merged });
        if (this.mergeQueue.length === 0 || this.unlanded.length >= this.opts.maxParallel) await this.land();
        else this.save();
        return;
      }
      // Whatever else happens here happens on a target that holds every merge that passed.
      await this.land();
      if (r.kind === 'merged') {
        this.moveTarget(r.commit);
        return this.merged(t, r.commit, r.merged);
      }
      if (r.kind === 'stopped') {
        // Ctrl-C during the merge's check: the merge is dropped, the task stays done and a resume merges it again.
        this.save();
        return;
      }
      if (r.kind === 'failed') return this.fail(t, 'conflict', `merging '${t.branch}' into '${target}' failed: ${r.message}`);
      if (r.kind === 'check-failed') return await this.mergeCheckFailed(t, this.opts.tips.read() ?? this.state.targetCommit!, r.merged);
      if (r.merged) t.commit = r.merged;
      if (this.opts.resumedConflicts.delete(t.id)) {
        this.feedback.set(t.id, conflictFeedback(t.branch, target, r.conflicts));
        t.status = 'pending';
        t.reason = `merging '${t.branch}' into '${target}' still conflicts in ${r.conflicts.join(', ')}`;
        this.save();
        this.opts.progress.line(`conflict ${t.id}: its merge still conflicts in ${r.conflicts.join(', ')}; its agent is started again to merge '${target}' into its branch and resolve`);
        return;
      }
      this.fail(
        t,
        'conflict',
        `merging '${t.branch}' into '${target}' conflicts in ${r.conflicts.join(', ')}; the merge was aborted and its branch and worktree (${t.worktree}) are kept: resolve there (git merge ${target}, then commit) and resume`,
      );
    } catch (err) {
      delete this.state.merging;
      this.fail(t, err instanceof TaskError && /setup command failed/.test(err.message) ? 'setup' : 'conflict', messageOf(err));
    }
  }

  /**
   * The task passes its check alone but its merge fails the check: the
   * merge was dropped (the target did not move). While attempts remain, the
   * target's tip is merged into the task's branch and its agent is started
   * again with the output; then `merge-verify`.
   */
  private async mergeCheckFailed(t: TaskState, tip: string, merged: string): Promise<void> {
    const target = this.state.targetBranch;
    t.commit = merged;
    const check = t.checks!.at(-1)!;
    if (!this.attemptsLeft(t)) {
      return this.fail(
        t,
        'merge-verify',
        `it passes its check alone, but merged into '${target}' the check '${check.command}' ${exitText(check)} (log: ${check.log}); the merge was dropped and '${target}' did not move`,
      );
    }
    const { git } = this.opts;
    // A merge of ours left there by a run that died (the task was judged done, so nothing else can be half merged there).
    if ((await git.resolve(t.worktree, 'MERGE_HEAD')) !== undefined) await git.run(t.worktree, ['merge', '--abort']);
    const r = await git.exec(t.worktree, ['merge', '--no-edit', '-m', `Merge ${target} into ${t.branch}`, '-m', `specdag run ${this.state.runId}: its merge into '${target}' failed the check; bringing '${target}' in so its agent sees why.`, tip]);
    let conflicts: string[] = [];
    if (r.code === 0) t.startCommit = tip;
    else {
      conflicts = (await git.run(t.worktree, ['diff', '--name-only', '--diff-filter=U', '-z'])).split('\0').filter(Boolean);
      if ((await git.resolve(t.worktree, 'MERGE_HEAD')) !== undefined) await git.run(t.worktree, ['merge', '--abort']);
      if (conflicts.length === 0) return this.fail(t, 'merge-verify', `its merge into '${target}' failed the check, and merging '${target}' into its branch failed: ${firstLine(r.stderr || r.stdout)}`);
    }
    this.feedback.set(t.id, checkFailedSection(check, target, conflicts));
    t.status = 'pending';
    t.reason = `merged into '${target}', the check '${check.command}' ${exitText(check)}`;
    this.save();
    this.opts.progress.retry(t, check, this.opts.retries + 1 - this.starts(t));
  }

  /**
   * Before a resume retries the merge of a task in conflict: a resolution
   * the user left uncommitted in the task's worktree is committed (what is
   * left there is committed, as for an agent); one still under way (paths
   * unmerged) keeps the task in conflict, with nothing started.
   */
  private async takeResolution(t: TaskState): Promise<boolean> {
    const { git } = this.opts;
    const st = await git.status(t.worktree);
    if (st.unmerged.length > 0) {
      this.opts.resumedConflicts.delete(t.id);
      this.fail(t, 'conflict', `${t.worktree} still has unmerged paths (${st.unmerged.join(', ')}); finish resolving them there (git add, then git commit) and resume`);
      return false;
    }
    if (st.changed.length > 0 && st.branch === t.branch) {
      await git.run(t.worktree, ['add', '-A']);
      await git.run(t.worktree, ['commit', '--quiet', '--no-edit', '-m', `${t.id}: resolve the merge with ${this.state.targetBranch}`]);
    }
    return true;
  }
}

/** Git operations left half done in a worktree (their marker files in its git folder). */
function unfinishedOperations(worktree: string): string[] {
  const gitDir = gitDirOf(worktree);
  return gitDir === undefined ? [] : ['MERGE_HEAD', 'CHERRY_PICK_HEAD', 'REVERT_HEAD'].filter((f) => existsSync(join(gitDir, f)));
}

/** Files larger than this are not searched for conflict markers (nobody resolves a merge in them by hand). */
const MARKER_SCAN_BYTES = 4 * 1024 * 1024;

/**
 * The files (of `paths`, as they are in the worktree) that hold a conflict
 * left as git writes it: a line `<<<<<<< `, then `=======`, then
 * `>>>>>>> `, all at the start of their line. Binary files are passed over.
 */
export function conflictMarkers(worktree: string, paths: string[]): string[] {
  const found: string[] = [];
  for (const path of paths) {
    let data: Buffer;
    try {
      const file = join(worktree, path);
      if (statSync(file).size > MARKER_SCAN_BYTES) continue;
      data = readFileSync(file);
    } catch {
      continue; // deleted, or a folder (a submodule)
    }
    if (data.subarray(0, 8000).includes(0)) continue;
    let stage = 0;
    for (const line of data.toString('utf8').split('\n')) {
      if (stage === 0 && /^<{7}(?: |\r?$)/.test(line)) stage = 1;
      else if (stage === 1 && /^={7}\r?$/.test(line)) stage = 2;
      else if (stage === 2 && /^>{7}(?: |\r?$)/.test(line)) {
        found.push(path);
        break;
      }
    }
  }
  return found;
}

/** How a command ended, for a sentence: "exited with code 1", "was stopped after the time limit". */
function exitText(check: CheckRecord): string {
  return check.exitCode === null ? 'was stopped (it ran past the time limit)' : `exited with code ${check.exitCode}`;
}

/** The section that ends the prompt of an agent started again after its merge conflicted. */
export function conflictFeedback(branch: string, target: string, paths: string[]): string {
  return [
    '## The merge conflicted',
    '',
    `Your branch \`${branch}\` could not be merged into \`${target}\`: both changed ${paths.map((p) => `\`${p}\``).join(', ')}.`,
    `Merge \`${target}\` into your branch (\`git merge ${target}\`), resolve the conflicts so that the work of both sides is kept, and commit.`,
  ].join('\n');
}

function messageOf(err: unknown): string {
  if (err instanceof TaskError) return err.message;
  if (err instanceof GitError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
