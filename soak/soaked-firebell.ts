/**
 * The real firebell process under the soak: `node dist/src/cli.js run --config <dir>`, killed and started
 * again at the harness's will. An exit the harness did not cause is a crash; so is a SIGTERM that does not
 * end in exit code 0 within the grace (plus the five seconds a stuck stop gets), or a hang past that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const STDERR_TAIL_LINES = 40;

export interface ProcessCrash {
  readonly at: number;
  readonly detail: string;
  /** The exit code, when the process exited by itself. */
  readonly code?: number | null;
}

export interface SoakedFirebellOptions {
  /** Added to the process's environment (secrets the config names, such as the Matrix token). */
  readonly env?: Readonly<Record<string, string>>;
  /** Every line firebell writes to stderr (its warn-level JSON log), with when it was read. */
  readonly onStderr?: (line: string, at: number) => void;
}

export class SoakedFirebell {
  private child: ChildProcess | undefined;
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  private expected = false;
  /** An exit code that is no crash: 3 (lease lost) for an instance resumed after a takeover. */
  private expectedCode: number | undefined;
  private tail: string[] = [];
  /** When the current process was started. */
  startedAt = 0;
  starts = 0;

  constructor(
    private readonly configDir: string,
    private readonly onCrash: (crash: ProcessCrash) => void,
    private readonly stopDeadlineMs: number,
    private readonly options: SoakedFirebellOptions = {},
  ) {}

  /** The running process's id, for the harness's faults (prlimit). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.child) throw new Error('firebell is already running');
    this.expected = false;
    this.expectedCode = undefined;
    this.tail = [];
    this.startedAt = Date.now();
    this.starts += 1;
    const child = spawn(process.execPath, [CLI, 'run', '--config', this.configDir], {
      env: { ...process.env, ...this.options.env, FIREBELL_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.setEncoding('utf8');
    let partial = '';
    child.stderr?.on('data', (chunk: string) => {
      const at = Date.now();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line !== '') this.options.onStderr?.(line, at);
      this.tail.push(...lines.filter((line) => line !== ''));
      if (this.tail.length > STDERR_TAIL_LINES) this.tail.splice(0, this.tail.length - STDERR_TAIL_LINES);
    });
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (!this.expected && (code === null || code !== this.expectedCode)) {
          this.onCrash({
            at: Date.now(),
            detail: `firebell exited by itself (code ${code}, signal ${signal}): ${this.lastWords()}`,
            code,
          });
        }
        resolve({ code, signal });
      });
    });
  }

  /** Freezes the process (SIGSTOP): its connections stay open, it does nothing until `resume`. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  /**
   * Lets a paused process go on (SIGCONT) after another instance took over its lease: it must exit with
   * `code` (3, lease lost) within `deadlineMs`; another exit, or none, is a crash (then it is SIGKILLed).
   * Resolves when it exited, with when.
   */
  async resume(code: number, deadlineMs: number): Promise<number> {
    const child = this.child;
    const exit = this.exit;
    if (!child || !exit) return Date.now();
    this.expectedCode = code;
    child.kill('SIGCONT');
    const resumedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), deadlineMs);
    });
    const outcome = await Promise.race([exit, hung]);
    clearTimeout(timer);
    if (outcome === 'hung') {
      this.onCrash({
        at: resumedAt,
        detail: `resumed after its lease lapsed: still running after ${deadlineMs} ms`,
      });
      this.expected = true;
      child.kill('SIGKILL');
      await exit;
    }
    return Date.now();
  }

  /** Sends `signal` and waits for the exit; a SIGTERM must end cleanly and in time. */
  /**
   * `holdsNothing`: a standby, which holds no chat connection and no lease; one started a moment ago may
   * not have its signal handler yet and end by the SIGTERM's default action, which loses nothing.
   */
  async stop(signal: 'SIGKILL' | 'SIGTERM', holdsNothing = false): Promise<void> {
    const child = this.child;
    const exit = this.exit;
    if (!child || !exit) return;
    this.expected = true;
    child.kill(signal);
    if (signal === 'SIGKILL') {
      await exit;
      return;
    }
    const sentAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => resolve('hung'), this.stopDeadlineMs);
    });
    const outcome = await Promise.race([exit, hung]);
    // A pending deadline would keep the soak's process alive for its whole length after the last stop.
    clearTimeout(timer);
    if (outcome === 'hung') {
      this.onCrash({ at: sentAt, detail: `SIGTERM: still running after ${this.stopDeadlineMs} ms` });
      child.kill('SIGKILL');
      await exit;
    } else if (outcome.code !== 0 && !(holdsNothing && outcome.signal === 'SIGTERM')) {
      this.onCrash({
        at: sentAt,
        detail:
          `SIGTERM${holdsNothing ? ' (a standby)' : ''} ${sentAt - this.startedAt} ms after its start: ` +
          `exit code ${outcome.code}, signal ${outcome.signal}: ${this.lastWords()}`,
      });
    }
  }

  private lastWords(): string {
    return this.tail.slice(-5).join(' | ').slice(0, 600);
  }
}
