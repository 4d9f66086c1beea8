/**
 * One firebell as the bridge tests and benchmarks run it: the real core with the bridge, the real IRC
 * adapter (SASL) and Matrix adapter, on servers started elsewhere (live-world.ts, or the benchmark's own
 * processes). Resolves once it is connected to both. Tests keep its store in memory; benchmarks give it a
 * file, so that what they measure includes the fsyncs users' firebell waits for.
 */
import type { Config } from '../../../src/config/config.js';
import { Bridge } from '../../../src/core/bridge/bridge.js';
import { JournaledLongMessages, type LongMessageStore } from '../../../src/core/bridge/long-messages.js';
import { systemClock } from '../../../src/core/clock.js';
import { Firebell } from '../../../src/core/firebell.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import { IrcNetwork } from '../../../src/networks/irc/irc-network.js';
import { MatrixNetwork } from '../../../src/networks/matrix/matrix-network.js';
import type { MatrixTuning } from '../../../src/networks/matrix/tuning.js';
import { DurableState } from '../../../src/core/durable-state.js';
import type { KeyValueStore, Store } from '../../../src/core/store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import { ircConfig } from '../../networks/irc/helpers.js';
import { botConfig, until } from '../../networks/matrix/harness.js';
import { testConfig } from '../../support/config-fixture.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { openDurable, TestStore } from '../../support/test-store.js';
import { infraGroup } from './world.js';

export interface InstanceOptions {
  readonly ircPort: number;
  readonly nick: string;
  readonly password: string;
  readonly channel: string;
  readonly homeserver: string;
  readonly matrixUser: { readonly userId: string; readonly token: string };
  /** The room as configured (an alias). */
  readonly room: string;
  readonly publicUrl: string;
  /** Where long relayed messages go; the instance's own store when absent. */
  readonly longMessages?: LongMessageStore;
  readonly logger?: Logger;
  /** IRC pacing; the test default (fast) when absent. */
  readonly pacing?: { burst: number; linesPerSecond: number; queueLimit: number };
  readonly bridge?: Partial<Config['bridge']>;
  readonly matrixTuning?: Partial<MatrixTuning>;
  /**
   * The SQLite file to keep the store in, opened as firebell opens it (WAL, synchronous=FULL), with the
   * Matrix adapter's state in it as in src/app.ts; in memory, beside an in-memory key-value state, when
   * absent.
   */
  readonly storeFile?: string;
}

export interface Instance {
  readonly firebell: Firebell;
  readonly irc: IrcNetwork;
  readonly matrix: MatrixNetwork;
  readonly nick: string;
}

export async function startFirebellInstance(options: InstanceOptions): Promise<Instance> {
  const logger = options.logger ?? silentLogger;
  const { nick, channel, room, publicUrl } = options;
  const { store, durable, kv } = await openInstanceStore(options.storeFile, logger);
  const longMessages =
    options.longMessages ??
    new JournaledLongMessages({ journal: durable.journal, store, keyValues: durable.keyValues });
  const base = testConfig();
  const config: Config = {
    ...base,
    bot: { ...base.bot, name: nick, publicUrl },
    bridge: { ...base.bridge, ...options.bridge },
    groups: [
      {
        ...infraGroup,
        members: [
          { network: 'libera', conversation: channel, topic: false, status: true },
          { network: 'matrix', conversation: room, topic: false, status: true },
        ],
      },
    ],
  };
  const irc = new IrcNetwork(
    ircConfig({
      id: 'libera',
      port: options.ircPort,
      nick,
      sasl: { account: nick, password: options.password },
      ...(options.pacing ? { pacing: options.pacing } : {}),
    }),
    { clock: systemClock, logger, channels: [{ name: channel }], adminContact: 'ops@firebell.test' },
  );
  const matrix = new MatrixNetwork(
    botConfig({ url: options.homeserver }, options.matrixUser),
    { clock: systemClock, logger, kv, rooms: [room], mayInvite: () => false },
    options.matrixTuning,
  );
  const firebell = new Firebell({
    config,
    durable,
    networks: [irc, matrix],
    clock: systemClock,
    logger,
    relay: (core) =>
      new Bridge({
        ...core,
        clock: systemClock,
        logger,
        config: config.bridge,
        botName: nick,
        publicUrl,
        longMessages,
      }),
  });
  try {
    await firebell.start();
    await until(
      () => irc.connectionState() === 'connected' && matrix.connectionState() === 'connected',
      `${nick} to connect to both servers`,
      15_000,
    );
  } catch (error) {
    await firebell.stop();
    throw error;
  }
  return { firebell, irc, matrix, nick };
}

async function openInstanceStore(
  file: string | undefined,
  logger: Logger,
): Promise<{ store: Store; durable: DurableState; kv: KeyValueStore }> {
  if (file === undefined) {
    const store = new TestStore();
    return { store, durable: await openDurable(store, systemClock), kv: new MemoryKeyValueStore() };
  }
  const store = openSqliteStore(file, { logger });
  const durable = await DurableState.open(store, { clock: systemClock, logger });
  return { store, durable, kv: durable.keyValues };
}
