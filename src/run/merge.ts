import { existsSync } from 'node:fs';
import type { Git } from './git.js';
import type { Lock } from './lock.js';
import { realish } from './preflight.js';
import { gitDirOf } from './recover.js';
import { detachedHead, readBranches } from './refs.js';
import { firstLine, TaskError } from './worktree.js';

export type MergeResult =
  | {
      kind: 'merged';
      /** The merge commit, now the target's tip (or, when `landed` is false, the scratch worktree's: passed, not landed yet). */
      commit: string;
      /** The commit merged in (the second parent). */
      merged: string;
      /** False: the merge passed its check, and the target waits for `land`. */
      landed?: false;
    }
  | { kind: 'conflict'; /** Paths that conflict. */ conflicts: string[]; /** The commit that was to be merged. */ merged?: string }
  | { kind: 'failed'; message: string }
  /** The merge was made but its check failed: it was dropped, and the target did not move. */
  | { kind: 'check-failed'; commit: string; merged: string }
  /** The check was stopped (Ctrl-C): the merge was dropped, the target did not move. */
  | { kind: 'stopped' };

/** Runs the merge check in `where` on `commit`: true passes, false fails, undefined was stopped. */
export type MergeCheck = (where: string, commit: string) => Promise<boolean | undefined>;

export interface GateOptions {
  /** The scratch worktree, at a detached commit: specdag's own, never the user's. */
  worktree: string;
  worktreeLock: Lock;
  /** Sets the scratch worktree up (PROJECT.md's setup) unless that was done: true when it is set up. */
  setup?: (where: string) => Promise<boolean>;
}

/**
 * Merges into the target branch with `--no-ff`: the target only ever moves
 * by such merges, one at a time (the caller holds the lock). A merge that
 * conflicts is aborted, so nothing is left half done.
 *
 * With a check (PROJECT.md's verify), the merge is made in a scratch
 * worktree at a detached commit and checked there; only a merge that passes
 * reaches the target branch, as a fast-forward of its worktree to that very
 * commit. So the target never points at a commit that failed. The scratch
 * worktree stays at the last merge: when that merge passed it is the
 * target's tip, and the next merge starts from it without a checkout.
 */
export class Merger {
  private gateHead: string | undefined;
  private gateReady = false;
  private gateAhead: Promise<void> | undefined;
  private targetAhead: Promise<void> | undefined;

  constructor(
    private readonly git: Git,
    private readonly root: string,
    private readonly targetWorktree: string,
    /** The repository's common git folder, where branch tips can be read without starting git. */
    private readonly commonDir: string,
    private readonly targetBranch: string,
    private readonly gate?: GateOptions,
  ) {}

  get gated(): boolean {
    return this.gate !== undefined;
  }

  /**
   * Merges `ref` into the target, whose tip is `tip` (the caller knows it).
   * With a check and `land` false, a merge that passes stays in the scratch
   * worktree (`landed: false`) and the next merge builds on it; the caller
   * brings the target there with `land`, before anything else touches it.
   */
  async merge(ref: string, tip: string, messages: string[], check?: MergeCheck, land = true): Promise<MergeResult> {
    const msg = messages.flatMap((m) => ['-m', m]);
    if (!this.gate || !check) {
      const missing = await this.targetMissing();
      return missing === undefined ? this.mergeHere(this.targetWorktree, ref, msg, true) : { kind: 'failed', message: missing };
    }
    const gate = this.gate.worktree;
    // Made ahead (prepareGate) or now; a failure ahead is met again here, where the merge reports it.
    await this.idle();
    await this.ensureGate(tip);
    if (this.gateHead !== tip) {
      await this.git.run(gate, ['reset', '--hard', '--quiet', tip]);
      this.gateHead = tip;
    }
    const made = await this.mergeHere(gate, ref, msg, false);
    if (made.kind !== 'merged' || made.commit === tip) return made;
    this.gateHead = made.commit;
    const passed = await check(gate, made.commit);
    if (passed === undefined) return { kind: 'stopped' };
    if (!passed) return { kind: 'check-failed', commit: made.commit, merged: made.merged };
    if (!land) return { ...made, landed: false };
    const failed = await this.land(made.commit);
    return failed === undefined ? made : { kind: 'failed', message: failed };
  }

  /**
   * Brings the target branch and its worktree to a merge (or the last of
   * several in a row) that passed in the scratch worktree: a fast-forward,
   * so the target only ever points at checked commits. Undefined when done,
   * else why not.
   */
  async land(commit: string): Promise<string | undefined> {
    const missing = await this.targetMissing();
    if (missing !== undefined) return missing;
    const ff = await this.git.exec(this.targetWorktree, ['merge', '--ff-only', '--quiet', commit]);
    return ff.code === 0 ? undefined : `the checked merge ${commit.slice(0, 7)} could not be brought to the target worktree: ${firstLine(ff.stderr || ff.stdout)}`;
  }

