/**
 * A real `firebell` process for end-to-end tests: the built CLI, a config written into a temp dir, the
 * shell network on stdin/stdout (a pipe, hence `--shell`). Lines are recorded with the time they arrived, so tests can check when
 * something happened, not only that it did.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface Line {
  readonly text: string;
  readonly at: number;
}

export class FirebellProcess {
  readonly lines: Line[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private waiters: Array<() => void> = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    // The shell network reads this process's stdin, a pipe: that is opt-in (`--shell`), since without a
    // terminal firebell otherwise turns the shell off or refuses to start (issue 13, item 2).
    const command = args[0] === 'run' && !args.includes('--shell') ? [...args, '--shell'] : args;
    this.child = spawn(process.execPath, [CLI, ...command], {
      env: { ...process.env, FIREBELL_LOG_LEVEL: 'info', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (text) => {
      this.lines.push({ text, at: Date.now() });
      for (const wake of this.waiters.splice(0)) wake();
    });
    createInterface({ input: this.child.stderr }).on('line', (text) => this.stderr.push(text));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  type(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Closes standard input, as Ctrl-D or the end of a pipe does. */
  endInput(): void {
    this.child.stdin.end();
  }

  /** Waits for a stdout line matching `pattern`, up to `timeoutMs`. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => pattern.test(line.text));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no line matching ${pattern} within ${timeoutMs} ms; got:\n${this.lines.map((l) => l.text).join('\n')}\nstderr:\n${this.stderr.slice(-20).join('\n')}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  count(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line.text)).length;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** Writes a config directory (config/firebell.yaml, config/contacts.yaml, whitelist.yaml) under `root`. */
export function writeConfig(
  root: string,
  files: { firebell: string; contacts: string; whitelist: string },
): string {
  const dir = join(root, 'config');
  for (const [path, content] of [
    [join(dir, 'firebell.yaml'), files.firebell],
    [join(dir, 'contacts.yaml'), files.contacts],
    [join(root, 'whitelist.yaml'), files.whitelist],
  ] as const) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}
