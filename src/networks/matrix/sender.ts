/**
 * Outgoing events: one bounded LaneQueue per destination (the same lanes as IRC: urgent first, chatter
 * dropped first when full), drained by one worker each, so a room's messages arrive in order. Each event
 * gets its transaction id when queued and keeps it through every retry: a 429 waits `retry_after_ms` (or
 * Retry-After), 5xx and network failures back off exponentially, and a retry of a request that did reach
 * the server is answered with the original event id instead of sending it twice. A room the bot was
 * removed from is looked up and joined again once; anything else is logged and dropped.
 */
import { randomBytes } from 'node:crypto';
import type { MatrixClient } from 'matrix-bot-sdk';
import type { DeliveryOutcome } from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OutboundMessage, Priority } from '../../core/messages.js';
import { LaneQueue } from '../shared/lane-queue.js';
import type { Content } from './content.js';
import { backoffMs, classify } from './failures.js';
import type { Sleeper } from './sleeper.js';

export type Target =
  | { readonly kind: 'room'; readonly conversation: string }
  | { readonly kind: 'person'; readonly userId: string };

export interface Outgoing {
  readonly target: Target;
  readonly content: Content;
  readonly priority: Priority;
  /** The message this event renders; absent for the adapter's own notices. */
  readonly message?: OutboundMessage;
  /** Only the encryption refusal may be posted into an encrypted room. */
  readonly intoEncryptedRoom?: boolean;
  /** The outbox's delivery id: the transaction id derives from it, so a resend after a restart is deduplicated. */
  readonly deliveryId?: string;
  /** Told the outcome, exactly once. */
  readonly settle?: (outcome: DeliveryOutcome) => void;
}

interface Queued extends Outgoing {
  readonly txnId: string;
}

export interface SenderTuning {
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Wait after a 429 that does not say how long. */
  readonly defaultRateLimitMs: number;
  /** Upper bound on a server-requested wait. */
  readonly maxRetryAfterMs: number;
  readonly requestTimeoutMs: number;
}

export interface SenderDeps {
  readonly client: MatrixClient;
  readonly logger: Logger;
  readonly sleeper: Sleeper;
  readonly now: () => number;
  readonly queueLimit: number;
  readonly tuning: SenderTuning;
  /** The room id for a target; `fresh` asks again (re-resolving the alias, re-joining, a new DM room). */
  resolve(target: Target, fresh: boolean): Promise<string>;
  isEncrypted(roomId: string): Promise<boolean>;
}

export class MatrixSender {
  private readonly queues = new Map<string, { queue: LaneQueue<Queued>; draining: boolean }>();
  // Unique per run: a restarted bot with the same token must not reuse an earlier run's ids.
  private readonly runId = randomBytes(6).toString('base64url');
  private sequence = 0;
  private stopped = false;

  constructor(private readonly deps: SenderDeps) {}

  enqueue(outgoing: Outgoing): void {
    if (this.stopped) return;
    const key =
      outgoing.target.kind === 'room'
        ? `room:${outgoing.target.conversation}`
        : `person:${outgoing.target.userId}`;
    let entry = this.queues.get(key);
    if (!entry) {
      entry = { queue: new LaneQueue<Queued>(this.deps.queueLimit), draining: false };
      this.queues.set(key, entry);
    }
    this.sequence += 1;
    const txnId =
      outgoing.deliveryId === undefined ? `fb.${this.runId}.${this.sequence}` : `fb.${outgoing.deliveryId}`;
    entry.queue.push({ ...outgoing, txnId }, outgoing.priority);
    const droppedItems = entry.queue.takeDropped();
    const dropped = droppedItems.length;
    for (const lost of droppedItems)
      lost.settle?.({ status: 'dropped', at: this.deps.now(), reason: 'the outgoing queue was full' });
    if (dropped > 0)
      this.deps.logger.warn({ destination: key, dropped }, 'outgoing queue full: relayed chatter dropped');
    if (!entry.draining) void this.drain(entry);
  }

  /** Messages waiting, over all destinations. */
  get backlog(): number {
    let total = 0;
    for (const { queue } of this.queues.values()) total += queue.size;
    return total;
  }

  stop(): void {
    this.stopped = true;
    const left = this.backlog;
    if (left > 0) this.deps.logger.info({ left }, 'stopping with unsent Matrix messages');
    for (const { queue } of this.queues.values())
      for (let item = queue.shift(); item; item = queue.shift())
        item.settle?.({ status: 'abandoned', at: this.deps.now(), reason: 'the Matrix network stopped' });
  }

  private async drain(entry: { queue: LaneQueue<Queued>; draining: boolean }): Promise<void> {
    entry.draining = true;
    try {
      for (let item = entry.queue.shift(); item && !this.stopped; item = entry.queue.shift()) {
        const outcome = await this.deliver(item);
        item.settle?.(outcome);
      }
    } finally {
      entry.draining = false;
    }
  }

  private async deliver(item: Queued): Promise<DeliveryOutcome> {
    const log = this.deps.logger.child({ txnId: item.txnId, purpose: item.message?.purpose });
    let fresh = false;
    let failures = 0;
    while (!this.stopped) {
      let roomId: string;
      try {
        roomId = await this.deps.resolve(item.target, fresh);
        if (!item.intoEncryptedRoom && (await this.deps.isEncrypted(roomId))) {
          log.error(
            { roomId },
            'not sent: the room is end-to-end encrypted, which firebell does not support',
          );
          return { status: 'refused', at: this.deps.now(), reason: 'the room is end-to-end encrypted' };
        }
        const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/${encodeURIComponent(item.txnId)}`;
        const answer = (await this.deps.client.doRequest(
          'PUT',
          path,
          null,
          item.content,
          this.deps.tuning.requestTimeoutMs,
        )) as {
          event_id: string;
        };
        return { status: 'delivered', at: this.deps.now(), receipt: [answer.event_id] };
      } catch (error) {
        const failure = classify(error);
        const { tuning } = this.deps;
        if (failure.kind === 'rate-limited') {
          const wait = Math.min(failure.retryAfterMs ?? tuning.defaultRateLimitMs, tuning.maxRetryAfterMs);
          log.debug({ waitMs: wait }, 'rate-limited; retrying with the same transaction id');
          await this.deps.sleeper.sleep(wait);
        } else if (failure.kind === 'transient') {
          failures += 1;
          const wait = backoffMs(failures - 1, tuning.retryBaseMs, tuning.retryMaxMs);
          if (failures === 1 || failures % 10 === 0)
            log.warn({ detail: failure.detail, failures, waitMs: wait }, 'sending failed; retrying');
          await this.deps.sleeper.sleep(wait);
        } else if ((failure.kind === 'forbidden' || failure.kind === 'not-found') && !fresh) {
          log.info(
            { detail: failure.detail },
            'the room refused the message; looking it up and joining again',
          );
          fresh = true;
        } else {
          log.error(
            { detail: failure.detail, target: item.target },
            'message dropped: the homeserver refused it',
          );
          return { status: 'refused', at: this.deps.now(), reason: failure.detail };
        }
      }
    }
    return { status: 'abandoned', at: this.deps.now(), reason: 'the Matrix network stopped' };
  }
}
