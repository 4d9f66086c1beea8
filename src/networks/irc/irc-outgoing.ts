/**
 * The outgoing side of one IRC network: deliveries (messages and topic changes) become paced items, their
 * lines are confirmed by the server (its echo where it offers echo-message, else its answer to a later
 * line: server-answers.ts), the server's refusals settle them with its reason, and what was written but
 * not confirmed when a connection ends goes again on the next one, after a look in the server's history
 * where it keeps one (chat-history.ts). Topic questions, account lookups and CTCP replies are protocol
 * lines of the current connection, in their lanes.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import {
  delivered,
  noEdits,
  notForChat,
  refused,
  type Delivery,
  type DeliveryOutcome,
  type Lane,
} from '../../core/delivery.js';
import { renderIrc } from '../../core/format/irc-format.js';
import type { Logger } from '../../core/logger.js';
import { isDirectDestination, type Destination, type OutboundMessage } from '../../core/messages.js';
import { LaneQueue } from '../shared/lane-queue.js';
import type { ChannelKeeper } from './channel-keeper.js';
import { CHATHISTORY_CAPS, ChatHistory } from './chat-history.js';
import { DELIVERY_TAG, LineConfirmations, type WrittenLine } from './line-confirmations.js';
import { ServerAnswers } from './server-answers.js';
import { SERVICE_NICKS } from './inbound-classifier.js';
import { VALID_TARGET } from './incoming-messages.js';
import type { IrcSession } from './irc-session.js';
import { JoinPlanner, joinTargetLimit } from './join-planner.js';
import type { HandlerTable, LineHandler } from './line-dispatcher.js';
import { payloadBudget, splitLine, toIrcLines, WORST_CASE_HOST } from './line-splitter.js';
import { MessageProgress } from './message-progress.js';
import { MessageItem, ProbeItem, ProtocolItem, TopicItem, type ItemEnvironment } from './outgoing-items.js';
import { OutgoingPacer, type Outgoing, type WireLine } from './outgoing-pacer.js';
import type { TokenBucket } from './token-bucket.js';
import type { TopicChange, TopicTracker } from './topic-tracker.js';
import { errorMessage } from '../../core/error-message.js';

export { CHATHISTORY_CAPS };

/** How long a written line may wait for its echo (or the PONG to the PING after it) before it timed out. */
const CONFIRM_TIMEOUT_MS = 30_000;
const HISTORY_TIMEOUT_MS = 5000;
/** Numerics that refuse a PRIVMSG or NOTICE to the target in their second parameter. */
const MESSAGE_REFUSALS = ['401', '403', '404', '477', '486', '492', '531', '716'];
/** Of those, the ones that refuse a TOPIC change too (477: InspIRCd's answer to a message to a +M channel). */
const TOPIC_REFUSALS_TOO = new Set(['403', '477']);

export interface OutgoingDeps {
  readonly networkId: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly session: IrcSession;
  readonly bucket: TokenBucket;
  readonly queueLimit: number;
  readonly channels: ChannelKeeper;
  readonly topics: TopicTracker;
  /** The configured nick, its alternates and the username (for the byte budget and the history). */
  readonly identity: {
    readonly nick: string;
    readonly altNicks: readonly string[];
    readonly username: string;
  };
  readonly address: () => string;
  /** When the server last sent a line on the current connection. */
  readonly lastHeard: () => number;
  /** Writes a line to the current connection; false when none is open. */
  readonly write: (line: string, written?: (error?: Error) => void) => boolean;
}

export class IrcOutgoing {
  readonly pacer: OutgoingPacer;
  readonly joins: JoinPlanner;
  private readonly confirmations: LineConfirmations;
  private readonly answers: ServerAnswers;
  private readonly history: ChatHistory;
  private readonly env: ItemEnvironment;
  /** Topic changes queued or in flight, with their items (to write them again after a reconnect). */
  private readonly topicItems = new Map<TopicChange, TopicItem>();
  private stopped = false;

