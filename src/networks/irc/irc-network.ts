/**
 * firebell on IRC: one connection per configured network, on irc-framework with its reconnect turned off.
 * irc-framework does the transport (TCP/TLS), line parsing, CAP negotiation with SASL, PING replies and
 * ISUPPORT (its internals are reached only through irc-framework-adapter.ts); this adapter reads the parsed
 * lines itself and owns the rest, each concern in its own module behind a table of line handlers:
 * registration, channels, topics, incoming messages, services accounts; plus reconnects with backoff,
 * nick keeping, services login, pacing, splitting and sender identity.
 */
import type { IrcMessage } from 'irc-framework';
import type { Clock } from '../../core/clock.js';
import { delivered, refused, type Delivery, type DeliveryOutcome } from '../../core/delivery.js';
import { renderIrc } from '../../core/format/irc-format.js';
import type { Logger } from '../../core/logger.js';
import { isDirectDestination, type Destination, type OutboundMessage } from '../../core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../core/network.js';
import type { IrcNetworkConfig } from '../../config/schema.js';
import { LaneQueue } from '../shared/lane-queue.js';
import { AccountLookups } from './account-lookups.js';
import { reconnectBackoff } from './backoff.js';
import { ChannelEvents } from './channel-events.js';
import { ChannelKeeper } from './channel-keeper.js';
import { ChannelRoster } from './channel-roster.js';
import { ConnectionSupervisor } from './connection-supervisor.js';
import { IncomingMessages, VALID_TARGET } from './incoming-messages.js';
import { FrameworkConnection } from './irc-framework-adapter.js';
import { IrcSession } from './irc-session.js';
import { LineDispatcher } from './line-dispatcher.js';
import { payloadBudget, splitLine, toIrcLines, WORST_CASE_HOST, type SourceMask } from './line-splitter.js';
import { NickKeeper } from './nick-keeper.js';
import { OutgoingPacer, type QueuedMessage } from './outgoing-pacer.js';
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
}

