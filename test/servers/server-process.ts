/**
 * Plumbing for the real IRC servers the tests start: free loopback ports, configs rendered from the
 * templates in this folder into a temporary directory, processes started (as the `irc` user when the tests
 * run as root: InspIRCd refuses root, Anope sleeps 3 s as a warning) and stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The templates live next to the TypeScript sources; the compiled tests run from dist/. */
export const TEMPLATE_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'test',
  'servers',
);

/** `count` distinct free loopback ports: all are held open until every one is found, then released. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/** The `irc` system user when we are root, so the daemons run as they would in production. */
export function serviceUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('irc:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/** A temporary directory the daemons can write to. */
export function makeRunDir(runAs: RunAs | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'firebell-irc-'));
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Renders `template` with `{{name}}` placeholders into `target`; a placeholder left unfilled is an error. */
export function renderTemplate(
  template: string,
  target: string,
  values: Record<string, string | number>,
  runAs: RunAs | undefined,
): void {
  const text = readFileSync(join(TEMPLATE_DIR, template), 'utf8').replace(
    /\{\{(\w+)\}\}/g,
    (match, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`${template}: no value for ${match}`);
      return String(value);
    },
  );
  writeFileSync(target, text);
  if (runAs) chownSync(target, runAs.uid, runAs.gid);
}

export function chownTree(dir: string, runAs: RunAs | undefined): void {
  if (!runAs) return;
  chownSync(dir, runAs.uid, runAs.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) chownTree(path, runAs);
    else chownSync(path, runAs.uid, runAs.gid);
  }
}

export class ServerProcess {
  private output = '';
  private readonly child: ChildProcess;
  private readonly exit: Promise<void>;
  private exited = false;

  constructor(
    readonly name: string,
    command: string,
    args: readonly string[],
    options: { cwd: string; runAs: RunAs | undefined },
  ) {
    this.child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
    const collect = (chunk: Buffer): void => {
      // Keep the tail only: a long run must not grow memory without bound.
      this.output = (this.output + chunk.toString('utf8')).slice(-200_000);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exit = new Promise((resolve) => {
      this.child.once('exit', () => {
        this.exited = true;
        resolve();
      });
      // A program that cannot be started (gone, not executable) is reported, not an uncaught crash.
      this.child.once('error', (error) => {
        collect(Buffer.from(`${name} could not be started: ${error.message}\n`));
        this.exited = true;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Everything the process printed (the tail). */
  log(): string {
    return this.output;
  }

  /** Resolves when the output contains `text` after `fromLength` characters; rejects at the deadline or exit. */
  async waitForOutput(text: string, timeoutMs: number, fromLength = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.slice(fromLength).includes(text)) {
      if (this.exited)
        throw new Error(`${this.name} exited before printing "${text}":\n${this.output.slice(-2000)}`);
      if (Date.now() > deadline)
        throw new Error(
          `${this.name} did not print "${text}" within ${timeoutMs} ms:\n${this.output.slice(-2000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Freezes the process (SIGSTOP): its sockets stay open, but it reads and answers nothing. */
  pause(): void {
    if (!this.exited) process.kill(this.pid, 'SIGSTOP');
  }

  /** Lets a frozen process go on (SIGCONT). */
  resume(): void {
    if (!this.exited) process.kill(this.pid, 'SIGCONT');
  }

  /** Stops the process by pid: `signal` first, SIGKILL if it is still there after a while. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    // A frozen process would not act on a catchable signal until it runs again (SIGKILL needs no help,
    // and a crash must not let it read what waits in its socket first).
    if (signal !== 'SIGKILL') process.kill(this.pid, 'SIGCONT');
    process.kill(this.pid, signal);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3000).unref());
    if ((await Promise.race([this.exit, timer])) === 'timeout' && !this.exited) {
      process.kill(this.pid, 'SIGKILL');
      await this.exit;
    }
  }
}

/** Polls until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Runs `start`; if it fails, stops what was started (processes, temp dir) before passing the error on. */
export async function startedOrCleanedUp<T extends { stop(): Promise<void> }>(
  server: T,
  start: () => Promise<void>,
): Promise<T> {
  try {
    await start();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
