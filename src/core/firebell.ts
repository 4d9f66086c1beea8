/**
 * firebell's core, assembled from its ports: the config, a store, the chat networks, a clock and a logger.
 * It opens nothing itself (the composition root in src/app.ts opens the database and builds the networks),
 * so tests assemble the same core with an in-memory store and fake networks.
 */
import type { Config } from '../config/config.js';
import { policyForGroup, whitelistFileName } from '../config/config.js';
import type { Clock } from './clock.js';
import { Directory } from './directory.js';
import { EffectRunner } from './effects/effect-runner.js';
import { awakeWhitelisted, timezoneAwarePageResolver } from './escalation/page-resolver.js';
import { oncallCommand } from './commands/oncall-command.js';
import { NetworkNames } from './casemapping.js';
import { Groups } from './groups.js';
import { IncidentService, type RestoreReport } from './incident-service.js';
import type { Logger } from './logger.js';
import type { InboundMessage, NetworkKind } from './messages.js';
import type { ChatNetwork, ConnectionState } from './network.js';
import { NetworkOutbox, Speaker, type Outbox } from './outbox.js';
import { Router, type Relay } from './router.js';
import type { IncidentStore, KeyValueStore, StatusStore } from './store.js';
import {
  downtimeNotice,
  Heartbeat,
  latePages,
  worthSaying,
  type LatePage,
  type PreviousRun,
} from './downtime.js';
import { Statusbot, type AlertPublisher } from './statusbot/statusbot.js';
import { incidentCommands } from './commands/incident-commands.js';
import { infoCommands } from './commands/info-commands.js';
import type { LongMessageStore } from './bridge/long-messages.js';

export interface FirebellDeps {
  readonly config: Config;
  readonly store: IncidentStore;
  readonly networks: readonly ChatNetwork[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** How to build the relay (the bridge) from the core's parts it needs. */
  readonly relay?: (core: RelayCore) => Relay;
  /** Replaces the network outbox (benchmarks and tests that count outbound messages). */
  readonly outbox?: Outbox;
  /** The statusbot's durable state and where alert.json goes; without them there is no `#status`. */
  readonly status?: { readonly store: StatusStore; readonly alert: AlertPublisher };
  /** Where long texts are kept for firebell's own pages (served under `bot.publicUrl`). */
  readonly pages?: LongMessageStore;
  /** Where the heartbeat keeps "last alive", so a restart can say how long firebell was away. */
  readonly heartbeat?: KeyValueStore;
}

/** What the core lends the relay: its groups, directory and outbox, and the command path. */
export interface RelayCore {
  readonly groups: Groups;
  readonly directory: Directory;
  readonly outbox: Outbox;
  /** Handles a message as if its sender had typed it: commands run with the sender's permissions. */
  readonly runCommand: (message: InboundMessage) => Promise<void>;
}

export class Firebell {
  readonly groups: Groups;
  readonly directory: Directory;
  readonly speaker: Speaker;
  readonly service: IncidentService;
  readonly router: Router;
  readonly statusbot: Statusbot | undefined;
  readonly relay: Relay | undefined;
  private readonly networks: ReadonlyMap<string, ChatNetwork>;
  private readonly heartbeat: Heartbeat | undefined;
  private started = false;

  constructor(private readonly deps: FirebellDeps) {
    const { config, clock, logger } = deps;
    this.networks = new Map(deps.networks.map((network) => [network.id, network]));
    this.heartbeat = deps.heartbeat && new Heartbeat(deps.heartbeat, clock);
    const kinds = new Map<string, NetworkKind>(deps.networks.map((network) => [network.id, network.kind]));
    this.groups = new Groups(config.groups, new NetworkNames(this.networks));
    this.directory = new Directory(config.contacts, config.whitelist, kinds);
    const outbox =
      deps.outbox ??
      new NetworkOutbox(this.networks, clock, logger.child({ module: 'outbox' }), (message, ids) =>
        this.router.handleDelivered(message, ids),
      );
    this.speaker = new Speaker(outbox, this.groups);

    const runner = new EffectRunner({
      groups: this.groups,
      directory: this.directory,
      speaker: this.speaker,
      clock,
      logger: logger.child({ module: 'effects' }),
      playbookUrl: config.bot.playbookUrl,
      resolvePage: timezoneAwarePageResolver(config.contacts),
      statusPromptRecipients: awakeWhitelisted(config.whitelist, config.contacts, (person) =>
        this.directory.whitelistedPersonRef(person),
      ),
      report: (id, event) => {
        // Reports arrive later, from effects; by then the service below exists.
        const outcome = this.service.send(id, event);
        if (!outcome.ok && outcome.reason === 'not-found')
          logger.warn({ incident: id, event: event.type }, 'report for an unknown incident');
      },
    });
    const service = new IncidentService({
      store: deps.store,
      clock,
      logger: logger.child({ module: 'incidents' }),
      performEffects: runner.perform,
    });
    this.service = service;

    this.statusbot =
      deps.status &&
      new Statusbot({
        mode: config.statusbot.mode,
        externalBots: config.statusbot.externalBots,
        groups: this.groups,
        directory: this.directory,
        networks: this.networks,
        outbox,
        speaker: this.speaker,
        store: deps.status.store,
        alert: deps.status.alert,
        service,
        clock,
        logger: logger.child({ module: 'statusbot' }),
        whitelistFile: config.bot.whitelistUrl
          ? `${whitelistFileName(config)} (${config.bot.whitelistUrl})`
          : whitelistFileName(config),
      });

    const statusbot = this.statusbot;
    this.relay = deps.relay?.({
      groups: this.groups,
      directory: this.directory,
      outbox,
      runCommand: (message) => this.router.handleMessage(message),
    });

    this.router = new Router({
      groups: this.groups,
      directory: this.directory,
      speaker: this.speaker,
      clock,
      logger: logger.child({ module: 'router' }),
      handlers: [
        infoCommands({ playbookUrl: config.bot.playbookUrl }),
        oncallCommand({
          contacts: config.contacts,
          clock,
          policyFor: (groupId) => policyForGroup(config, groupId),
          defaultGroup: this.groups.primary.id,
        }),
        incidentCommands({
          service,
          directory: this.directory,
          groups: this.groups,
          clock,
          permissions: config.incidents.permissions,
          dedupeWindowMinutes: config.incidents.dedupeWindowMinutes,
          policyFor: (groupId) => policyForGroup(config, groupId),
          playbookUrl: config.bot.playbookUrl,
          ...(statusbot ? { statusOverview: (now: number) => statusbot.overview(now) } : {}),
          pageLink: (title, text) => this.pageLink(title, text),
        }),
        ...(this.statusbot ? [this.statusbot.handlers()] : []),
      ],
      watchers: this.statusbot ? [(message) => this.statusbot?.observe(message)] : [],
      botName: config.bot.name,
      ...(this.relay ? { relay: this.relay } : {}),
    });
  }

