/**
 * A bare ngIRCd (no services, no SASL, no account tags) on a free loopback port, from ./ngircd/ngircd.conf.
 */
import { join } from 'node:path';
import { findServer } from './find-server.js';
import {
  ServerProcess,
  freePort,
  makeRunDir,
  removeRunDir,
  renderTemplate,
  serviceUser,
  startedOrCleanedUp,
  waitForPort,
  type RunAs,
} from './server-process.js';

const STARTUP_MS = 15_000;

export class Ngircd {
  readonly host = '127.0.0.1';
  private process: ServerProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly runAs: RunAs | undefined,
  ) {}

  static async start(): Promise<Ngircd> {
    findServer('ngircd', 'ngircd');
    const runAs = serviceUser();
    const port = await freePort();
    const dir = makeRunDir(runAs);
    const server = new Ngircd(port, dir, runAs);
    return startedOrCleanedUp(server, async () => {
      renderTemplate('ngircd/ngircd.conf', join(dir, 'ngircd.conf'), { clientPort: port }, runAs);
      await server.startDaemon();
    });
  }

  /** Freezes the ircd (SIGSTOP): connections stay open, nothing is read or answered until `thaw()`. */
  freeze(): void {
    this.process?.pause();
  }

  thaw(): void {
    this.process?.resume();
  }

  /** Kills the server as a crash would. */
  async crash(): Promise<void> {
    await this.process?.stop('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.startDaemon();
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    removeRunDir(this.dir);
  }

  logs(): string {
    return this.process?.log() ?? '';
  }

  private async startDaemon(): Promise<void> {
    this.process = new ServerProcess(
      'ngircd',
      findServer('ngircd', 'ngircd'),
      ['--nodaemon', '--config', join(this.dir, 'ngircd.conf')],
      {
        cwd: this.dir,
        runAs: this.runAs,
      },
    );
    await waitForPort(this.port, STARTUP_MS);
  }
}
