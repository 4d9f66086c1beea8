/**
 * firebell on IRC: one connection per configured network, on irc-framework with its reconnect turned off.
 * irc-framework does the transport (TCP/TLS), line parsing, CAP negotiation with SASL, PING replies and
 * ISUPPORT; this adapter reads the parsed lines itself and owns the rest: reconnects with backoff, nick
 * keeping, services login, channels, pacing, splitting, sender identity and topics (each in its own module).
 */
import IRC, { type Client, type IrcMessage, type RawMiddleware } from 'irc-framework';
import { deferCapEndPastLoggedIn } from './sasl-race.js';
import type { Clock } from '../../core/clock.js';
import { delivered, refused, type Delivery, type DeliveryOutcome } from '../../core/delivery.js';
import { parseIrc, renderIrc } from '../../core/format/irc-format.js';
import type { Logger } from '../../core/logger.js';
import {
  isDirectDestination,
  type ConversationRef,
  type Destination,
  type InboundMessage,
  type OutboundMessage,
  type MembershipChange,
} from '../../core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../core/network.js';
import type { IrcNetworkConfig } from '../../config/schema.js';
import { LaneQueue } from '../shared/lane-queue.js';
import { AccountLookups } from './account-lookups.js';
import { reconnectBackoff } from './backoff.js';
import { ServicesLogin } from './services-login.js';
import { caseFoldFor, type CaseFold } from '../../core/irc-case-fold.js';
import { ChannelKeeper } from './channel-keeper.js';
import { ChannelRoster } from './channel-roster.js';
import { ConnectionSupervisor } from './connection-supervisor.js';
import { classifyIncoming, isNetsplitQuit } from './inbound-classifier.js';
import { payloadBudget, splitLine, toIrcLines, WORST_CASE_HOST, type SourceMask } from './line-splitter.js';
import { NickKeeper } from './nick-keeper.js';
import { OutgoingPacer, type QueuedMessage } from './outgoing-pacer.js';
import { AccountCache, OrderedDelivery, senderFor, type AccountState } from './sender-identity.js';
import { TokenBucket } from './token-bucket.js';
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
const WELCOME_FALLBACK_MS = 3000;
const VERSION_REPLY_GAP_MS = 10_000;
const QUIT_WAIT_MS = 2000;
const ACCOUNT_CAPS = ['account-tag', 'account-notify', 'extended-join', 'sasl'];
/** IRC targets never contain spaces, commas or control characters, nor start with ':'. */
const VALID_TARGET = /^[^\s,:\x00-\x1f\x7f][^\s,\x00-\x1f\x7f]*$/;

/** The nick prefixes (@, +, ...) of the server's PREFIX token. */
function prefixSymbols(client: Client): Set<string> {
  const prefix = client.network.options.PREFIX as { symbol: string }[] | undefined;
  return new Set((prefix ?? []).map((entry) => entry.symbol));
}

/** Why the server refused something about a channel, in words for the room. */
function refusalReason(code: string, channel: string, serverText: string): string {
  switch (code) {
    case '482':
      return `firebell is not a channel operator in ${channel}, and only operators may change its topic (+t) (server: ${serverText})`;
    case '442':
      return `firebell is not in ${channel} (server: ${serverText})`;
    case '403':
      return `there is no channel ${channel} (server: ${serverText})`;
    default:
      return `${channel}: ${serverText}`;
  }
}

export class IrcNetwork implements ChatNetwork {
  readonly kind = 'irc' as const;
  readonly id: string;

  private events: NetworkEvents | undefined;
  private state: ConnectionState = 'disconnected';
  private client: Client | undefined;
  private registered = false;
  /** Our nick on this connection, tracked here: irc-framework updates its copy before we see the NICK. */
  private ownNick = '';
  private writing = false;
  private caseFold: CaseFold = caseFoldFor(undefined);
  private self: { user: string | undefined; host: string | undefined } = { user: undefined, host: undefined };
  private welcomed = false;
  private welcomeTimer: unknown;
  private lastVersionReply = -Infinity;

  private readonly log: Logger;
  private readonly fold = (): CaseFold => this.caseFold;
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
  private readonly delivery: OrderedDelivery;

