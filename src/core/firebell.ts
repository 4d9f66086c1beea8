/**
 * firebell's core, assembled from its ports: the config, the durable state opened from a store, the chat
 * networks, a clock and a logger. It opens nothing itself (the composition root in src/app.ts opens the
 * database and builds the networks), so tests assemble the same core with an in-memory store and fake
 * networks.
 * Why this file is long: it is the one place that says in which order the core's parts are built, started
 * and stopped; split, that order would be spread over several files.
 */
import { within, type Clock } from './clock.js';
import { Directory } from './directory.js';
import { EffectRunner } from './effects/effect-runner.js';
import { awakeWhitelisted, timezoneAwarePageResolver } from './escalation/page-resolver.js';
import { oncallCommand } from './commands/oncall-command.js';
import { NetworkNames } from './casemapping.js';
import { Groups } from './groups.js';
import type { DurableState } from './durable-state.js';
import { HANDLED_RETENTION_MS, InboundLedger } from './inbound.js';
import { IncidentService, type RestoreReport } from './incident-service.js';
import type { Intake } from './intake/intake.js';
import { monitoringParts } from './intake/monitoring-parts.js';
import type { MaintenanceWindows } from './maintenance/maintenance-windows.js';
import type { StoreHealth } from './journal.js';
import type { Logger } from './logger.js';
import type { InboundMessage, NetworkKind } from './messages.js';
import type { ChatNetwork, ConnectionState } from './network.js';
import { DurableOutbox, type OutcomeObserver, Speaker, type Outbox, type OutboxLeft } from './outbox.js';
import { IncidentThreads } from './incident-threads.js';
import { Router, type Relay } from './router.js';
import { announceDowntime, Heartbeat, latePages } from './downtime.js';
import { Statusbot, type AlertPublisher } from './statusbot/statusbot.js';
import { incidentCommands } from './commands/incident-commands.js';
import { infoCommands } from './commands/info-commands.js';
import type { LongMessageStore } from './bridge/long-messages.js';
import { policyForGroup, whitelistFileName, type CoreSettings } from './settings.js';
import { offChatPagerFor, withOffChat, type OffChatChannel } from './offchat/wiring.js';

export interface FirebellDeps {
  readonly config: CoreSettings;
  readonly durable: DurableState;
  readonly networks: readonly ChatNetwork[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** How to build the relay (the bridge) from the core's parts it needs. */
  readonly relay?: (core: RelayCore) => Relay;
  /** Replaces the durable outbox (benchmarks and tests that count outbound messages). */
  readonly outbox?: Outbox;
  /** Where alert.json goes; without it there is no `#status`. */
  readonly status?: { readonly alert: AlertPublisher };
  /** Where long texts are kept for firebell's own pages (served under `bot.publicUrl`). */
  readonly pages?: LongMessageStore;
  /** Keep "last alive" (in the durable key-value state), so a restart can say how long firebell was away. */
  readonly heartbeat?: boolean;
  /** Told of every delivery's outcome (the metrics count pages by network and outcome). */
  readonly onDeliveryOutcome?: OutcomeObserver;
  readonly offChat?: readonly OffChatChannel[];
}

/**
 * How long finished outbox rows are kept (an incident's pages and their outcomes belong to its timeline):
 * a year for an incident's, a month for the rest (command replies, status notices). Pending rows are
 * never pruned.
 */
export const INCIDENT_DELIVERY_RETENTION_MS = 365 * 24 * 3_600_000;
export const OTHER_DELIVERY_RETENTION_MS = 30 * 24 * 3_600_000;
const HOUSEKEEPING_EVERY_MS = 24 * 3_600_000;

/** What a stop left behind, for the log. */
export interface StopReport {
  /** Deliveries stored and not settled, by channel and lane: durable ones are sent at the next start. */
  readonly left: readonly OutboxLeft[];
  /** Deliveries the failing store never took (with what caused them): the next start does not have them. */
  readonly notStored: readonly OutboxLeft[];
  /** Whether everything queued was delivered within the grace. */
  readonly drained: boolean;
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
  readonly maintenance: MaintenanceWindows;
  /** Alerts from monitoring; undefined when no intake is configured. */
  readonly intake: Intake | undefined;
  readonly router: Router;
  readonly statusbot: Statusbot | undefined;
  readonly relay: Relay | undefined;
  readonly outbox: Outbox;
  private readonly durableOutbox: DurableOutbox | undefined;
  private readonly ledger: InboundLedger;
  /** Where incidents' announcements landed (Matrix): their threads and edits. */
  private readonly threads: IncidentThreads;
  private readonly networks: ReadonlyMap<string, ChatNetwork>;
  private readonly heartbeat: Heartbeat | undefined;
  private readonly offChatPager: ReturnType<typeof offChatPagerFor>;
  private started = false;
  private stopping: Promise<StopReport> | undefined;
  private housekeeping: unknown;