const LOOKUP_TIMEOUT_MS = 5000;
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
  private writing = false;

  private readonly log: Logger;
  private readonly session = new IrcSession();
  private readonly bucket: TokenBucket;
  private readonly pacer: OutgoingPacer;
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
    const { session } = this;
    const fold = session.fold;
    this.log = deps.logger.child({ network: config.id });
    this.bucket = new TokenBucket(config.pacing.burst, config.pacing.linesPerSecond, () => clock.now());
    this.pacer = new OutgoingPacer(
      clock,
      this.bucket,
      new LaneQueue<QueuedMessage>(config.pacing.queueLimit),
      {
        canSend: () => session.canSend(),
        isReady: (target) => this.isReady(target),
        budgetFor: (item) => payloadBudget(this.sourceMask(), item.command, item.target, item.action ? 9 : 0),
        write: (line) => this.write(line),
        delivered: () => undefined,
      },
      this.log,
      config.pacing.queueLimit,
    );
    this.supervisor = new ConnectionSupervisor(
      clock,
      reconnectBackoff(deps.random),
      { pingTimeoutMs: config.pingTimeoutSeconds * 1000, stableAfterMs: STABLE_CONNECTION_MS },
      {
        connect: () => this.openConnection(),
        drop: (reason) => this.connectionLost(session.connection, reason),
        ping: () => this.pacer.control(`PING :firebell-${clock.now()}`),
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
      (channel, key) =>
        this.pacer.control(key === undefined ? `JOIN ${channel}` : `JOIN ${channel} ${key}`, 2),
      deps.random,
    );
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
        nickServ: (command) => this.pacer.control(`PRIVMSG NickServ :${command}`),
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
          session.registered ? this.pacer.control(`NICK ${nick}`) : this.write(`NICK ${nick}`),
        nickServ: (command) => this.pacer.control(`PRIVMSG NickServ :${command}`),
      },
    );
    this.topics = new TopicTracker(fold, clock, TOPIC_TIMEOUT_MS);
    this.lookups = new AccountLookups(clock, LOOKUP_TIMEOUT_MS, this.log, {
      send: (line, cost) => this.pacer.control(line, cost),
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
        this.supervisor.registered();
        this.setState('connected');
      },
      setupLine: (line) => this.pacer.control(line),
      ready: () => this.pacer.pump(),
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
        joined: () => this.pacer.pump(),
        membership: (change) => this.notify(() => this.events?.membership?.(change)),
      },
    );
    this.incoming = new IncomingMessages(
      {
        networkId: config.id,
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
        reply: (line) => this.pacer.control(line),
      },
    );
    // Lookups first: a reply to our own lookup (401 for a nick that left) is consumed there.
    this.dispatcher = new LineDispatcher([
      this.lookups.handlers(),
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
    this.pacer.stop();
    this.channels.stop();
    this.nicks.stop();
    this.lookups.cancelAll();
    this.topics.connectionLost('firebell is stopping');
    this.registration.cancel();
    const connection = this.session.connection;
    if (connection?.connected) {
      await new Promise<void>((resolve) => {
        const timer = this.deps.clock.setTimeout(resolve, QUIT_WAIT_MS);
        this.closeWaiter = () => {
          this.deps.clock.clearTimeout(timer);
          resolve();
        };
        connection.quit('firebell is stopping');
      });
      this.closeWaiter = undefined;
    }
    connection?.destroy();
  }

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { content } = delivery;
    if (content.kind === 'topic')
      return this.setTopic(content.conversation, content.topic).then((result) =>
        result.ok ? delivered(this.deps.clock.now()) : refused(this.deps.clock.now(), result.reason),
      );
    return new Promise((settle) => this.send(content.message, settle));
  }

  /** Queues a message; `settle` hears its outcome (every path below settles it exactly once). */
  send(message: OutboundMessage, settle: (outcome: DeliveryOutcome) => void = () => undefined): void {
    const now = (): number => this.deps.clock.now();
    try {
      if (message.to.network !== this.id) {
        this.log.error(
          { to: message.to.network },
          `a message for network "${message.to.network}" reached ${this.id}`,
        );
        settle(refused(now(), `it was addressed to network ${message.to.network}`));
        return;
      }
      if (this.state === 'stopped') {
        this.log.warn({ purpose: message.purpose }, 'message not sent: the network is stopped');
        settle({ status: 'abandoned', at: now(), reason: 'the IRC network is stopped' });
        return;
      }
      const target = this.targetOf(message.to);
      if (target === undefined) {
        settle(refused(now(), 'no IRC nick or channel to send it to'));
        return;
      }
      const lines = toIrcLines(renderIrc(message.body));
      if (lines.length === 0) {
        this.log.debug({ target, purpose: message.purpose }, 'message with no visible text not sent');
        settle(delivered(now()));
        return;
      }
      this.pacer.enqueue({
        message,
        priority: message.priority,
        target,
        command: message.style === 'notice' ? 'NOTICE' : 'PRIVMSG',
        action: message.style === 'emote',
        lines,
        settle,
      });
    } catch (error) {
      this.log.error({ err: error }, 'could not queue an outgoing message');
      settle(
        refused(
          now(),
          `firebell could not queue it: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  }

  async getTopic(conversation: string): Promise<string | undefined> {
    const cached = this.topics.cached(conversation);
    if (cached !== undefined || !this.session.registered || !VALID_TARGET.test(conversation)) return cached;
    const answer = this.topics.awaitTopic(conversation);
    this.pacer.control(`TOPIC ${conversation}`);
    return answer;
  }

  async setTopic(conversation: string, topic: string): Promise<TopicResult> {
    const { session } = this;
    if (!VALID_TARGET.test(conversation) || !session.isChannel(conversation))
      return { ok: false, reason: `"${conversation}" is not an IRC channel` };
    if (!session.registered) return { ok: false, reason: `not connected to ${this.address()}` };
    if (this.channels.configuredName(conversation) !== undefined && !this.channels.isJoined(conversation))
      return { ok: false, reason: `firebell is not in ${conversation} right now` };
    const topicLen = Number(session.connection?.supports('TOPICLEN')) || 390;
    const text = splitLine(toIrcLines(topic).join(' '), topicLen)[0] ?? '';
    if (this.topics.cached(conversation) === text) return { ok: true };
    const outcome = this.topics.awaitSet(conversation, () => this.address());
    this.pacer.control(`TOPIC ${conversation} :${text}`);
    const result = await outcome;
    if (result.ok) this.log.info({ channel: conversation }, `set the topic of ${conversation}`);
    else
      this.log.warn(
        { channel: conversation, reason: result.reason },
        `cannot set the topic of ${conversation}`,
      );
    return result;
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  /** The nick in use right now (differs from the configured one while regaining it). */
  currentNick(): string | undefined {
    return this.session.registered ? this.session.ownNick : undefined;
  }

  /** Relayed messages dropped because the queue was full, since start. */
  droppedRelayed(): number {
    return this.pacer.droppedRelayed;
  }

  // ---------------------------------------------------------------- connection

  /** Resolves stop()'s wait for the socket to close after QUIT. */
  private closeWaiter: (() => void) | undefined;

  private openConnection(): void {
    const { config, session } = this;
    const connection: FrameworkConnection = new FrameworkConnection(
      { hideCaps: this.deps.ignoreCaps ?? [], extraCaps: [] },
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
          if (this.closeWaiter && connection === session.connection) this.closeWaiter();
          this.connectionLost(connection, error ? `connection error: ${error.message}` : 'connection closed');
        },
        raw: (fromServer) => {
          if (connection !== session.connection) return;
          if (fromServer) this.supervisor.activity();
          // Lines irc-framework writes by itself (CAP, SASL, PONG) count against the server's flood limit too.
          else if (!this.writing) this.bucket.charge(1);
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
    connection.connect({
      host: config.host,
      port: config.port,
      tls: config.tls,
      rejectUnauthorized: config.tlsRejectUnauthorized,
      nick: session.ownNick,
      username: config.username,
      gecos: config.realname ?? `firebell incident bot (admin: ${this.deps.adminContact})`,
      ...(config.password === undefined ? {} : { password: config.password }),
      account: config.sasl ? { account: config.sasl.account, password: config.sasl.password } : {},
      auto_reconnect: false,
      ping_interval: 0,
      ping_timeout: 0,
      enable_echomessage: true,
      enable_chghost: true,
      version: null,
      encoding: 'utf8',
    });
  }

  private connectionLost(connection: FrameworkConnection | undefined, reason: string): void {
    const { session } = this;
    if (!connection || connection !== session.connection) return;
    connection.destroy();
    session.connection = undefined;
    if (this.state === 'stopped') return;
    session.registered = false;
    this.setState('disconnected', reason);
    this.pacer.dropControlLines();
    this.channels.disconnected();
    this.roster.clear();
    this.accounts.clear();
    this.lookups.cancelAll();
    this.topics.connectionLost(`the connection to ${this.address()} was lost`);
    this.nicks.stop();
    this.registration.cancel();
    this.supervisor.disconnected(reason);
  }

  private write(line: string): boolean {
    const connection = this.session.connection;
    if (!connection?.connected) return false;
    this.writing = true;
    try {
      return connection.write(line);
    } finally {
      this.writing = false;
    }
  }

  private handle(connection: FrameworkConnection, message: IrcMessage): void {
    const fromSelf = this.session.isSelf(message.nick);
    if (fromSelf) this.session.learnSelf(message.ident, message.hostname);
    this.dispatcher.dispatch(message, { connection, fromSelf });
  }

  // ---------------------------------------------------------------- outgoing messages

  private targetOf(to: Destination): string | undefined {
    const target = 'conversation' in to ? to.conversation : to.person.irc?.nick;
    if (target === undefined) {
      const name = isDirectDestination(to) ? to.person.name : '?';
      this.log.warn({ person: name }, `cannot message ${name} on ${this.id}: no IRC nick known`);
      return undefined;
    }
    if (!VALID_TARGET.test(target)) {
      this.log.warn({ target: JSON.stringify(target) }, 'not an IRC nick or channel; message not sent');
      return undefined;
    }
    return target;
  }

  private isReady(target: string): boolean {
    if (!this.session.registered) return false;
    if (this.session.isChannel(target) && this.channels.configuredName(target) !== undefined)
      return this.channels.isJoined(target);
    return true;
  }

  /** How the server will show us in front of our lines; worst case until it told us. */
  private sourceMask(): SourceMask {
    const { session } = this;
    return {
      nick: session.ownNick || this.config.nick,
      user: session.self.user ?? `~${this.config.username}`,
      host: session.self.host ?? WORST_CASE_HOST,
    };
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
