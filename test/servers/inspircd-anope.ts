/**
 * InspIRCd 3 linked to Anope 2 services (NickServ, SASL PLAIN, account-tag, extended-join, account-notify,
 * WHOX, a cloaked host), on free loopback ports, from the templates in ./inspircd. `crash()` kills the ircd
 * (SIGKILL) and leaves services waiting to relink; `restart()` brings it back on the same ports.
 */
import { join } from 'node:path';
import { findServer } from './find-server.js';
import {
  ServerProcess,
  freePorts,
  makeRunDir,
  removeRunDir,
  renderTemplate,
  serviceUser,
  startedOrCleanedUp,
  waitForPort,
  type RunAs,
} from './server-process.js';

export interface InspircdOptions {
  /** Lines a client may send at once before InspIRCd quits it with "Excess Flood". */
  readonly floodBurst?: number;
  /** Lines per second InspIRCd lets a client send after the burst. */
  readonly floodLinesPerSecond?: number;
}

const SERVER_NAME = 'irc.inspircd.test';
const STARTUP_MS = 15_000;

export class InspircdWithAnope {
  readonly host = '127.0.0.1';
  private ircd: ServerProcess | undefined;
  private services: ServerProcess | undefined;

  private constructor(
    readonly port: number,
    /** Clients over TLS (a self-signed certificate: clients must not verify it). */
    readonly tlsPort: number,
    private readonly dir: string,
    private readonly runAs: RunAs | undefined,
  ) {}

  static async start(options: InspircdOptions = {}): Promise<InspircdWithAnope> {
    // Both programs are looked up before anything is started, so a missing one fails in one line.
    findServer('inspircd', 'inspircd');
    findServer('anope', 'anope');
    const runAs = serviceUser();
    const [clientPort = 0, linkPort = 0, tlsPort = 0] = await freePorts(3);
    const dir = makeRunDir(runAs);
    const values = {
      clientPort,
      linkPort,
      tlsPort,
      dir,
      linkPassword: `link-${process.pid}-${clientPort}`,
      floodBurst: options.floodBurst ?? 30,
      floodCommandRate: (options.floodLinesPerSecond ?? 20) * 1000,
      cloakKey: `firebell-test-cloak-key-${clientPort}-0123456789`,
    };
    const server = new InspircdWithAnope(clientPort, tlsPort, dir, runAs);
    return startedOrCleanedUp(server, async () => {
      renderTemplate('inspircd/inspircd.conf', join(dir, 'inspircd.conf'), values, runAs);
      renderTemplate('inspircd/services.conf', join(dir, 'services.conf'), values, runAs);
      for (const file of ['inspircd.motd', 'services.motd'])
        renderTemplate('inspircd/motd.txt', join(dir, file), {}, runAs);
      for (const file of ['tls-cert.pem', 'tls-key.pem'])
        renderTemplate(`inspircd/${file}`, join(dir, file), {}, runAs);
      await server.startIrcd();
      await server.startServices();
    });
  }

  /** Freezes the ircd (SIGSTOP): connections stay open, nothing is read or answered until `thaw()`. */
  freeze(): void {
    this.ircd?.pause();
  }

  thaw(): void {
    this.ircd?.resume();
  }

  /** Kills the ircd as a crash would; services stay up and keep trying to relink. */
  async crash(): Promise<void> {
    await this.ircd?.stop('SIGKILL');
  }

  /** Starts the ircd again and waits until services have relinked. */
  async restart(): Promise<void> {
    const seen = this.services?.log().length ?? 0;
    await this.startIrcd();
    await this.services?.waitForOutput(
      `${SERVER_NAME} (firebell test server) is done syncing`,
      STARTUP_MS,
      seen,
    );
  }

  async stop(): Promise<void> {
    await this.services?.stop();
    await this.ircd?.stop();
    removeRunDir(this.dir);
  }

  /** What the daemons printed, for a failing test's message. */
  logs(): string {
    return `--- inspircd\n${this.ircd?.log() ?? ''}\n--- anope\n${this.services?.log() ?? ''}`;
  }

  private async startIrcd(): Promise<void> {
    const args = ['--config', join(this.dir, 'inspircd.conf'), '--nofork', '--nopid'];
    if (!this.runAs && process.getuid?.() === 0) args.push('--runasroot');
    this.ircd = new ServerProcess('inspircd', findServer('inspircd', 'inspircd'), args, {
      cwd: this.dir,
      runAs: this.runAs,
    });
    await waitForPort(this.port, STARTUP_MS);
  }

  private async startServices(): Promise<void> {
    const args = [
      '--nofork',
      `--confdir=${this.dir}`,
      `--dbdir=${this.dir}`,
      `--logdir=${this.dir}`,
      '--modulesdir=/usr/lib/anope',
      '--localedir=/usr/share/anope/locale',
      '--config=services.conf',
    ];
    this.services = new ServerProcess('anope', findServer('anope', 'anope'), args, {
      cwd: this.dir,
      runAs: this.runAs,
    });
    await this.services.waitForOutput(`${SERVER_NAME} (firebell test server) is done syncing`, STARTUP_MS);
  }
}
