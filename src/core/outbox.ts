/**
 * Where outbound messages go, and the rules that make them durable.
 *
 * `DurableOutbox`: every delivery except live relayed chat (lane `relay`, or a relayed message) becomes an
 * outbox row, recorded through the journal with the writes that caused it (the transition, the command's
 * handling) and handed to its channel only after that commit; its outcome (delivered with the network's
 * ids, refused, timed out) is recorded in a later commit. A channel that stops settles what it holds
 * `abandoned`: the row stays pending, and at the next start `resume` hands every pending row to its channel
 * again, oldest first, with the same id (Matrix derives its transaction id from it, so the homeserver
 * deduplicates) and one more attempt. Relayed chat skips the store and goes straight to the same channel.
 *
 * `Speaker` (speaker.ts, re-exported here): the group fan-out and the "reply on every side" rule.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import {
  refused,
  type Delivery,
  type DeliveryChannel,
  type DeliveryContent,
  type DeliveryOutcome,
  type Lane,
} from './delivery.js';
import type { RichText } from './rich-text.js';
import type { Journal } from './journal.js';
import type { Logger } from './logger.js';
import type { MessageStyle, OutboundMessage, Priority } from './messages.js';
import type { DeliveryUpdate, StoredDelivery } from './store.js';
import type { OffChatPage } from './offchat/page.js';
import type { IncidentThreads } from './incident-threads.js';

export interface SendOptions {
  readonly style?: MessageStyle;
  readonly priority: Priority;
  readonly purpose: string;
  readonly incidentId?: number;
  readonly replyTo?: string;
  /** See OutboundMessage: the announcement (`root`) or what goes into its thread (`follow-up`). */
  readonly incidentThread?: 'root' | 'follow-up';
  /** The thread a reply goes into (a command typed in a thread is answered there). */
  readonly threadRoot?: string;
}

export interface Outbox {
  /** Hands the message on; the promise tells its outcome (callers need not wait for it). */
  send(message: OutboundMessage): Promise<DeliveryOutcome>;
  /** Sets a channel's or room's topic; the promise tells whether the network took it. */
  setTopic(network: string, conversation: string, topic: string): Promise<DeliveryOutcome>;
  /** Edits incident `incidentId`'s announcement in a room to show `body`, where the network can. */
  editAnnouncement(
    network: string,
    conversation: string,
    incidentId: number,
    body: RichText,
  ): Promise<DeliveryOutcome>;
}

/** The network's ids for what was delivered (the bridge relates later edits, replies and reactions). */
export type DeliveredListener = (message: OutboundMessage, messageIds: readonly string[]) => void;

/** Told of every outcome (metrics): the delivery, what became of it, and how long it waited for it. */
export type OutcomeObserver = (delivery: Delivery, outcome: DeliveryOutcome) => void;

export interface DurableOutboxDeps {
  readonly channels: ReadonlyMap<string, DeliveryChannel>;
  readonly journal: Journal;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onDelivered?: DeliveredListener;
  readonly onOutcome?: OutcomeObserver;
  readonly newId?: () => string;
  /** Where incidents' announcements landed: follow-ups go into their threads, edits find their target. */
  readonly threads?: IncidentThreads;
}

/** Durable deliveries not settled yet, by channel and lane (what a stop leaves for the next start). */
export interface OutboxLeft {
  readonly channel: string;
  readonly lane: Lane;
  readonly count: number;
}

/** Live relayed chat is kept in memory only: losing a line of it in a crash is acceptable; a page is not. */
export const isDurable = (lane: Lane, content: DeliveryContent): boolean =>
  lane !== 'relay' && !(content.kind === 'message' && content.message.relayed === true);

export class DurableOutbox implements Outbox {
  /** Deliveries recorded or handed to a channel, by id, until they settle. */
  private readonly unsettled = new Map<string, Delivery>();
  /** Durable deliveries their channel gave back (it stopped): pending in the store for the next start. */
  private readonly abandoned: Delivery[] = [];
  /** Durable deliveries waiting for their commit, per channel: relayed chat to it waits behind them. */
  private readonly awaitingCommit = new Map<string, number>();
  /** The ids of those deliveries: not in the store yet, so not left for the next start either. */
  private readonly uncommitted = new Set<string>();
  /** Settled deliveries whose outcome is not committed yet: pending in the store, so left until it is. */
  private readonly outcomeUncommitted = new Map<string, Delivery>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly newId: () => string;