  /** Keeps a long text as one of firebell's pages and returns its link, where firebell serves pages. */
  private pageLink(title: string, text: string): string | undefined {
    const { publicUrl, name } = this.deps.config.bot;
    if (!publicUrl || !this.deps.config.bot.httpListen || !this.deps.pages) return undefined;
    const id = this.deps.pages.save({
      sender: name,
      network: name,
      conversation: title,
      at: this.deps.clock.now(),
      text,
    });
    return `${publicUrl.replace(/\/+$/, '')}/m/${id}`;
  }

  /** Each network's connection state, by id (the health of the bot at a glance). */
  networkStates(): Record<string, ConnectionState> {
    return Object.fromEntries(
      [...this.networks.values()].map((network) => [network.id, network.connectionState()]),
    );
  }

  /** Restores the open incidents, then connects the networks. */
  async start(): Promise<RestoreReport> {
    // alert.json reflects the stored alert from the first moment (the old statusbot reset it to null).
    if (this.deps.status)
      await this.deps.status.alert.publish(this.deps.status.store.currentAlert()?.text ?? null);
    const previous = this.heartbeat?.begin();
    const report = this.service.restore();
    // Read before the overdue timers fire: which pages fell due while firebell was away.
    const late = latePages(this.service.open(), this.deps.clock.now());
    this.deps.logger.info(report, `restored ${report.restored} open incident(s)`);
    this.started = true;
    await Promise.all(
      [...this.networks.values()].map((network) =>
        network.start({
          message: (message) => this.router.handleMessage(message),
          reaction: (reaction) => this.router.handleReaction(reaction),
          membership: (change) => this.router.handleMembership(change),
          connection: (state, at, detail) => {
            this.deps.logger.info({ network: network.id, state, detail }, `network ${network.id} ${state}`);
            this.router.handleConnection(network.id, state, at);
          },
        }),
      ),
    );
    if (previous) this.announceDowntime(previous, late);
    return report;
  }

  /** Each group hears how long firebell was away, its incidents that resumed and its late pages. */
  private announceDowntime(previous: PreviousRun, late: readonly LatePage[]): void {
    const startedAt = this.deps.clock.now();
    const open = this.service.open();
    this.deps.logger.info(
      { lastAlive: previous.lastAlive, clean: previous.clean, late: late.length },
      `firebell was away for ${Math.round((startedAt - previous.lastAlive) / 1000)} s`,
    );
    for (const group of this.groups.all) {
      const resumed = open
        .filter((incident) => incident.context.group === group.id)
        .map((incident) => incident.id);
      if (!worthSaying(previous, startedAt, resumed.length)) continue;
      const notice = downtimeNotice({
        previous,
        startedAt,
        botName: this.deps.config.bot.name,
        resumed,
        late: late.filter((page) => page.group === group.id),
      });
      this.speaker.toGroup(group.id, notice, { priority: 'normal', purpose: 'downtime' });
    }
  }

  /** Lets queued effects go out, then stops the incidents' timers and the networks. */
  async stop(): Promise<void> {
    await this.service.idle();
    this.heartbeat?.end();
    this.relay?.stop?.();
    this.service.stop();
    if (!this.started) return;
    this.started = false;
    await Promise.allSettled([...this.networks.values()].map((network) => network.stop()));
  }
}
