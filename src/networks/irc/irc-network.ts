/**
 * firebell on IRC: one connection per configured network, on irc-framework with its reconnect turned off.
 * irc-framework does the transport (TCP/TLS), line parsing, CAP negotiation with SASL, PING replies and
 * ISUPPORT (its internals are reached only through irc-framework-adapter.ts); this adapter reads the parsed
 * lines itself and owns the rest, each concern in its own module behind a table of line handlers:
 * registration, channels, topics, incoming messages, services accounts; plus reconnects with backoff,
 * nick keeping, services login, pacing, splitting and sender identity.
 */
import type { IrcMessage } from 'irc-framework';
import type { CaseMapping } from '../../core/casemapping.js';
import type { Clock } from '../../core/clock.js';
import type { Delivery, DeliveryOutcome } from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OutboundMessage } from '../../core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../core/network.js';
import type { IrcNetworkConfig } from '../../config/schema.js';
import { AccountLookups } from './account-lookups.js';
import { reconnectBackoff } from './backoff.js';
import { ChannelEvents } from './channel-events.js';
import { ChannelKeeper } from './channel-keeper.js';
import { ChannelRoster } from './channel-roster.js';
import { ConnectionSupervisor } from './connection-supervisor.js';
import { IncomingMessages } from './incoming-messages.js';
import { connectOptions, FrameworkConnection } from './irc-framework-adapter.js';
import { CHATHISTORY_CAPS, IrcOutgoing } from './irc-outgoing.js';
import { IrcSession } from './irc-session.js';
import { LineDispatcher } from './line-dispatcher.js';
import { fallbackNicks, NickKeeper } from './nick-keeper.js';
import { Registration } from './registration.js';
import { AccountCache } from './sender-identity.js';
import { ServicesLogin } from './services-login.js';
import { TokenBucket } from './token-bucket.js';
import { topicHandlers } from './topic-events.js';
import { TopicTracker } from './topic-tracker.js';

export interface IrcNetworkDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The channels of the groups this network is in, with their keys. */
  readonly channels: readonly { readonly name: string; readonly key?: string }[];
  /** How to reach the bot's admins; goes into the realname, as network bot policies ask. */
  readonly adminContact: string;
  /** Jitter for the backoffs (a number in [0, 1)); tests pass a constant. */
  readonly random?: () => number;
  /** Capabilities to leave unused even when offered (a network whose account-tag is broken; tests). */
  readonly ignoreCaps?: readonly string[];
  /** Asked before every line is written; false holds it back (an instance that lost its lease, app.ts). */
  readonly mayWrite?: () => boolean;
  /** How long the server has to answer a topic change, from the write (tests shorten it). */
  readonly topicTimeoutMs?: number;
}

const LOOKUP_TIMEOUT_MS = 5000;
/** How long the server has to answer a topic change, from the write. */
const TOPIC_TIMEOUT_MS = 10_000;
/** Account answers from lookups, when no account-notify keeps them current. */
const ACCOUNT_TTL_MS = 60_000;
const STABLE_CONNECTION_MS = 60_000;
const QUIT_WAIT_MS = 2000;

export class IrcNetwork implements ChatNetwork {
  readonly kind = 'irc' as const;
  readonly id: string;

  private events: NetworkEvents | undefined;
  private state: ConnectionState = 'disconnected';

  private readonly log: Logger;
  private readonly session: IrcSession;
  private readonly bucket: TokenBucket;
  private readonly outgoing: IrcOutgoing;
  private readonly supervisor: ConnectionSupervisor;
  private readonly channels: ChannelKeeper;
  private readonly roster: ChannelRoster;
  private readonly nicks: NickKeeper;
  private readonly login: ServicesLogin;
  private readonly topics: TopicTracker;
  private readonly accounts: AccountCache;
  private readonly lookups: AccountLookups;
  private readonly registration: Registration;
  private readonly incoming: IncomingMessages;
  private readonly dispatcher: LineDispatcher;

