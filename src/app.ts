/**
 * The composition root: the one place that reads the environment, opens the database and builds the
 * networks, then hands them to the core. `cli.ts` parses the command line and calls in here.
 */
import type { Config } from './config/config.js';
import { systemClock, type Clock } from './core/clock.js';
import { Firebell } from './core/firebell.js';
import type { Logger } from './core/logger.js';
import type { ChatNetwork } from './core/network.js';
import { Bridge } from './core/bridge/bridge.js';
import { KeyValueLongMessages } from './core/bridge/long-messages.js';
import { startLongMessagePage, type LongMessagePage } from './http/long-message-page.js';
import { IrcNetwork } from './networks/irc/irc-network.js';
import { MatrixNetwork } from './networks/matrix/matrix-network.js';
import { ShellNetwork } from './networks/shell/shell-network.js';
import { shellIdentities } from './networks/shell/shell-identity.js';
import { endOfInputNotice } from './networks/shell/shell-start.js';
import { openSqliteStores } from './store/sqlite-store.js';
import { AlertFile, noAlertFile } from './status/alert-file.js';

export interface RunOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly interactive: boolean;
  /** Run the shell network (decided by the caller: see networks/shell/shell-start.ts). Default: the config's. */
  readonly shell?: boolean;
}

export interface RunningFirebell {
  readonly firebell: Firebell;
  /** Resolves when firebell has stopped (a signal, or the shell's input ended). */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

/** The channels or rooms the groups name on one network. */
function conversationsOn(config: Config, network: string): string[] {
  const names = config.groups.flatMap((group) =>
    group.members.filter((member) => member.network === network).map((member) => member.conversation),
  );
  return [...new Set(names)];
}

/** Matrix invites are accepted from contacts, whitelisted people and `acceptInvitesFrom`, no one else. */
function matrixInviters(config: Config, extra: readonly string[]): Set<string> {
  return new Set([
    ...config.contacts.flatMap((contact) => (contact.matrix ? [contact.matrix] : [])),
    ...config.whitelist.flatMap((person) => (person.matrix ? [person.matrix] : [])),
    ...extra,
  ]);
}

export async function runFirebell(options: RunOptions): Promise<RunningFirebell> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const stores = openSqliteStores(config.storePath, { logger: logger.child({ module: 'store' }) });
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;

  const networks: ChatNetwork[] = [];
  if (config.networks.shell?.enabled && options.shell !== false) {
    const identify = shellIdentities(config.contacts, config.whitelist);
    networks.push(
      new ShellNetwork({
        input: options.stdin,
        output: options.stdout,
        user: config.networks.shell.user,
        channels: conversationsOn(config, 'shell'),
        botName: config.bot.name,
        clock,
        logger: logger.child({ network: 'shell' }),
        interactive: options.interactive,
        onEnd: () => void stop(),
        identify,
        farewell: () =>
          endOfInputNotice(
            firebell.service.open().map((incident) => incident.id),
            config.storePath,
          ),
      }),
    );
  }

  for (const irc of config.networks.irc) {
    networks.push(
      new IrcNetwork(irc, {
        clock,
        logger,
        channels: conversationsOn(config, irc.id).map((name) => {
          const key = irc.channelKeys[name];
          return key === undefined ? { name } : { name, key };
        }),
        adminContact: config.bot.admin,
      }),
    );
  }
  for (const matrix of config.networks.matrix) {
    const inviters = matrixInviters(config, matrix.acceptInvitesFrom);
    networks.push(
      new MatrixNetwork(matrix, {
        clock,
        logger,
        kv: stores.keyValues,
        rooms: conversationsOn(config, matrix.id),
        mayInvite: (userId) => inviters.has(userId),
      }),
    );
  }

  const longMessages = new KeyValueLongMessages(stores.keyValues);
  const firebell = new Firebell({
    config,
    store: stores.incidents,
    networks,
    clock,
    logger,
    relay: (core) =>
      new Bridge({
        ...core,
        clock,
        logger: logger.child({ module: 'bridge' }),
        config: config.bridge,
        botName: config.bot.name,
        publicUrl: config.bot.publicUrl,
        longMessages,
      }),
    pages: longMessages,
    heartbeat: stores.keyValues,
    status: {
      store: stores.status,
      alert: config.statusbot.alertFile ? new AlertFile(config.statusbot.alertFile) : noAlertFile,
    },
  });

  let page: LongMessagePage | undefined;

  async function stop(): Promise<void> {
    stopping ??= (async () => {
      logger.info('stopping');
      await firebell.stop();
      await page?.close();
      stores.close();
      resolveStopped();
    })();
    return stopping;
  }

  await firebell.start();
  if (config.bot.httpListen) {
    page = await startLongMessagePage({
      listen: config.bot.httpListen,
      store: longMessages,
      logger: logger.child({ module: 'http' }),
    });
    logger.info({ host: page.host, port: page.port }, 'serving long relayed messages');
  }
  return { firebell, stopped, stop };
}