  constructor(
    private readonly config: IrcNetworkConfig,
    private readonly deps: IrcNetworkDeps,
  ) {
    this.id = config.id;
    const { clock } = deps;
    this.log = deps.logger.child({ network: config.id });
    this.bucket = new TokenBucket(config.pacing.burst, config.pacing.linesPerSecond, () => clock.now());
    this.pacer = new OutgoingPacer(
      clock,
      this.bucket,
      new LaneQueue<QueuedMessage>(config.pacing.queueLimit),
      {
        canSend: () => this.registered && this.client?.connected === true,
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
        drop: (reason) => this.connectionLost(this.client, reason),
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
      this.fold,
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
      this.fold,
      clock,
      this.log,
      {
        changeNick: (nick) =>
          this.registered ? this.pacer.control(`NICK ${nick}`) : this.write(`NICK ${nick}`),
        nickServ: (command) => this.pacer.control(`PRIVMSG NickServ :${command}`),
      },
    );
    this.topics = new TopicTracker(this.fold, clock, TOPIC_TIMEOUT_MS);
    this.lookups = new AccountLookups(clock, LOOKUP_TIMEOUT_MS, this.log, {
      send: (line, cost) => this.pacer.control(line, cost),
      whox: () => this.client?.network.supports('WHOX') !== undefined,
      fold: this.fold,
    });
    this.accounts = new AccountCache({
      clock,
      fold: (nick) => this.caseFold(nick),
      ttlMs: ACCOUNT_TTL_MS,
      lookup: (nick) => (this.registered ? this.lookups.lookup(nick) : Promise.resolve(undefined)),
    });
    this.roster = new ChannelRoster(this.fold, (nick) => this.accounts.forget(nick));
    this.delivery = new OrderedDelivery((error) =>
      this.log.error({ err: error }, 'the message handler threw; the message is dropped'),
    );
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
    this.clearSessionTimers();
    const client = this.client;
    if (client?.connected) {
      await new Promise<void>((resolve) => {
        const timer = this.deps.clock.setTimeout(resolve, QUIT_WAIT_MS);
        client.on('socket close', () => {
          this.deps.clock.clearTimeout(timer);
          resolve();
        });
        client.quit('firebell is stopping');
      });
    }
    this.detach(client);
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
    if (cached !== undefined || !this.registered || !VALID_TARGET.test(conversation)) return cached;
    const answer = this.topics.awaitTopic(conversation);
    this.pacer.control(`TOPIC ${conversation}`);
    return answer;
  }

  async setTopic(conversation: string, topic: string): Promise<TopicResult> {
    if (!VALID_TARGET.test(conversation) || !this.isChannel(conversation))
      return { ok: false, reason: `"${conversation}" is not an IRC channel` };
    if (!this.registered) return { ok: false, reason: `not connected to ${this.address()}` };
    if (this.channels.configuredName(conversation) !== undefined && !this.channels.isJoined(conversation))
      return { ok: false, reason: `firebell is not in ${conversation} right now` };
    const topicLen = Number(this.client?.network.supports('TOPICLEN')) || 390;
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
    return this.registered ? this.ownNick : undefined;
  }

  /** Relayed messages dropped because the queue was full, since start. */
  droppedRelayed(): number {
    return this.pacer.droppedRelayed;
  }

  // ---------------------------------------------------------------- connection

  private openConnection(): void {
    const client = new IRC.Client();
    this.client = client;
    this.resetSession();
    this.ownNick = this.nicks.connecting();
    this.setState('connecting');
    const { config } = this;
    client.use((_client, rawMiddleware) => rawMiddleware.use(this.middleware));
    client.on('socket close', (error) =>
      this.connectionLost(client, error ? `connection error: ${error.message}` : 'connection closed'),
    );
    // Lines are whole and paced already: Nagle's algorithm would only hold a reply back.
    client.on('socket connected', () => client.connection.transport?.socket?.setNoDelay(true));
    client.on('raw', (event) => {
      if (client !== this.client) return;
      if (event.from_server) this.supervisor.activity();
      // Lines irc-framework writes by itself (CAP, SASL, PONG) count against the server's flood limit too.
      else if (!this.writing) this.bucket.charge(1);
    });
    client.on('sasl failed', (failure) => {
      if (client === this.client) this.login.saslFailed(failure.reason, failure.message);
    });
    client.connection.on('message', (message) => {
      if (client === this.client) this.handle(client, message);
    });
    this.log.info(
      { host: config.host, port: config.port, tls: config.tls },
      `connecting to ${this.address()}${config.tls ? ' (TLS)' : ''}`,
    );
    client.connect({
      host: config.host,
      port: config.port,
      tls: config.tls,
      rejectUnauthorized: config.tlsRejectUnauthorized,
      nick: this.ownNick,
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

  /**
   * Runs before irc-framework handles a line. It hides capabilities we were told not to use, and works
   * around the SASL race of irc-framework 4.14 (kiwiirc/irc-framework#390): it sends CAP END on 900, before
   * 903 arrives, which some services take as an abort. CAP END then waits for 903/904.
   */
  private readonly middleware: RawMiddleware = (command, message, _raw, client, next) => {
    const ignored = this.deps.ignoreCaps ?? [];
    if (command === 'CAP' && ignored.length > 0 && ['LS', 'NEW'].includes(message.params[1] ?? '')) {
      const last = message.params.length - 1;
      message.params[last] = (message.params[last] ?? '')
        .split(' ')
        .filter((cap) => !ignored.includes(cap.split('=')[0] ?? ''))
        .join(' ');
    }
    if (deferCapEndPastLoggedIn(command, client, next)) return;
    next();
  };

  private connectionLost(client: Client | undefined, reason: string): void {
    if (!client || client !== this.client) return;
    this.detach(client);
    this.client = undefined;
    if (this.state === 'stopped') return;
    this.registered = false;
    this.setState('disconnected', reason);
    this.pacer.dropControlLines();
    this.channels.disconnected();
    this.roster.clear();
    this.accounts.clear();
    this.lookups.cancelAll();
    this.topics.connectionLost(`the connection to ${this.address()} was lost`);
    this.nicks.stop();
    this.clearSessionTimers();
    this.supervisor.disconnected(reason);
  }

  private detach(client: Client | undefined): void {
    if (!client) return;
    client.removeAllListeners();
    // Listeners are gone, so a late 'socket close' cannot come back to us; destroy the socket if still open.
    client.connection.end(undefined, true);
  }

  private resetSession(): void {
    this.registered = false;
    this.welcomed = false;
    this.caseFold = caseFoldFor(undefined);
    this.self = { user: undefined, host: undefined };
    this.login.connecting();
    this.bucket.refillFully();
    this.clearSessionTimers();
  }

  private clearSessionTimers(): void {
    const { clock } = this.deps;
    if (this.welcomeTimer !== undefined) clock.clearTimeout(this.welcomeTimer);
    this.welcomeTimer = undefined;
    this.login.cancel();
  }

  private write(line: string): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    this.writing = true;
    try {
      return client.connection.write(line) !== false;
    } finally {
      this.writing = false;
    }
  }

  // ---------------------------------------------------------------- protocol

  private handle(client: Client, message: IrcMessage): void {
    const { command, params } = message;
    const me = this.ownNick;
    const fromSelf = message.nick !== '' && this.caseFold(message.nick) === this.caseFold(me);
    if (fromSelf) this.learnSelf(message.ident, message.hostname);
    if (this.lookups.handle(message)) return;
    switch (command) {
      case '001':
        this.ownNick = params[0] ?? this.ownNick;
        return this.welcome(client, params[params.length - 1] ?? '');
      case '005':
        this.caseFold = caseFoldFor(String(client.network.options.CASEMAPPING ?? 'rfc1459'));
        return;
      case '376':
      case '422':
        return this.afterWelcome(client);
      case '396': // RPL_HOSTHIDDEN <me> <host>
        if (params[1]) this.self.host = params[1];
        return;
      case 'CHGHOST':
        if (fromSelf) this.self = { user: params[0], host: params[1] };
        return;
      case '432':
      case '433':
      case '436':
      case '437':
        return this.nicks.refused(params[1] ?? '', params[params.length - 1] ?? command);
      case '900':
        return this.login.loggedIn(params[2] ?? '');
      case '903':
        return this.login.saslSucceeded();
      case '303': // RPL_ISON
        return this.login.nickServPresence(
          (params[1] ?? '').split(' ').some((nick) => this.caseFold(nick) === 'nickserv'),
        );
      case '401':
        if (this.caseFold(params[1] ?? '') === 'nickserv') this.login.nickServPresence(false);
        return;
      case 'NICK':
        return this.nickChanged(message.nick, params[0] ?? '', fromSelf);
      case 'JOIN':
        return this.joined(client, message, fromSelf);
      case 'PART':
        if (!fromSelf) this.membership(params[0] ?? '', message.nick, 'part', params[1]);
        return this.left(params[0] ?? '', message.nick, fromSelf, () =>
          this.channels.parted(params[0] ?? ''),
        );
      case 'KICK': {
        const self = this.caseFold(params[1] ?? '') === this.caseFold(me);
        if (!self) this.membership(params[0] ?? '', params[1] ?? '', 'kick', params[2]);
        return this.left(params[0] ?? '', params[1] ?? '', self, () =>
          this.channels.kicked(params[0] ?? '', message.nick, params[2] ?? ''),
        );
      }
      case 'QUIT':
        for (const channel of this.roster.channelsOf(message.nick))
          this.membership(channel, message.nick, 'quit', params[0]);
        this.roster.quit(message.nick);
        return this.nicks.freed(message.nick);
      case 'ACCOUNT': // account-notify
        return this.accounts.remember(message.nick, params[0] === '*' ? null : (params[0] ?? null), true);
      case '353':
        return this.roster.addNames(params[2] ?? '', params[3] ?? '', prefixSymbols(client));
      case '366':
        return this.topics.namesEnded(params[1] ?? '');
      case '332':
        return this.topics.observed(params[1] ?? '', params[2] ?? '', false);
      case '331':
        return this.topics.observed(params[1] ?? '', '', false);
      case 'TOPIC':
        return this.topics.observed(params[0] ?? '', params[1] ?? '', fromSelf);
      case '403':
      case '442':
      case '482':
        return this.topics.refused(params[1] ?? '', refusalReason(command, params[1] ?? '', params[2] ?? ''));
      case '405':
      case '471':
      case '473':
      case '474':
      case '475':
      case '477':
        this.topics.refused(params[1] ?? '', `${params[1] ?? ''}: ${params[2] ?? ''}`);
        return this.channels.joinRefused(params[1] ?? '', `${params[params.length - 1] ?? ''} (${command})`);
      case 'PRIVMSG':
      case 'NOTICE':
        return this.incoming(client, message, fromSelf);
      case 'ERROR':
        this.log.warn({ reason: params[0] }, `server error: ${params[0] ?? ''}`);
        return;
      default:
        return;
    }
  }

  private welcome(client: Client, text: string): void {
    // "Welcome to the X Network nick!user@host" tells us how the server shows us, when it says so.
    const mask = /(\S+)!(\S+)@(\S+)$/.exec(text);
    if (mask && this.caseFold(mask[1] ?? '') === this.caseFold(this.ownNick))
      this.learnSelf(mask[2], mask[3]);
    this.registered = true;
    this.supervisor.registered();
    this.setState('connected');
    this.log.info({ nick: this.ownNick }, `registered on ${this.address()} as ${this.ownNick}`);
    this.welcomeTimer = this.deps.clock.setTimeout(() => this.afterWelcome(client), WELCOME_FALLBACK_MS);
  }

  /** After the welcome burst (ISUPPORT known): bot mode, services, nick, channels. */
  private afterWelcome(client: Client): void {
    if (this.welcomed || client !== this.client) return;
    this.welcomed = true;
    if (this.welcomeTimer !== undefined) this.deps.clock.clearTimeout(this.welcomeTimer);
    this.welcomeTimer = undefined;
    const nick = this.ownNick;
    const botMode = client.network.supports('BOT');
    if (typeof botMode === 'string' && botMode !== '') this.pacer.control(`MODE ${nick} +${botMode}`);
    this.pacer.control('ISON NickServ');
    this.nicks.registeredAs(nick, this.login.password !== undefined);
    this.login.registered();
    this.pacer.pump();
  }

  private nickChanged(from: string, to: string, fromSelf: boolean): void {
    if (fromSelf) {
      this.ownNick = to;
      this.nicks.changedTo(to);
      return;
    }
    this.roster.rename(from, to);
    this.nicks.freed(from);
  }

  private joined(client: Client, message: IrcMessage, fromSelf: boolean): void {
    const channel = message.params[0] ?? '';
    if (fromSelf) {
      this.roster.selfJoined(channel);
      this.channels.selfJoined(channel);
      this.topics.joined(channel);
      this.pacer.pump();
      return;
    }
    this.roster.add(channel, message.nick);
    this.membership(channel, message.nick, 'join');
    if (client.network.cap.isEnabled('extended-join')) {
      const account = message.params[1];
      this.accounts.remember(
        message.nick,
        account === undefined || account === '*' ? null : account,
        client.network.cap.isEnabled('account-notify'),
      );
    }
  }

  private left(channel: string, nick: string, self: boolean, selfLeft: () => void): void {
    if (self) {
      this.roster.selfLeft(channel);
      this.topics.forget(channel);
      selfLeft();
      return;
    }
    this.roster.remove(channel, nick);
  }

  /**
   * Someone else joined or left: the bridge relays it where a group asks for it. A QUIT whose reason is two
   * server names ("*.net *.split") is a netsplit, never relayed.
   */
  private membership(
    channel: string,
    nick: string,
    change: MembershipChange['change'],
    reason?: string,
  ): void {
    const netsplit = change === 'quit' && isNetsplitQuit(reason);
    const event: MembershipChange = {
      conversation: { network: this.id, id: channel, direct: false },
      sender: { id: nick, name: nick, verification: 'none' },
      change,
      at: this.deps.clock.now(),
      ...(reason ? { reason } : {}),
      ...(netsplit ? { netsplit: true } : {}),
    };
    this.notify(() => this.events?.membership?.(event));
  }

  private learnSelf(user: string | undefined, host: string | undefined): void {
    if (user) this.self.user = user;
    if (host) this.self.host = host;
  }

  // ---------------------------------------------------------------- incoming messages

  private incoming(client: Client, message: IrcMessage, fromSelf: boolean): void {
    const command = message.command as 'PRIVMSG' | 'NOTICE';
    const target = message.params[0] ?? '';
    const kind = classifyIncoming({
      command,
      text: message.params[message.params.length - 1] ?? '',
      fromServer: message.nick === '',
      fromSelf,
      senderFolded: this.caseFold(message.nick),
    });
    if (kind.kind === 'ignore') return;
    if (kind.kind === 'ctcp') {
      if (kind.type === 'VERSION') this.replyToVersion(message.nick);
      return;
    }
    const channel = this.channelOf(client, target);
    const conversation: ConversationRef = channel
      ? { network: this.id, id: this.channels.configuredName(channel) ?? channel, direct: false }
      : { network: this.id, id: message.nick, direct: true };
    const parsed = parseIrc(kind.text);
    const serverTime = message.tags.time === undefined ? NaN : Date.parse(message.tags.time);
    const at = Number.isFinite(serverTime) ? serverTime : this.deps.clock.now();
    const messageId = message.tags.msgid;
    const nick = message.nick;
    const key = `${conversation.direct ? 'pm' : 'ch'}:${this.caseFold(conversation.id)}`;
    this.delivery.run(key, this.accountOf(client, message), (account) => {
      if (this.state === 'stopped') return;
      const inbound: InboundMessage = {
        conversation,
        sender: senderFor({
          nick,
          account,
          servicesPresent: this.servicesPresent(client) !== false,
          trustNicksWithoutServices: this.config.trustNicksWithoutServices,
        }),
        text: parsed.text,
        rich: parsed.rich,
        style: kind.style,
        at,
        ...(messageId === undefined ? {} : { messageId }),
      };
      this.events?.message(inbound);
    });
  }

  /** The sender's account: from the tag when account-tag is on (authoritative), else cached or looked up. */
  private accountOf(
    client: Client,
    message: IrcMessage,
  ): AccountState | undefined | Promise<AccountState | undefined> {
    if (client.network.cap.isEnabled('account-tag')) return message.tags.account ?? null;
    if (this.servicesPresent(client) === false) return undefined;
    return this.accounts.resolve(message.nick);
  }

  /** Whether the network has services: account caps offered, or NickServ online; undefined until known. */
  private servicesPresent(client: Client): boolean | undefined {
    if (ACCOUNT_CAPS.some((cap) => client.network.cap.available.has(cap))) return true;
    return this.login.nickServOnline;
  }

  private replyToVersion(nick: string): void {
    const now = this.deps.clock.now();
    if (now - this.lastVersionReply < VERSION_REPLY_GAP_MS || !VALID_TARGET.test(nick)) return;
    this.lastVersionReply = now;
    const version = `firebell incident bot (admin: ${this.deps.adminContact})`.replace(/[\x00-\x1f]/g, '');
    this.pacer.control(`NOTICE ${nick} :\x01VERSION ${version}\x01`);
  }

  private channelOf(client: Client, target: string): string | undefined {
    const statusPrefixes = String(client.network.supports('STATUSMSG') ?? '');
    let start = 0;
    while (start < target.length && statusPrefixes.includes(target[start] as string)) start += 1;
    const name = target.slice(start);
    return this.isChannel(name) ? name : undefined;
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
    if (!this.registered) return false;
    if (this.isChannel(target) && this.channels.configuredName(target) !== undefined)
      return this.channels.isJoined(target);
    return true;
  }

  private isChannel(name: string): boolean {
    const types = this.client?.network.supports('CHANTYPES');
    const prefixes = Array.isArray(types) ? types.join('') : typeof types === 'string' ? types : '#&';
    return name.length > 1 && prefixes.includes(name[0] as string);
  }

  /** How the server will show us in front of our lines; worst case until it told us. */
  private sourceMask(): SourceMask {
    return {
      nick: this.ownNick || this.config.nick,
      user: this.self.user ?? `~${this.config.username}`,
      host: this.self.host ?? WORST_CASE_HOST,
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
