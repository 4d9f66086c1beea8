/**
 * One firebell as the bridge tests and benchmarks run it: the real core with the bridge, the real IRC
 * adapter (SASL) and Matrix adapter, on servers started elsewhere (live-world.ts, or the benchmark's own
 * processes). Resolves once it is connected to both.
 */
import type { Config } from '../../../src/config/config.js';
import { Bridge } from '../../../src/core/bridge/bridge.js';
import type { LongMessageStore } from '../../../src/core/bridge/long-messages.js';
import { systemClock } from '../../../src/core/clock.js';
import { Firebell } from '../../../src/core/firebell.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import { IrcNetwork } from '../../../src/networks/irc/irc-network.js';
import { MatrixNetwork } from '../../../src/networks/matrix/matrix-network.js';
import type { MatrixTuning } from '../../../src/networks/matrix/tuning.js';
import { ircConfig } from '../../networks/irc/helpers.js';
import { botConfig, until } from '../../networks/matrix/harness.js';
import { testConfig } from '../../support/config-fixture.js';
import { MemoryIncidentStore } from '../../support/memory-incident-store.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
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
  readonly longMessages: LongMessageStore;
  readonly logger?: Logger;
  /** IRC pacing; the test default (fast) when absent. */
  readonly pacing?: { burst: number; linesPerSecond: number; queueLimit: number };
  readonly bridge?: Partial<Config['bridge']>;
  readonly matrixTuning?: Partial<MatrixTuning>;
}

export interface Instance {
  readonly firebell: Firebell;
  readonly irc: IrcNetwork;
  readonly matrix: MatrixNetwork;
  readonly nick: string;
  readonly kv: MemoryKeyValueStore;
}

export async function startFirebellInstance(options: InstanceOptions): Promise<Instance> {
  const logger = options.logger ?? silentLogger;
  const { nick, channel, room, publicUrl, longMessages } = options;
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
  const kv = new MemoryKeyValueStore();
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
    store: new MemoryIncidentStore(),
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
  return { firebell, irc, matrix, nick, kv };
}
