/**
 * The bridge on real servers: InspIRCd 3 with Anope (test/servers) and the test homeserver
 * (test/matrix-homeserver), firebell's core with the real IRC and Matrix adapters and the bridge, the long
 * message page on a free loopback port, and people on each side: on IRC `ana` (logged in to her account;
 * the contact Ana) and `bob` (no account) through raw sockets; on Matrix Ana (`@ana:example.org`, the
 * same contact) and zed (nobody's contact) through the HTTP API. Shared by the end-to-end tests and the
 * bridge benchmark; one set of servers per file.
 */
import type { Config } from '../../../src/config/config.js';
import { KeyValueLongMessages } from '../../../src/core/bridge/long-messages.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import { startLongMessagePage, type LongMessagePage } from '../../../src/http/long-message-page.js';
import type { MatrixTuning } from '../../../src/networks/matrix/tuning.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { TestMatrixClient } from '../../matrix-homeserver/test-client.js';
import { FAST, until } from '../../networks/matrix/harness.js';
import { InspircdWithAnope } from '../../servers/inspircd-anope.js';
import { IrcTestClient } from '../../servers/irc-test-client.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { startFirebellInstance, type Instance as BaseInstance } from './firebell-instance.js';

export { until };

export const CHANNEL = '#infra';
export const ROOM = '#infra:example.org';
const PASSWORDS: Readonly<Record<string, string>> = {
  fbone: 'bot-one-pass',
  fbtwo: 'bot-two-pass',
  ana: 'ana-pass-123',
};

export interface Instance extends BaseInstance {
  readonly matrixUser: TestUser;
}

export interface LiveWorld {
  readonly ircd: InspircdWithAnope;
  readonly hs: TestHomeserver;
  readonly roomId: string;
  readonly page: LongMessagePage;
  readonly publicUrl: string;
  readonly one: Instance;
  readonly people: {
    readonly ana: IrcTestClient;
    readonly bob: IrcTestClient;
    readonly anaMatrix: TestMatrixClient;
    readonly zed: TestMatrixClient;
  };
  readonly users: { readonly ana: TestUser; readonly zed: TestUser };
  /** A second firebell in the same channel and room (for loop tests). */
  startSecond(): Promise<Instance>;
  stop(): Promise<void>;
}

export interface LiveOptions {
  readonly logger?: Logger;
  /** IRC pacing for the bots (the benchmark raises it to measure the configured rate). */
  readonly pacing?: { burst: number; linesPerSecond: number; queueLimit: number };
  /** Overrides of the bridge settings (the benchmark ignores its own raw senders). */
  readonly bridge?: Partial<Config['bridge']>;
  /** The Matrix adapter's timings; the tests' short ones (FAST) when absent. */
  readonly matrixTuning?: Partial<MatrixTuning>;
}

/** Waits until `nick` is in the channel, as `client` sees it (NAMES, asked again until the deadline). */
export async function inChannel(client: IrcTestClient, nick: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const from = client.lines.length;
    client.send(`NAMES ${CHANNEL}`);
    const names = await client.waitFor((line) => line.message.command === '366', { from, what: 'NAMES' });
    const listed = client.lines
      .slice(from, client.lines.indexOf(names))
      .some(
        (line) =>
          line.message.command === '353' &&
          (line.message.params.at(-1) ?? '').split(' ').some((name) => name.replace(/^[~&@%+]/, '') === nick),
      );
    if (listed) return;
    if (performance.now() > deadline)
      throw new Error(`${nick} did not join ${CHANNEL} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startLiveWorld(options: LiveOptions = {}): Promise<LiveWorld> {
  const logger = options.logger ?? silentLogger;
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  const stop = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Keep stopping the rest.
      }
    }
  };
  try {
    const ircd = await InspircdWithAnope.start({ floodBurst: 50, floodLinesPerSecond: 50 });
    cleanup.push(() => ircd.stop());
    await Promise.all(
      Object.entries(PASSWORDS).map(async ([account, password]) => {
        const client = await IrcTestClient.connect({ port: ircd.port, nick: account });
        client.say('NickServ', `REGISTER ${password} ${account}@firebell.test`);
        await client.waitFor((line) => line.message.command === '900', { what: `${account} registered` });
        await client.quit();
      }),
    );
    const hs = await TestHomeserver.start({ serverName: 'example.org' });
    cleanup.push(() => hs.stop());
    const users = {
      ana: hs.createUser('ana', { displayname: 'Ana' }),
      zed: hs.createUser('zed', { displayname: 'zed' }),
    };
    const roomId = hs.createRoom(users.ana.userId, { preset: 'public_chat', room_alias_name: 'infra' });
    hs.join(users.zed.userId, roomId);

    const longMessages = new KeyValueLongMessages(new MemoryKeyValueStore());
    const page = await startLongMessagePage({ listen: '127.0.0.1:0', store: longMessages, logger });
    cleanup.push(() => page.close());
    const publicUrl = `http://127.0.0.1:${page.port}`;

    const instance = async (nick: string, localpart: string, watcher?: IrcTestClient): Promise<Instance> => {
      const matrixUser = hs.createUser(localpart, { displayname: localpart });
      hs.join(matrixUser.userId, roomId);
      const started = await startFirebellInstance({
        ircPort: ircd.port,
        nick,
        password: PASSWORDS[nick] as string,
        channel: CHANNEL,
        homeserver: hs.url,
        matrixUser,
        room: ROOM,
        publicUrl,
        longMessages,
        logger,
        ...(options.pacing ? { pacing: options.pacing } : {}),
        ...(options.bridge ? { bridge: options.bridge } : {}),
        matrixTuning: options.matrixTuning ?? FAST,
      });
      cleanup.push(() => started.firebell.stop());
      if (watcher) await inChannel(watcher, nick);
      return { ...started, matrixUser };
    };

    const one = await instance('fbone', 'firebell');
    const ana = await IrcTestClient.connect({
      port: ircd.port,
      nick: 'ana',
      sasl: { account: 'ana', password: PASSWORDS.ana as string },
    });
    const bob = await IrcTestClient.connect({ port: ircd.port, nick: 'bob' });
    cleanup.push(
      () => ana.quit(),
      () => bob.quit(),
    );
    await ana.join(CHANNEL);
    await bob.join(CHANNEL);
    await inChannel(bob, 'fbone');
    const anaMatrix = new TestMatrixClient(hs.url, users.ana.token);
    const zed = new TestMatrixClient(hs.url, users.zed.token);
    await anaMatrix.follow();
    await zed.follow();
    cleanup.push(
      () => anaMatrix.stop(),
      () => zed.stop(),
    );

    return {
      ircd,
      hs,
      roomId,
      page,
      publicUrl,
      one,
      people: { ana, bob, anaMatrix, zed },
      users,
      startSecond: () => instance('fbtwo', 'firebell2', bob),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