  constructor(private readonly deps: FirebellDeps) {
    const { config, clock, logger, durable } = deps;
    const { journal } = durable;
    this.networks = new Map(deps.networks.map((network) => [network.id, network]));
    this.heartbeat = deps.heartbeat ? new Heartbeat(durable.keyValues, clock) : undefined;
    const kinds = new Map<string, NetworkKind>(deps.networks.map((network) => [network.id, network.kind]));
    this.groups = new Groups(config.groups, new NetworkNames(this.networks));
    this.directory = new Directory(config.contacts, config.whitelist, kinds);
    this.threads = new IncidentThreads(clock);
    this.durableOutbox = deps.outbox
      ? undefined
      : new DurableOutbox({
          channels: withOffChat(this.networks, deps.offChat, () => this.service),
          journal,
          clock,
          logger: logger.child({ module: 'outbox' }),
          onDelivered: (message, ids) => this.router.handleDelivered(message, ids),
          threads: this.threads,
          ...(deps.onDeliveryOutcome ? { onOutcome: deps.onDeliveryOutcome } : {}),
        });
    const outbox: Outbox = deps.outbox ?? (this.durableOutbox as DurableOutbox);
    this.outbox = outbox;
    this.speaker = new Speaker(outbox, this.groups, (network) => kinds.get(network) === 'matrix');
    this.ledger = new InboundLedger({
      journal,
      store: durable.store,
      clock,
      logger: logger.child({ module: 'inbound' }),
    });

    this.offChatPager = offChatPagerFor(deps, this.durableOutbox, () => this.service);
    const runner = new EffectRunner({
      groups: this.groups,
      directory: this.directory,
      speaker: this.speaker,
      clock,
      logger: logger.child({ module: 'effects' }),
      playbookUrl: config.bot.playbookUrl,
      offChat: this.offChatPager,
      resolvePage: timezoneAwarePageResolver(config.contacts),
      statusPromptRecipients: awakeWhitelisted(config.whitelist, config.contacts, (person) =>
        this.directory.whitelistedPersonRef(person),
      ),
      report: (id, event) => {
        // Reports arrive later, from effects; by then the service below exists.
        const outcome = this.service.send(id, event);
        if (!outcome.ok && outcome.reason === 'not-open')
          logger.debug({ incident: id, event: event.type }, 'report for an incident that is not open');
      },
    });
    const service = new IncidentService({
      journal,
      store: durable.store,
      clock,
      logger: logger.child({ module: 'incidents' }),
      performEffects: runner.perform,
      counters: durable.peekCounters(),
    });
    this.service = service;
    const monitoring = monitoringParts({
      config,
      durable,
      service,
      speaker: this.speaker,
      directory: this.directory,
      groupIds: () => this.groups.all.map((group) => group.id),
      clock,
      logger,
    });
    this.maintenance = monitoring.maintenance;
    this.intake = monitoring.intake;

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
        store: durable.status,
        alert: deps.status.alert,
        service,
        afterCommit: (callback) => journal.afterCommit(callback),
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
        infoCommands({ playbookUrl: config.bot.playbookUrl, permissions: config.incidents.permissions }),
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
          statusOverview: monitoring.statusOverview(statusbot && ((now) => statusbot.overview(now))),
          pageLink: (title, text) => this.pageLink(title, text),
        }),
        ...(this.statusbot ? [this.statusbot.handlers()] : []),
        monitoring.commands,
      ],
      watchers: this.statusbot ? [(message) => this.statusbot?.observe(message)] : [],
      ledger: this.ledger,
      threadIncident: (network, root) => this.threads.incidentOf(network, root),
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

  /** The store's health: "failing since T: reason" while commits fail (for /readyz and the log). */
  storeHealth(): StoreHealth {
    return this.deps.durable.journal.health();
  }

  /**
   * Resolves once the work started so far is done and committed (not necessarily delivered), or waits for
   * the store's retry timer: nothing more happens until time passes.
   */
  async idle(): Promise<void> {
    const { journal } = this.deps.durable;
    do {
      await this.service.idle();
      await this.statusbot?.idle();
      await journal.quiet();
    } while (journal.backlog() > 0 && journal.health().ok);
  }

  /** Resolves once everything is done, committed, and every delivery settled. */
  private async drained(): Promise<void> {
    const { journal } = this.deps.durable;
    do {
      await this.idle();
      await journal.barrier();
      await this.durableOutbox?.settled();
    } while (journal.backlog() > 0);
  }

  /** Deliveries stored and not finished in the store, by channel and lane (metrics): see DurableOutbox.left. */
  outboxLeft(): OutboxLeft[] {
    return this.durableOutbox?.left() ?? [];
  }

  /** Each network's connection state, by id (the health of the bot at a glance). */
  networkStates(): Record<string, ConnectionState> {
    return Object.fromEntries(
      [...this.networks.values()].map((network) => [network.id, network.connectionState()]),
    );
  }

  /**
   * Restores the open incidents (and re-arms their timers), starts the networks, and hands what the last
   * run left undelivered to them again.
   */
  async start(): Promise<RestoreReport> {
    const loaded = this.deps.durable.takeLoaded();
    // alert.json reflects the stored alert from the first moment (the old statusbot reset it to null).
    if (this.deps.status)
      await this.deps.status.alert.publish(this.deps.durable.status.currentAlert()?.text ?? null);
    const previous = this.heartbeat?.begin();
    this.threads.load(loaded.announcements);
    // The incidents are back before a network can bring a command; what their overdue timers say is
    // handed to the networks after its commit, by which time they have been started just below.
    const restoring = this.service.restore(loaded);
    // Read before the overdue timers fire: which pages fell due while firebell was away.
    const late = latePages(this.service.open(), this.deps.clock.now());
    this.started = true;
    const starting = [...this.networks.values()].map((network) =>
      network.start({
        message: (message) => this.router.handleMessage(message),
        reaction: (reaction) => this.router.handleReaction(reaction),
        membership: (change) => this.router.handleMembership(change),
        connection: (state, at, detail) => {
          this.deps.logger.info({ network: network.id, state, detail }, `network ${network.id} ${state}`);
          this.router.handleConnection(network.id, state, at);
        },
      }),
    );
    this.durableOutbox?.resume(loaded.pendingDeliveries);
    this.keepHouse();
    const report = await restoring;
    this.maintenance.start();
    this.intake?.start();
    this.offChatPager?.start();
    this.deps.logger.info(report, `restored ${report.restored} open incident(s)`);
    await Promise.all(starting);
    if (previous)
      announceDowntime({
        previous,
        late,
        startedAt: this.deps.clock.now(),
        open: this.service.open(),
        groups: this.groups.all,
        speaker: this.speaker,
        botName: this.deps.config.bot.name,
        logger: this.deps.logger,
      });
    return report;
  }

  /**
   * Stops taking messages, lets what is queued go out for up to `graceMs`, then stops the incidents'
   * timers and the networks (which leave what they still hold pending in the outbox for the next start),
   * and commits what can be committed. The report says what was left.
   */
  stop(graceMs = 0): Promise<StopReport> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  private async stopNow(graceMs: number): Promise<StopReport> {
    const { journal } = this.deps.durable;
    this.ledger.stop();
    if (this.housekeeping !== undefined) this.deps.clock.clearTimeout(this.housekeeping);
    const drained = graceMs > 0 ? await within(this.deps.clock, graceMs, this.drained()) : false;
    this.relay?.stop?.();
    this.intake?.stop();
    this.offChatPager?.stop();
    this.maintenance.stop();
    this.service.stop();
    for (const channel of this.deps.offChat ?? []) channel.stop();
    this.heartbeat?.end();
    if (this.started) {
      this.started = false;
      await Promise.allSettled([...this.networks.values()].map((network) => network.stop()));
    }
    // The outcomes that came in meanwhile. A failing store gets one more attempt now, not after its retry's
    // wait (up to 30 s): one that works again keeps the acks and outcomes held back. Nothing more is said.
    const final = journal.health().ok ? journal.barrier().then(() => undefined) : journal.flush();
    await within(this.deps.clock, FINAL_COMMIT_MS, final);
    journal.stop();
    const left = this.durableOutbox?.left() ?? [];
    const notStored = this.durableOutbox?.notStored() ?? [];
    const durable = left.filter((entry) => entry.lane !== 'relay');
    if (left.length > 0)
      this.deps.logger.warn(
        { left, durable: durable.reduce((sum, entry) => sum + entry.count, 0) },
        'stopped with undelivered messages: those not relayed chat are sent at the next start',
      );
    if (notStored.length > 0)
      this.deps.logger.error(
        { notStored },
        'stopped with deliveries the failing store never took: the next start does not send them',
      );
    if (left.length === 0 && notStored.length === 0)
      this.deps.logger.info('stopped with nothing left to deliver');
    return { left, notStored, drained };
  }

  /** Forgets handled marks, finished outbox rows and intake rows past their retention, now and once a day. */
  private keepHouse(): void {
    const now = this.deps.clock.now();
    this.intake?.prune();
    this.deps.durable.journal.record({
      prune: {
        handledBefore: now - HANDLED_RETENTION_MS,
        incidentDeliveriesBefore: now - INCIDENT_DELIVERY_RETENTION_MS,
        otherDeliveriesBefore: now - OTHER_DELIVERY_RETENTION_MS,
      },
    });
    this.housekeeping = this.deps.clock.setTimeout(() => this.keepHouse(), HOUSEKEEPING_EVERY_MS);
  }
}

/** How long a stop waits for the last outcomes to commit. */
const FINAL_COMMIT_MS = 1_000;