  constructor(private readonly deps: OutgoingDeps) {
    const { clock, log, session } = deps;
    this.joins = new JoinPlanner(session.fold, () =>
      joinTargetLimit(session.connection?.supports('TARGMAX')),
    );
    this.confirmations = new LineConfirmations(
      clock,
      CONFIRM_TIMEOUT_MS,
      () => session.connection?.capEnabled('echo-message') === true,
      deps.address,
      () => this.answers.want(),
      deps.lastHeard,
    );
    this.answers = new ServerAnswers(
      clock,
      this.confirmations,
      (name) => session.caseFold(name),
      (probe, promoted) =>
        promoted
          ? this.pacer.requeue(new ProbeItem(probe, 'normal'))
          : this.pacer.enqueue(new ProbeItem(probe, 'bulk')),
    );
    this.pacer = new OutgoingPacer(
      clock,
      deps.bucket,
      new LaneQueue<Outgoing>(deps.queueLimit),
      {
        canSend: () => session.canSend(),
        write: (line) => this.write(line),
        nextJoin: (waitingLane) => this.joins.next(waitingLane),
      },
      log,
      deps.queueLimit,
    );
    this.history = new ChatHistory(clock, HISTORY_TIMEOUT_MS, log, {
      send: (line, lane, written) => this.protocol(line, lane, 1, written),
      ourNicks: () => [deps.identity.nick, ...deps.identity.altNicks, session.ownNick],
      fold: session.fold,
    });
    this.env = {
      isReady: (target) => this.isReady(target),
      budget: (command, target, action) =>
        payloadBudget(
          {
            nick: session.ownNick || deps.identity.nick,
            user: session.self.user ?? `~${deps.identity.username}`,
            host: session.self.host ?? WORST_CASE_HOST,
          },
          command,
          target,
          action ? 9 : 0,
        ),
      tagsAllowed: () => session.connection?.clientTagAllowed(DELIVERY_TAG) === true,
      confirmations: this.confirmations,
      history: (query, lane) =>
        this.history.available(session.connection)
          ? this.history.find(session.connection as NonNullable<typeof session.connection>, query, lane)
          : undefined,
      pump: () => this.pacer.pump(),
    };
  }