  constructor(
    private readonly config: IrcNetworkConfig,
    private readonly deps: IrcNetworkDeps,
  ) {
    this.id = config.id;
    const { clock } = deps;
    this.session = new IrcSession(deps.mayWrite);
    const { session } = this;
    const fold = session.fold;
    const address = () => this.address();
    const lastHeard = () => this.supervisor.lastHeard;
    this.log = deps.logger.child({ network: config.id });
    this.bucket = new TokenBucket(config.pacing.burst, config.pacing.linesPerSecond, () => clock.now());
    this.supervisor = new ConnectionSupervisor(
      clock,
      reconnectBackoff(deps.random),
      { pingTimeoutMs: config.pingTimeoutSeconds * 1000, stableAfterMs: STABLE_CONNECTION_MS },
      {
        connect: () => this.openConnection(),
        drop: (reason) => this.connectionLost(session.connection, reason),
        ping: () => this.outgoing.pacer.setupLine(`PING :firebell-${clock.now()}`),
        waiting: (delayMs, reason) =>
          this.log.warn(
            { delayMs, reason },
            `disconnected from ${this.address()} (${reason}); reconnecting in ${(delayMs / 1000).toFixed(1)} s`,
          ),
      },
    );
    const withKeys = deps.channels.map((channel) => {
      const key = channel.key ?? config.channelKeys[channel.name];
      return key === undefined ? { name: channel.name } : { name: channel.name, key };
    });
    this.channels = new ChannelKeeper(
      withKeys,
      fold,
      clock,
      this.log,
      (channel, key) => {
        this.outgoing.joins.want(channel, key);
        this.outgoing.pacer.pump();
      },
      deps.random,
    );
    this.topics = new TopicTracker(fold, clock, deps.topicTimeoutMs ?? TOPIC_TIMEOUT_MS, address, lastHeard);
    this.outgoing = new IrcOutgoing({
      networkId: config.id,
      clock,
      log: this.log,
      session,
      bucket: this.bucket,
      queueLimit: config.pacing.queueLimit,
      channels: this.channels,
      topics: this.topics,
      identity: { nick: config.nick, altNicks: config.altNicks, username: config.username },
      address,
      lastHeard,
      write: (line, written) => session.write(line, written),
    });
    this.login = new ServicesLogin(
      {
        sasl: config.sasl,
        nickservPassword: config.nickservPassword,
        nick: config.nick,
        address: this.address(),
      },
      clock,
      this.log,
      {
        nickServ: (command) => this.outgoing.pacer.setupLine(`PRIVMSG NickServ :${command}`),
        ready: () => this.channels.joinAll(),
      },
    );
    this.nicks = new NickKeeper(
      {
        nick: config.nick,
        altNicks: config.altNicks,
        password: this.login.password,
        ...(deps.random ? { random: deps.random } : {}),
      },
      fold,
      clock,
      this.log,
      {
        changeNick: (nick) =>
          session.registered ? this.outgoing.pacer.setupLine(`NICK ${nick}`) : session.write(`NICK ${nick}`),
        nickServ: (command) => this.outgoing.pacer.setupLine(`PRIVMSG NickServ :${command}`),
      },
    );
    // The account lookups a command waits on go in the urgent lane.
    this.lookups = new AccountLookups(clock, LOOKUP_TIMEOUT_MS, this.log, {
      send: (line, cost, written) => this.outgoing.protocol(line, 'urgent', cost, written),
      whox: () => session.connection?.supports('WHOX') !== undefined,
      fold,
    });
    this.accounts = new AccountCache({
      clock,
      fold: (nick) => session.caseFold(nick),
      ttlMs: ACCOUNT_TTL_MS,
      lookup: (nick) => (session.registered ? this.lookups.lookup(nick) : Promise.resolve(undefined)),
    });
    this.roster = new ChannelRoster(fold, (nick) => this.accounts.forget(nick));
    this.registration = new Registration(session, this.nicks, this.login, clock, this.log, this.address(), {
      registered: () => {
        // Servers count a client's lines from registration on (Solanum gives a grace burst before it):
        // CAP, NICK, USER and SASL do not eat into what the session may send.
        this.bucket.refillFully();
        this.supervisor.registered();
        this.setState('connected');
      },
      setupLine: (line) => this.outgoing.pacer.setupLine(line),
      ready: () => this.outgoing.pacer.pump(),
    });
    const channelEvents = new ChannelEvents(
      config.id,
      session,
      {
        channels: this.channels,
        roster: this.roster,
        topics: this.topics,
        accounts: this.accounts,
        nicks: this.nicks,
      },
      clock,
      {
        joined: (channel) => {
          this.outgoing.joins.forget(channel);
          this.outgoing.pacer.pump();
        },
        membership: (change) => this.notify(() => this.events?.membership?.(change)),
      },
    );
    this.incoming = new IncomingMessages(
      {
        networkId: config.id,
        configuredNicks: [config.nick, ...fallbackNicks(config.nick, config.altNicks)],
        trustNicksWithoutServices: config.trustNicksWithoutServices,
        adminContact: deps.adminContact,
      },
      session,
      { channels: this.channels, accounts: this.accounts, login: this.login },
      clock,
      this.log,
      {
        message: (message) => void this.events?.message(message),
        stopped: () => this.state === 'stopped',
        reply: (line) => this.outgoing.protocol(line, 'normal', 1),
      },
    );
    // Lookups first: a reply to our own lookup (401 for a nick that left) is consumed there.
    this.dispatcher = new LineDispatcher([
      this.lookups.handlers(),
      // Echoes and history batches before anyone else: they are never inbound messages.
      this.outgoing.handlers(),
      this.registration.handlers(),
      topicHandlers(this.topics),
      channelEvents.handlers(),
      this.incoming.handlers(),
    ]);
  }

