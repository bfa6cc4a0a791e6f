import { isAbsolute, relative, sep } from 'node:path';
import { paint, type Paint } from '../report/color.js';
import type { TaskState } from './state.js';

/** A path as the user best reads it: relative to the current directory when it is below it or beside it (`../x.worktrees/a`), else absolute. */
export function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  if (!rel || isAbsolute(rel)) return path;
  const up = rel.split(sep).filter((part) => part === '..').length;
  return up <= 1 ? rel.split(sep).join('/') : path;
}

export function duration(ms: number): string {
  if (ms < 9950) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * What `run` prints. On a TTY: one status line, rewritten in place (tasks
 * running, done, failed, elapsed), with events that matter (failures, files
 * outside owns) printed above it. Otherwise: one plain line per event.
 */
export class Progress {
  private readonly tty: boolean;
  private readonly p: Paint;
  private readonly startedAt = Date.now();
  private statusShown = false;
  private timer: NodeJS.Timeout | undefined;
  private tasks: TaskState[] = [];
  /** Tasks whose setup or check is running (their status stays `running`, or `done` for a merge's check). */
  private readonly inCheck = new Map<string, string>();

  constructor(
    private readonly out: Stream,
    private readonly cwd: string,
    color: boolean,
  ) {
    this.tty = out.isTTY === true;
    this.p = paint(color);
  }

  /** Starts redrawing the status line every second (TTY only). */
  begin(tasks: TaskState[]): void {
    this.tasks = tasks;
    if (!this.tty) return;
    this.timer = setInterval(() => this.draw(), 1000);
    this.timer.unref();
    this.draw();
  }

  end(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** A line every reader needs (printed on a TTY too). */
  line(text: string): void {
    this.clear();
    this.out.write(`${text}\n`);
    this.draw();
  }

  /** A routine event: a plain line off a TTY, only the status line on one. */
  event(text: string): void {
    if (this.tty) this.draw();
    else this.out.write(`${text}\n`);
  }

  started(t: TaskState): void {
    this.event(`started ${t.id}${t.attempts > 1 ? ` (attempt ${t.attempts})` : ''}`);
  }

  done(t: TaskState): void {
    this.event(`done ${t.id}, committed on ${t.branch}`);
  }

  merged(t: TaskState): void {
    this.event(`merged ${t.id}`);
  }

  failed(t: TaskState): void {
    // An agent that failed is told by its exit; any other failure (a check, no changes, setup) by its kind and its reason.
    const byAgent = t.failure === 'agent' && (typeof t.exitCode === 'number' ? t.exitCode !== 0 : t.signal !== undefined);
    const why = t.failure === 'timeout' ? 'timed out' : byAgent ? (typeof t.exitCode === 'number' ? `exit ${t.exitCode}` : `signal ${t.signal}`) : t.failure;
    const reason = t.reason && t.failure !== 'timeout' && !byAgent ? `\n  ${t.reason}` : '';
    this.line(`${this.p.red('failed')} ${t.id}${why ? ` (${why})` : ''}, log: ${shownPath(t.log, this.cwd)}${reason}`);
  }

  conflict(t: TaskState): void {
    this.line(`${this.p.red('conflict')} ${t.id}: ${t.reason ?? 'the merge conflicts'}`);
  }

  skipped(t: TaskState): void {
    if (t.alreadyDone || t.draft) this.event(`skipped ${t.id} (${t.reason})`);
    else this.line(`${this.p.yellow('skipped')} ${t.id} (${t.reason})`);
  }

  /** With `outside_owns: warn` a warning; with `fail` the failure itself says it. */
  outsideOwns(t: TaskState, mode: 'warn' | 'fail' = 'warn'): void {
    if (t.outsideOwns.length === 0 || mode === 'fail') return;
    const n = t.outsideOwns.length;
    this.line(`${this.p.yellow('warning')} ${t.id} changed ${n} file${n === 1 ? '' : 's'} outside its owns: ${t.outsideOwns.join(', ')}`);
  }

  checking(t: TaskState, kind: 'setup' | 'verify' | 'merge', command: string): void {
    const what = kind === 'setup' ? 'setting up' : kind === 'merge' ? 'checking the merge of' : 'checking';
    this.inCheck.set(t.id, what);
    this.event(`${what} ${t.id}: ${command}`);
  }

  checked(t: TaskState): void {
    this.inCheck.delete(t.id);
    if (this.tty) this.draw();
  }

  /** A failed check, and the agent started again with its output. */
  retry(t: TaskState, check: { command: string; exitCode: number | null; log: string; kind: string }, left: number): void {
    const how = check.exitCode === null ? 'was stopped' : `exited ${check.exitCode}`;
    const what = check.kind === 'merge' ? `merged into the target, '${check.command}' ${how}` : `its check '${check.command}' ${how}`;
    this.line(`${this.p.yellow('check failed')} ${t.id}: ${what} (log: ${shownPath(check.log, this.cwd)}); its agent is started again with the output (${left} attempt${left === 1 ? '' : 's'} left)`);
  }

  private clear(): void {
    if (this.tty && this.statusShown) {
      this.out.write('\r\u001b[K');
      this.statusShown = false;
    }
  }

  private draw(): void {
    if (!this.tty || this.timer === undefined) return;
    const count = (s: TaskState['status']) => this.tasks.filter((t) => t.status === s).length;
    const running = this.tasks.filter((t) => t.status === 'running' && !this.inCheck.has(t.id)).map((t) => t.id);
    const checking = [...this.inCheck.keys()];
    const bad = count('failed') + count('conflict');
    const list = (ids: string[]) => (ids.length ? ` (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''})` : '');
    const parts = [
      `${running.length} running${list(running)}`,
      ...(checking.length ? [`${checking.length} checking${list(checking)}`] : []),
      `${count('merged') + count('done')} done`,
      `${bad} failed`,
      `${count('pending')} pending`,
      duration(Date.now() - this.startedAt),
    ];
    // Plain text: a coloured line cannot be cut to the terminal's width safely.
    let text = `specdag: ${parts.join(' · ')}`;
    const width = (this.out as { columns?: number }).columns || 100;
    if (text.length > width - 1) text = `${text.slice(0, Math.max(10, width - 2))}…`;
    this.out.write(`\r\u001b[K${text}`);
    this.statusShown = true;
  }
}