  constructor(private readonly deps: DurableOutboxDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  send(message: OutboundMessage): Promise<DeliveryOutcome> {
    return this.submit(
      message.to.network,
      message.priority,
      { kind: 'message', message },
      message.incidentId,
    );
  }

  setTopic(network: string, conversation: string, topic: string): Promise<DeliveryOutcome> {
    return this.submit(network, 'bulk', { kind: 'topic', conversation, topic });
  }

  editAnnouncement(
    network: string,
    conversation: string,
    incidentId: number,
    body: RichText,
  ): Promise<DeliveryOutcome> {
    return this.submit(network, 'normal', { kind: 'edit', conversation, incidentId, body }, incidentId);
  }

  /** A page off chat (ntfy, e-mail): stored, then handed to that way's channel, like any delivery. */
  sendOffChat(way: string, page: OffChatPage): Promise<DeliveryOutcome> {
    const lane: Lane = page.kind === 'follow-up' ? 'normal' : 'urgent';
    return this.submit(way, lane, { kind: 'offchat', page }, page.incidentId);
  }

  /** Hands the rows a previous run left pending to their channels again, oldest first, same ids. */
  resume(rows: readonly StoredDelivery[]): void {
    for (const row of rows) {
      const delivery: Delivery = {
        id: row.id,
        channel: row.channel,
        lane: row.lane,
        content: row.content,
        durable: true,
        attempts: row.attempts + 1,
        createdAt: row.createdAt,
        ...(row.incidentId === undefined ? {} : { incidentId: row.incidentId }),
      };
      if (!this.deps.channels.has(row.channel)) {
        const at = this.deps.clock.now();
        const reason = `there is no network ${row.channel} any more`;
        this.deps.logger.warn(
          { delivery: row.id, channel: row.channel },
          `a stored delivery is refused: ${reason}`,
        );
        this.deps.journal.record({
          deliveryUpdates: [{ id: row.id, kind: 'outcome', state: 'refused', at, receipt: [], reason }],
        });
        continue;
      }
      this.deps.journal.record({
        deliveryUpdates: [{ id: row.id, kind: 'attempt', attempts: delivery.attempts }],
      });
      this.unsettled.set(delivery.id, delivery);
      this.deps.threads?.handing(delivery);
      void this.hand(delivery);
    }
    if (rows.length > 0)
      this.deps.logger.info(
        { deliveries: rows.length, left: countByChannelAndLane(rows) },
        'sending again what the last run left undelivered',
      );
  }

  /**
   * What the next start sends, by channel and lane: what was stored and is not settled, or was given back
   * by a stopped channel, or settled with an outcome the store has not taken yet.
   */
  left(): OutboxLeft[] {
    const stored = [...this.unsettled.values()].filter((delivery) => !this.uncommitted.has(delivery.id));
    return countByChannelAndLane([...stored, ...this.abandoned, ...this.outcomeUncommitted.values()]);
  }

  /** Durable deliveries whose commit has not succeeded (the store is failing): the next start has none. */
  notStored(): OutboxLeft[] {
    return countByChannelAndLane([...this.unsettled.values()].filter((d) => this.uncommitted.has(d.id)));
  }

  /** Resolves once every delivery so far has settled (or at once when none is waiting). */
  settled(): Promise<void> {
    if (this.unsettled.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private submit(
    channelId: string,
    lane: Lane,
    content: DeliveryContent,
    incidentId?: number,
  ): Promise<DeliveryOutcome> {
    const at = this.deps.clock.now();
    if (!this.deps.channels.has(channelId)) {
      this.deps.logger.warn({ network: channelId }, 'no such network; not sent');
      return Promise.resolve({ status: 'refused', at, reason: `there is no network ${channelId}` });
    }
    const delivery: Delivery = {
      id: this.newId(),
      channel: channelId,
      lane,
      content,
      durable: isDurable(lane, content),
      attempts: 0,
      createdAt: at,
      ...(incidentId === undefined ? {} : { incidentId }),
    };
    this.unsettled.set(delivery.id, delivery);
    this.deps.threads?.handing(delivery);
    if (!delivery.durable) {
      // In order with what was said before it to the same place (a bridge's outage note, then the lines).
      if ((this.awaitingCommit.get(channelId) ?? 0) === 0) return this.hand(delivery);
      return new Promise((resolve) => this.deps.journal.afterCommit(() => resolve(this.hand(delivery))));
    }
    this.awaitingCommit.set(channelId, (this.awaitingCommit.get(channelId) ?? 0) + 1);
    this.uncommitted.add(delivery.id);
    const row: StoredDelivery = {
      id: delivery.id,
      channel: channelId,
      lane,
      content,
      ...(incidentId === undefined ? {} : { incidentId }),
      createdAt: at,
      attempts: 0,
      state: 'pending',
      receipt: [],
    };
    const settledInStore = (): void => {
      this.awaitingCommit.set(channelId, (this.awaitingCommit.get(channelId) ?? 1) - 1);
      this.uncommitted.delete(delivery.id);
    };
    return new Promise((resolve) =>
      this.deps.journal.record(
        { deliveries: [row] },
        () => {
          settledInStore();
          resolve(this.hand(delivery));
        },
        // Never stored, so never sent (journal.ts): the sender hears it was refused, not silence.
        (reason) => {
          settledInStore();
          resolve(
            this.settleUnsent(delivery, refused(this.deps.clock.now(), `the store refused it: ${reason}`)),
          );
        },
      ),
    );
  }

  private settleUnsent(delivery: Delivery, outcome: DeliveryOutcome): DeliveryOutcome {
    this.unsettled.delete(delivery.id);
    this.deps.threads?.settled(delivery, outcome);
    if (this.unsettled.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    return outcome;
  }

  private async hand(stored: Delivery): Promise<DeliveryOutcome> {
    const channel = this.deps.channels.get(stored.channel);
    let delivery = stored;
    let outcome: DeliveryOutcome;
    try {
      // What the stored row leaves open (its thread, an edit's target) is decided at each attempt; a
      // resend keeps its id, so a homeserver that took the first attempt keeps that one.
      let prepared = this.deps.threads ? this.deps.threads.prepare(stored) : stored;
      if (prepared instanceof Promise) prepared = await prepared;
      if (typeof prepared !== 'string') delivery = prepared;
      outcome =
        typeof prepared === 'string'
          ? { status: 'refused', at: this.deps.clock.now(), reason: prepared }
          : channel
            ? await channel.deliver(delivery)
            : {
                status: 'refused',
                at: this.deps.clock.now(),
                reason: `there is no network ${delivery.channel}`,
              };
    } catch (error) {
      // The interface promises never to reject; if one does, the row stays pending for the next start.
      this.deps.logger.error({ err: error, delivery: delivery.id }, 'a channel threw instead of settling');
      outcome = { status: 'abandoned', at: this.deps.clock.now(), reason: 'the channel failed' };
    }
    this.unsettled.delete(delivery.id);
    this.deps.threads?.settled(delivery, outcome);
    if (delivery.durable) this.recordOutcome(delivery, outcome);
    try {
      this.deps.onOutcome?.(delivery, outcome);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'an outcome observer failed');
    }
    if (this.unsettled.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    if (outcome.status === 'delivered' && delivery.content.kind === 'message') {
      try {
        this.deps.onDelivered?.(delivery.content.message, outcome.receipt);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'a delivery listener failed');
      }
    }
    return outcome;
  }

  private recordOutcome(delivery: Delivery, outcome: DeliveryOutcome): void {
    switch (outcome.status) {
      case 'delivered':
        this.recordFinal(delivery, {
          id: delivery.id,
          kind: 'outcome',
          state: 'delivered',
          at: outcome.at,
          receipt: outcome.receipt,
        });
        break;
      case 'refused':
      case 'timed-out':
        this.deps.logger.warn(
          { delivery: delivery.id, channel: delivery.channel, lane: delivery.lane, reason: outcome.reason },
          `delivery ${outcome.status}`,
        );
        this.recordFinal(delivery, {
          id: delivery.id,
          kind: 'outcome',
          state: outcome.status,
          at: outcome.at,
          receipt: [],
          reason: outcome.reason,
        });
        break;
      case 'abandoned':
      case 'dropped':
        // Stays pending in the store: the next start hands it to its channel again.
        this.abandoned.push(delivery);
        this.deps.logger.debug(
          { delivery: delivery.id, channel: delivery.channel, reason: outcome.reason },
          'delivery left for the next start',
        );
        break;
    }
  }

  /** Records a final outcome; until it is committed the row is pending, and the delivery counts as left. */
  private recordFinal(delivery: Delivery, update: DeliveryUpdate): void {
    this.outcomeUncommitted.set(delivery.id, delivery);
    const settledInStore = (): void => void this.outcomeUncommitted.delete(delivery.id);
    this.deps.journal.record({ deliveryUpdates: [update] }, settledInStore, settledInStore);
  }
}

function countByChannelAndLane(items: readonly { channel: string; lane: Lane }[]): OutboxLeft[] {
  const counts = new Map<string, OutboxLeft>();
  for (const { channel, lane } of items) {
    const key = `${channel}\u0000${lane}`;
    counts.set(key, { channel, lane, count: (counts.get(key)?.count ?? 0) + 1 });
  }
  return [...counts.values()];
}

export { Speaker } from './speaker.js';
