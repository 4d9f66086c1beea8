/**
 * The composition root: the one place that reads the environment, opens the database and builds the
 * networks, then hands them to the core. `cli.ts` parses the command line and calls in here.
 */
import type { IncidentPhase } from '../machines/incident.js';
import type { Config } from './config/config.js';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS } from './config/schema.js';
import { systemClock, type Clock } from './core/clock.js';
import { DurableState } from './core/durable-state.js';
import { Firebell, type StopReport } from './core/firebell.js';
import type { Logger } from './core/logger.js';
import type { ChatNetwork } from './core/network.js';
import { Bridge } from './core/bridge/bridge.js';
import { JournaledLongMessages } from './core/bridge/long-messages.js';
import { startListener } from './http/listener.js';
import { FirebellMetrics } from './http/metrics.js';
import type { HttpServer } from './http/server.js';
import { IrcNetwork } from './networks/irc/irc-network.js';
import { MatrixNetwork } from './networks/matrix/matrix-network.js';
import { ShellNetwork } from './networks/shell/shell-network.js';
import { shellIdentities } from './networks/shell/shell-identity.js';
import { endOfInputNotice } from './networks/shell/shell-start.js';
import { hostname } from 'node:os';
import type { LeaseState } from './store/postgres/lease.js';
import { describeLease, instanceRoleOf, openConfiguredStore } from './store/open-store.js';
import { offChatChannels } from './offchat/channels.js';
import { HeartbeatPinger } from './offchat/heartbeat-pinger.js';
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
  /** Ends a standby's wait for the lease (PostgreSQL store): a stop requested before it became active. */
  readonly signal?: AbortSignal;
  /**
   * PostgreSQL store: the lease was lost (another instance took over, the database cut this one off, the
   * host was paused). The caller must stop sending at once; the CLI exits, and its supervisor restarts it
   * as a standby.
   */
  readonly onLeaseLost?: (reason: string) => void;
}

export interface RunningFirebell {
  readonly firebell: Firebell;
  /** Resolves when firebell has stopped (a signal, or the shell's input ended). */
  readonly stopped: Promise<void>;
  /** Stops within `bot.shutdownGraceSeconds` (plus the networks' goodbyes); see Firebell.stop. */
  stop(): Promise<StopReport>;
  /** Active or standby, and since when: `single` on SQLite (for /readyz and /metrics). */
  role(): LeaseState | { readonly role: 'single' };
  /** Where the status site is served (`http.listen`), when it is. */
  readonly httpUrl?: string;
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
  // The metrics read the core's state when scraped; `firebell` is built below.
  const metrics: FirebellMetrics = new FirebellMetrics({
    openIncidents: (): readonly { phase: IncidentPhase }[] => firebell.service.open(),
    networkStates: () => firebell.networkStates(),
    storeHealth: () => firebell.storeHealth(),
    journalBacklog: () => durable.journal.backlog(),
    outboxLeft: () => firebell.outboxLeft(),
    instanceRole: () => instanceRoleOf(lease),
  });
  const opened = await openConfiguredStore(config.store, {
    logger,
    holder: `${hostname()}:${process.pid}`,
    ...(options.signal ? { signal: options.signal } : {}),
    onLost: (reason) => options.onLeaseLost?.(reason),
  });
  const { lease } = opened;
  const store = metrics.timed(opened.store);
  let durable: DurableState;
  try {
    durable = await DurableState.open(store, { clock, logger });
  } catch (error) {
    await lease?.release();
    await store.close();
    throw error;
  }
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<StopReport> | undefined;

  // On PostgreSQL only the lease holder speaks, and it asks before every line (lease.ts: stillHeld).
  const mayWrite = lease ? () => lease.stillHeld() : undefined;
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
        ...(mayWrite ? { mayWrite } : {}),
      }),
    );
  }
  for (const matrix of config.networks.matrix) {
    const inviters = matrixInviters(config, matrix.acceptInvitesFrom);
    networks.push(
      new MatrixNetwork(matrix, {
        clock,
        logger,
        kv: durable.keyValues,
        rooms: conversationsOn(config, matrix.id),
        mayInvite: (userId) => inviters.has(userId),
        ...(mayWrite ? { mayWrite } : {}),
      }),
    );
  }

  const longMessages = new JournaledLongMessages({
    journal: durable.journal,
    store,
    keyValues: durable.keyValues,
  });
  const firebell = new Firebell({
    config,
    durable,
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
    offChat: offChatChannels(config, clock, logger),
    heartbeat: true,
    onDeliveryOutcome: metrics.outcome,
    status: {
      alert: config.statusbot.alertFile ? new AlertFile(config.statusbot.alertFile) : noAlertFile,
    },
  });

  let http: HttpServer | undefined;
  const heartbeat =
    config.heartbeat &&
    new HeartbeatPinger({
      url: config.heartbeat.url,
      everyMs: config.heartbeat.everySeconds * 1000,
      readiness: firebell,
      clock,
      logger,
    });

  async function stop(): Promise<StopReport> {
    stopping ??= (async () => {
      const graceMs = (config.bot.shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS) * 1000;
      logger.info({ graceMs }, 'stopping: no new commands; sending what is queued');
      heartbeat?.stop();
      const report = await firebell.stop(graceMs);
      await http?.close();
      await lease?.release();
      await store.close();
      resolveStopped();
      return report;
    })();
    return stopping;
  }

  await firebell.start();
  heartbeat?.start();
  if (config.bot.httpListen) {
    try {
      http = await startListener(config.bot.httpListen, {
        config,
        firebell,
        durable,
        longMessages,
        metrics,
        logger: logger.child({ module: 'http' }),
        now: () => clock.now(),
        instanceRole: () => instanceRoleOf(lease),
      });
    } catch (error) {
      // A port in use must not leave incidents unannounced: the bot runs, and the log says why the site does not.
      logger.error(
        { err: error, listen: config.bot.httpListen },
        'the HTTP listener could not start; running without it',
      );
    }
  }
  return {
    firebell,
    stopped,
    stop,
    role: () => describeLease(lease),
    ...(http ? { httpUrl: http.url } : {}),
  };
}