  private async mergeHere(wt: string, ref: string, msg: string[], intoTarget: boolean): Promise<MergeResult> {
    const { git } = this;
    const r = await git.exec(wt, ['merge', '--no-ff', '--no-edit', ...msg, ref]);
    if (r.code === 0) {
      const known = this.readResult(wt, ref, intoTarget);
      // (No merge commit, the commit still the tip: "already up to date", a task allowed to change nothing.)
      if (known) return { kind: 'merged', ...known };
      const both = await git.exec(wt, ['rev-parse', 'HEAD', 'HEAD^2']);
      if (both.code === 0) {
        const [commit, merged] = both.stdout.trim().split('\n');
        return { kind: 'merged', commit: commit!, merged: merged! };
      }
      const [commit, merged] = (await git.run(wt, ['rev-parse', 'HEAD', `${ref}^{commit}`])).trim().split('\n');
      return { kind: 'merged', commit: commit!, merged: merged! };
    }
    const [conflicts, mergeHead] = await Promise.all([
      git.run(wt, ['diff', '--name-only', '--diff-filter=U', '-z']).then((out) => out.split('\0').filter(Boolean)),
      git.resolve(wt, 'MERGE_HEAD'),
    ]);
    if (mergeHead !== undefined) await git.run(wt, ['merge', '--abort']);
    if (!intoTarget) this.gateHead = undefined;
    if (conflicts.length > 0) return { kind: 'conflict', conflicts, ...(mergeHead ? { merged: mergeHead } : {}) };
    return { kind: 'failed', message: firstLine(r.stderr || r.stdout) };
  }

  /**
   * After a merge: the new commit and what was merged, read from the
   * repository's files (the merges queue one at a time, so every git process
   * saved there is time saved for the whole run). Undefined when the files
   * cannot tell; git is asked then.
   */
  private readResult(wt: string, ref: string, intoTarget: boolean): { commit: string; merged: string } | undefined {
    const isSha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(ref);
    const branches = readBranches(this.commonDir, [...(intoTarget ? [this.targetBranch] : []), ...(isSha ? [] : [ref])]);
    if (!branches) return undefined;
    const gitDir = intoTarget ? undefined : gitDirOf(wt);
    const commit = intoTarget ? branches.get(this.targetBranch) : gitDir && detachedHead(gitDir);
    const merged = isSha ? ref : branches.get(ref);
    return commit && merged ? { commit, merged } : undefined;
  }

  /**
   * Makes the scratch worktree (and runs its setup) while the first tasks
   * work, behind every worktree a task waits for, so the first merge does
   * not wait for it.
   */
  prepareGate(tip: string): void {
    if (this.gate === undefined || this.gateAhead !== undefined) return;
    this.gateAhead = this.ensureGate(tip, false);
    this.gateAhead.catch(() => undefined);
  }

  /** The target's worktree, being made while the first tasks work (a new target branch): every merge there waits for it. */
  prepareTarget(made: Promise<void>): void {
    this.targetAhead = made;
    made.catch(() => undefined);
  }

  /** Undefined once the target's worktree is there, else why it is not. */
  private async targetMissing(): Promise<string | undefined> {
    try {
      await this.targetAhead;
      return undefined;
    } catch (err) {
      return `the target worktree ${this.targetWorktree} could not be added: ${err instanceof Error ? firstLine(err.message) : String(err)}`;
    }
  }

  /** Once the worktrees made ahead are ready (or failed: a merge would have said so). */
  async idle(): Promise<void> {
    await Promise.all([this.gateAhead?.catch(() => undefined), this.targetAhead?.catch(() => undefined)]);
  }

  /** The scratch worktree, detached at `tip`: created (and set up) when missing, reused as specdag left it otherwise. */
  private async ensureGate(tip: string, urgent = true): Promise<void> {
    const gate = this.gate!;
    if (this.gateReady) return;
    const { git } = this;
    const entry = (await git.worktrees(this.root)).find((w) => realish(w.path) === realish(gate.worktree));
    if (entry?.branch !== undefined) throw new TaskError(`${gate.worktree}, where specdag checks merges, is a worktree of branch '${entry.branch}'; move it away and resume`);
    if (!entry && existsSync(gate.worktree)) throw new TaskError(`${gate.worktree}, where specdag checks merges, exists and is not a worktree of this repository; move it away and resume`);
    if (!entry || !existsSync(gate.worktree)) {
      await gate.worktreeLock.run(async () => {
        if (entry) await git.run(this.root, ['worktree', 'prune']);
        await git.run(this.root, ['worktree', 'add', '--quiet', '--detach', gate.worktree, tip]);
      }, urgent);
      this.gateHead = tip;
    }
    // The setup keeps its own record of having passed there (a worktree from an earlier run is not set up again).
    if (gate.setup && !(await gate.setup(gate.worktree))) {
      throw new TaskError(`the setup command failed in ${gate.worktree}, where specdag checks merges; see the log, fix it and resume`);
    }
    this.gateReady = true;
  }
}
