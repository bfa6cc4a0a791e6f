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
    const why = t.timedOut ? 'timed out' : typeof t.exitCode === 'number' ? `exit ${t.exitCode}` : t.signal ? `signal ${t.signal}` : undefined;
    const reason = t.reason && !t.timedOut && typeof t.exitCode !== 'number' ? `\n  ${t.reason}` : '';
    this.line(`${this.p.red('failed')} ${t.id}${why ? ` (${why})` : ''}, log: ${shownPath(t.log, this.cwd)}${reason}`);
  }

  conflict(t: TaskState): void {
    this.line(`${this.p.red('conflict')} ${t.id}: ${t.reason ?? 'the merge conflicts'}`);
  }

  skipped(t: TaskState): void {
    if (t.alreadyDone || t.draft) this.event(`skipped ${t.id} (${t.reason})`);
    else this.line(`${this.p.yellow('skipped')} ${t.id} (${t.reason})`);
  }

  outsideOwns(t: TaskState): void {
    if (t.outsideOwns.length === 0) return;
    const n = t.outsideOwns.length;
    this.line(`${this.p.yellow('warning')} ${t.id} changed ${n} file${n === 1 ? '' : 's'} outside its owns: ${t.outsideOwns.join(', ')}`);
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
    const running = this.tasks.filter((t) => t.status === 'running').map((t) => t.id);
    const bad = count('failed') + count('conflict');
    const list = running.length ? ` (${running.slice(0, 3).join(', ')}${running.length > 3 ? ', …' : ''})` : '';
    const parts = [`${running.length} running${list}`, `${count('merged') + count('done')} done`, `${bad} failed`, `${count('pending')} pending`, duration(Date.now() - this.startedAt)];
    // Plain text: a coloured line cannot be cut to the terminal's width safely.
    let text = `specdag: ${parts.join(' · ')}`;
    const width = (this.out as { columns?: number }).columns || 100;
    if (text.length > width - 1) text = `${text.slice(0, Math.max(10, width - 2))}…`;
    this.out.write(`\r\u001b[K${text}`);
    this.statusShown = true;
  }
}