  /** Queues a delivery in its lane; the promise settles with the outcome and never rejects. */
  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    if (this.stopped) {
      this.deps.log.warn({ delivery: delivery.id }, 'not sent: the network is stopped');
      return Promise.resolve({
        status: 'abandoned',
        at: this.deps.clock.now(),
        reason: 'the IRC network is stopped',
      });
    }
    const { content } = delivery;
    if (content.kind === 'offchat') return Promise.resolve(notForChat(this.deps.clock.now(), 'IRC'));
    if (content.kind === 'edit') return Promise.resolve(noEdits(this.deps.clock.now(), 'IRC'));
    if (content.kind === 'topic') return this.deliverTopic(delivery, content.conversation, content.topic);
    return new Promise((settle) => this.deliverMessage(delivery, content.message, settle));
  }

  /** The topic as last seen, or asked for (in the bulk lane: a fan-out asks before it sets). */
  async getTopic(conversation: string): Promise<string | undefined> {
    const { session, topics } = this.deps;
    const cached = topics.cached(conversation);
    if (cached !== undefined || !session.registered || !VALID_TARGET.test(conversation)) return cached;
    const query = topics.query(conversation);
    this.protocol(`TOPIC ${conversation}`, 'bulk', 1, () => query.written());
    return query.answer;
  }

  /** A protocol line of this connection, in a lane; `written` hears when it went to the socket. */
  protocol(line: string, lane: Lane, cost: number, written?: () => void, discarded?: () => void): void {
    this.pacer.enqueue(new ProtocolItem(lane, line, cost, written, discarded));
  }

  /** Lines about our own lines: echoes confirm, refusals refuse, history batches are consumed. */
  handlers(): HandlerTable {
    const echo: LineHandler = (message, { fromSelf }) => {
      if (!fromSelf) return false;
      const target = message.params[0] ?? '';
      this.confirmations.echo(
        this.deps.session.caseFold(target),
        message.tags.msgid,
        message.tags[DELIVERY_TAG],
      );
      return true; // an echo is a confirmation, never an inbound message
    };
    const refusal: LineHandler = (message) => {
      const [, target = '', ...rest] = message.params;
      const reason = `${target}: ${rest[rest.length - 1] ?? ''} (${message.command})`;
      const key = this.deps.session.caseFold(target);
      // The server answers in write order: a refusal that may be a TOPIC change's is that change's when the
      // change was written before every message line still waiting there (the topic handlers take it).
      if (TOPIC_REFUSALS_TOO.has(message.command)) {
        const topic = this.deps.topics.oldestInFlightOrder(target);
        if (topic !== undefined && topic < (this.confirmations.oldestOrder(key) ?? Infinity)) return false;
      }
      // Refused a line: a 403 or 477 was the line's, and neither a topic change's nor a JOIN's.
      if (this.confirmations.refused(key, reason)) return TOPIC_REFUSALS_TOO.has(message.command);
      // A refusal no waiting line explains (one of our protocol lines, a line timed out already): the
      // operator hears of it here.
      if (!SERVICE_NICKS.has(key))
        this.deps.log.warn(
          { target, reason },
          `the server refused a line to ${target} after it was written: ${reason}`,
        );
      return false;
    };
    const history = this.history.handlers();
    const refusals = Object.fromEntries(MESSAGE_REFUSALS.map((numeric) => [numeric, refusal]));
    return {
      ...refusals,
      BATCH: history.BATCH as LineHandler,
      FAIL: history.FAIL as LineHandler,
      PRIVMSG: (message, line) =>
        (history.PRIVMSG as LineHandler)(message, line) === true || echo(message, line),
      NOTICE: (message, line) =>
        (history.NOTICE as LineHandler)(message, line) === true || echo(message, line),
      ...this.answers.handlers(),
      // Once stopped, the server's ERROR answers our QUIT.
      ERROR: () => void (this.stopped && this.confirmations.quitAnswered()),
    };
  }

  /**
   * The connection ended. Lines written and not confirmed go again on the next connection (the server may
   * or may not have them: one repeat per lost connection), topic changes in flight too; protocol lines of
   * this connection are dropped.
   */
  connectionLost(): void {
    this.pacer.connectionEnded();
    this.joins.clear();
    this.history.connectionLost();
    this.answers.connectionEnded();
    const lost = this.confirmations.takeAll();
    const owners = new Map<MessageItem, WrittenLine[]>();
    for (const line of lost) {
      if (line.progress.settled) continue;
      line.progress.lineLost();
      const owner = line.owner as MessageItem;
      owners.set(owner, [...(owners.get(owner) ?? []), line]);
    }
    // Last first: each goes to the head of its lane, so the earliest written ends up first.
    for (const [owner, lines] of [...owners].reverse()) if (owner.takeBack(lines)) this.pacer.requeue(owner);
    for (const change of this.deps.topics.connectionLost().reverse()) {
      const item = this.topicItems.get(change);
      if (item) this.pacer.requeue(item);
    }
  }

  /** A delivery with a fresh id, for tests and tools (the outbox gives its own, stable ids). */
  adHoc(content: Delivery['content'], lane: Lane): Delivery {
    const { clock } = this.deps;
    return {
      id: randomUUID(),
      channel: this.deps.networkId,
      lane,
      content,
      durable: false,
      attempts: 0,
      createdAt: clock.now(),
    };
  }

  /** The network stops: queued items are abandoned; lines in flight wait for `abandonInFlight`. */
  stop(): void {
    this.stopped = true;
    this.pacer.stop();
  }

  /** After the goodbye: what was written and never confirmed is abandoned (the outbox keeps it). */
  abandonInFlight(reason: string): void {
    for (const line of this.confirmations.takeAll()) line.progress.abandoned(reason);
    this.deps.topics.stop(reason);
  }

  private deliverMessage(
    delivery: Delivery,
    message: OutboundMessage,
    settle: (outcome: DeliveryOutcome) => void,
  ): void {
    const { clock, log, networkId, session } = this.deps;
    const now = (): number => clock.now();
    try {
      if (message.to.network !== networkId) {
        log.error(
          { to: message.to.network },
          `a message for network "${message.to.network}" reached ${networkId}`,
        );
        settle(refused(now(), `it was addressed to network ${message.to.network}`));
        return;
      }
      const target = this.targetOf(message.to);
      if (target === undefined) {
        settle(refused(now(), 'no IRC nick or channel to send it to'));
        return;
      }
      const lines = toIrcLines(renderIrc(message.body));
      if (lines.length === 0) {
        log.debug({ target, purpose: message.purpose }, 'message with no visible text not sent');
        settle(delivered(now()));
        return;
      }
      const targetKey = session.caseFold(target);
      const ours = session.isChannel(target) && this.deps.channels.configuredName(target) !== undefined;
      const progress = new MessageProgress(delivery.id, clock, settle);
      const item = new MessageItem(
        {
          lane: delivery.lane,
          target,
          targetKey,
          ...(ours ? { channelKey: targetKey } : {}),
          command: message.style === 'notice' ? 'NOTICE' : 'PRIVMSG',
          action: message.style === 'emote',
          createdAt: delivery.createdAt,
        },
        lines,
        progress,
        this.env,
        delivery.attempts > 0,
      );
      this.pacer.enqueue(item);
    } catch (error) {
      log.error({ err: error }, 'could not queue an outgoing message');
      settle(refused(now(), `firebell could not queue it: ${errorMessage(error)}`));
    }
  }

  private async deliverTopic(delivery: Delivery, channel: string, topic: string): Promise<DeliveryOutcome> {
    const { clock, log, session, channels, topics } = this.deps;
    if (!VALID_TARGET.test(channel) || !session.isChannel(channel))
      return refused(clock.now(), `"${channel}" is not an IRC channel`);
    const refusal = channels.refusal(channel);
    if (refusal !== undefined) return refused(clock.now(), `firebell cannot join ${channel}: ${refusal}`);
    const topicLen = Number(session.connection?.supports('TOPICLEN')) || 390;
    const text = splitLine(toIrcLines(topic).join(' '), topicLen)[0] ?? '';
    const change = topics.change(channel);
    const channelKey = session.caseFold(channel);
    const item = new TopicItem(delivery.lane, channel, channelKey, text, change, this.env, () =>
      topics.cached(channel),
    );
    this.topicItems.set(change, item);
    this.pacer.enqueue(item);
    const outcome = await change.outcome;
    this.topicItems.delete(change);
    const at = clock.now();
    switch (outcome.status) {
      case 'set':
        log.info({ channel }, `set the topic of ${channel}`);
        return delivered(at);
      case 'abandoned':
        return { status: 'abandoned', at, reason: outcome.reason };
      default:
        log.warn({ channel, reason: outcome.reason }, `cannot set the topic of ${channel}`);
        return outcome.status === 'refused' ? refused(at, outcome.reason) : { ...outcome, at };
    }
  }

  private write(line: WireLine): boolean {
    if (!this.deps.write(line.line, line.written)) return false;
    if (!line.delivery) {
      this.answers.written(line.line);
      // Our protocol PRIVMSGs and NOTICEs echo too: expected in line, so the echoes stay aligned.
      const match = /^(?:@\S+ )?(?:PRIVMSG|NOTICE) (\S+) :/.exec(line.line);
      if (match) this.confirmations.expect(this.deps.session.caseFold(match[1] as string));
    }
    return true;
  }

  private isReady(target: string): boolean {
    const { session, channels } = this.deps;
    if (!session.registered) return false;
    if (session.isChannel(target) && channels.configuredName(target) !== undefined)
      return channels.isJoined(target);
    return true;
  }

  private targetOf(to: Destination): string | undefined {
    const { log, networkId } = this.deps;
    const target = 'conversation' in to ? to.conversation : to.person.irc?.nick;
    if (target === undefined) {
      const name = isDirectDestination(to) ? to.person.name : '?';
      log.warn({ person: name }, `cannot message ${name} on ${networkId}: no IRC nick known`);
      return undefined;
    }
    if (!VALID_TARGET.test(target)) {
      log.warn({ target: JSON.stringify(target) }, 'not an IRC nick or channel; message not sent');
      return undefined;
    }
    return target;
  }
}