  // ---------------------------------------------------------------- ChatNetwork

  async start(events: NetworkEvents): Promise<void> {
    this.events = events;
    this.supervisor.start();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.setState('stopped');
    this.supervisor.stop();
    this.outgoing.stop();
    this.channels.stop();
    this.nicks.stop();
    this.lookups.cancelAll();
    this.registration.cancel();
    const connection = this.session.connection;
    // Lines in flight may still be confirmed while the server says goodbye.
    if (connection?.connected) await connection.quit('firebell is stopping', QUIT_WAIT_MS, this.deps.clock);
    connection?.destroy();
    this.outgoing.abandonInFlight('the IRC network stopped before the server confirmed it');
  }

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    return this.outgoing.deliver(delivery);
  }

  /** A message delivered with a fresh id (tests and tools); `settle` hears its outcome. */
  send(message: OutboundMessage, settle: (outcome: DeliveryOutcome) => void = () => undefined): void {
    void this.outgoing
      .deliver(this.outgoing.adHoc({ kind: 'message', message }, message.priority))
      .then(settle);
  }

  getTopic(conversation: string): Promise<string | undefined> {
    return this.outgoing.getTopic(conversation);
  }

  /** A topic change with a fresh id (tests and tools). */
  async setTopic(conversation: string, topic: string): Promise<TopicResult> {
    const outcome = await this.deliver(this.outgoing.adHoc({ kind: 'topic', conversation, topic }, 'bulk'));
    return outcome.status === 'delivered' ? { ok: true } : { ok: false, reason: outcome.reason };
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  caseMapping(): CaseMapping {
    return this.session.caseMapping;
  }

  /** The nick in use right now (differs from the configured one while regaining it). */
  currentNick(): string | undefined {
    return this.session.registered ? this.session.ownNick : undefined;
  }

  /** Relayed messages dropped because the queue was full, since start. */
  droppedRelayed(): number {
    return this.outgoing.pacer.droppedRelayed;
  }

  // ---------------------------------------------------------------- connection

  private openConnection(): void {
    const { config, session } = this;
    const connection: FrameworkConnection = new FrameworkConnection(
      { hideCaps: this.deps.ignoreCaps ?? [], extraCaps: CHATHISTORY_CAPS },
      {
        socketConnected: () => {
          const problems = connection.shapeProblems();
          if (problems.length > 0)
            this.log.error(
              { problems },
              `irc-framework is not what firebell expects: ${problems.join('; ')}`,
            );
        },
        socketClosed: (error) => {
          this.connectionLost(connection, error ? `connection error: ${error.message}` : 'connection closed');
        },
        raw: (fromServer) => {
          if (connection !== session.connection) return;
          if (fromServer) this.supervisor.activity();
          // Lines irc-framework writes by itself once registered (PONG, CAP for new capabilities) count
          // against the server's flood limit too.
          else if (!session.writing && session.registered) this.bucket.charge(1);
        },
        saslFailed: (reason, serverText) => {
          if (connection === session.connection) this.login.saslFailed(reason, serverText);
        },
        line: (message) => {
          if (connection === session.connection) this.handle(connection, message);
        },
      },
    );
    session.reset(connection, this.nicks.connecting());
    this.login.connecting();
    this.bucket.refillFully();
    this.registration.cancel();
    this.setState('connecting');
    this.log.info(
      { host: config.host, port: config.port, tls: config.tls },
      `connecting to ${this.address()}${config.tls ? ' (TLS)' : ''}`,
    );
    connection.connect(
      connectOptions(
        config,
        session.ownNick,
        config.realname ?? `firebell incident bot (admin: ${this.deps.adminContact})`,
      ),
    );
  }

  private connectionLost(connection: FrameworkConnection | undefined, reason: string): void {
    const { session } = this;
    if (!connection || connection !== session.connection) return;
    connection.destroy();
    session.connection = undefined;
    if (this.state === 'stopped') return;
    session.registered = false;
    this.setState('disconnected', reason);
    this.outgoing.connectionLost();
    this.channels.disconnected();
    this.roster.clear();
    this.accounts.clear();
    this.lookups.cancelAll();
    this.nicks.stop();
    this.registration.cancel();
    this.supervisor.disconnected(reason);
  }

  private handle(connection: FrameworkConnection, message: IrcMessage): void {
    const fromSelf = this.session.isSelf(message.nick);
    if (fromSelf) this.session.learnSelf(message.ident, message.hostname);
    this.dispatcher.dispatch(message, { connection, fromSelf });
  }

  // ---------------------------------------------------------------- events

  private setState(state: ConnectionState, detail?: string): void {
    this.state = state;
    const at = this.deps.clock.now();
    this.notify(() => this.events?.connection?.(state, at, detail));
  }

  private notify(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.log.error({ err: error }, 'a network event handler threw');
    }
  }

  private address(): string {
    return `${this.config.host}:${this.config.port}`;
  }
}
