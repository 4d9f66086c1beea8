/**
 * The Matrix channel's outgoing scheduler: one bounded queue for every destination, in the delivery lanes
 * (urgent > normal > relay > bulk), drained by one dispatcher under the homeserver's rate limit, which
 * Synapse applies per account, not per room.
 *
 * - Most urgent first, across rooms: whenever a request slot is free, the oldest item of the most urgent
 *   lane goes, so a page never waits behind 20 rooms of fan-out for more than one request. A room has at
 *   most one request in flight, so its events arrive in the order they were queued within a lane.
 * - A 429 on an event shuts the RateLimitGate for everyone as long as the server asked; the refused item
 *   goes back to the head of its lane, and when the gate opens the most urgent item goes first, one
 *   request at a time until the queue has drained.
 * - While the account is rate-limited, relayed lines queued for a room are merged into one event
 *   (relay-merge.ts), so a storm costs a few events, not one per line.
 * - Retries follow the adapter's one policy (`retryWaitMs`): the same transaction id every time, derived
 *   from the delivery id (`fb.<id>`), so the homeserver answers a resend with the first event's id. A room
 *   with server errors backs off alone; a room the bot was removed from is looked up and joined once more.
 * - Topics are items too (bulk lane), bounded by `topicTimeoutMs` from their first attempt.
 * - `stop()` settles everything still queued `abandoned`; the client's close aborts what is in flight.
 */
import { randomBytes } from 'node:crypto';
import type { MatrixClient } from 'matrix-bot-sdk';
import type { DeliveryOutcome } from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { Destination, OutboundMessage, Priority } from '../../core/messages.js';
import { LaneQueue } from '../shared/lane-queue.js';
import type { Content } from './content.js';
import { classify, retryWaitMs, type RetryTuning } from './failures.js';
import { mergeable, mergeRelayed } from './relay-merge.js';
import type { RateLimitGate } from './retry.js';
import type { Sleeper } from './sleeper.js';
import { topicFailure } from './topic.js';

export type Target =
  | { readonly kind: 'room'; readonly conversation: string }
  | { readonly kind: 'person'; readonly userId: string };

/** Where a message goes: a room, or a person's direct room; undefined for a person without a Matrix id. */
export function targetOf(to: Destination): Target | undefined {
  if (!('person' in to)) return { kind: 'room', conversation: to.conversation };
  const userId = to.person.matrix?.userId;
  return userId === undefined ? undefined : { kind: 'person', userId };
}

export type Payload =
  | {
      readonly kind: 'message';
      readonly content: Content;
      /** Only the encryption refusal may be posted into an encrypted room. */
      readonly intoEncryptedRoom?: boolean;
    }
  | { readonly kind: 'topic'; readonly topic: string };

export interface Outgoing {
  readonly target: Target;
  readonly lane: Priority;
  readonly payload: Payload;
  /** The message this event renders; absent for topics and the adapter's own notices. */
  readonly message?: OutboundMessage;
  /** The outbox's delivery id: the transaction id derives from it, so a resend after a restart is deduplicated. */
  readonly deliveryId?: string;
  /** Told the outcome, exactly once. */
  readonly settle?: (outcome: DeliveryOutcome) => void;
}

interface Queued {
  readonly destination: string;
  readonly target: Target;
  readonly lane: Priority;
  /** The deliveries this event carries: one, or several relayed lines merged. */
  readonly parts: Outgoing[];
  payload: Payload;
  txnId: string;
  /** Look the room up again (and join it) before the next attempt. */
  fresh: boolean;
  /** Server errors and lost connections so far. */
  failures: number;
  firstAttemptAt: number | undefined;
  /** An attempt may have reached the server: the content is frozen, so a retry cannot differ from it. */
  frozen: boolean;
}

type Attempt =
  | { readonly ok: true; readonly eventId: string }
  | { readonly ok: false; readonly stage: 'resolve' | 'send'; readonly error: unknown }
  | { readonly ok: false; readonly refused: string };

export interface SchedulerTuning extends RetryTuning {
  readonly requestTimeoutMs: number;
  /** Requests in flight at once (never two for one room). */
  readonly sendConcurrency: number;
  /** A topic change still failing this long after its first attempt settles `timed-out`. */
  readonly topicTimeoutMs: number;
}

export interface SchedulerDeps {
  readonly client: MatrixClient;
  readonly logger: Logger;
  readonly sleeper: Sleeper;
  readonly gate: RateLimitGate;
  readonly now: () => number;
  readonly queueLimit: number;
  readonly tuning: SchedulerTuning;
  /** The room id for a target; `fresh` asks again (re-resolving the alias, re-joining, a new DM room). */
  resolve(target: Target, fresh: boolean): Promise<string>;
  isEncrypted(roomId: string): Promise<boolean>;
  /** Why the bot may not set this room's topic (power levels), when that is the reason. */
  topicRefusal(roomId: string, conversation: string): Promise<string | undefined>;
}

export class MatrixScheduler {
  private readonly queue: LaneQueue<Queued>;
  /** Destinations with a request in flight. */
  private readonly busy = new Set<string>();
  /** Destinations backing off after a failure, until then. */
  private readonly backoffUntil = new Map<string, number>();
  private inFlight = 0;
  private wakeAt: number | undefined;
  /** A 429 was seen since the queue last ran dry: relayed lines merge. */
  private rateLimited = false;
  // Unique per run: a restarted bot with the same token must not reuse an earlier run's ids.
  private readonly runId = randomBytes(6).toString('base64url');
  private sequence = 0;
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.queue = new LaneQueue<Queued>(deps.queueLimit);
  }

  enqueue(outgoing: Outgoing): void {
    if (this.stopped) {
      outgoing.settle?.(this.abandoned());
      return;
    }
    const target = outgoing.target;
    const destination = target.kind === 'room' ? `room:${target.conversation}` : `person:${target.userId}`;
    const item: Queued = {
      destination,
      target,
      lane: outgoing.lane,
      parts: [outgoing],
      payload: outgoing.payload,
      txnId: '',
      fresh: false,
      failures: 0,
      firstAttemptAt: undefined,
      frozen: false,
    };
    item.txnId = this.txnIdOf(item);
    this.queue.push(item, item.lane);
    const dropped = this.queue.takeDropped();
    for (const lost of dropped)
      this.settleAll(lost, {
        status: 'dropped',
        at: this.deps.now(),
        reason: 'the outgoing queue was full',
      });
    if (dropped.length > 0)
      this.deps.logger.warn(
        { dropped: dropped.reduce((sum, item) => sum + item.parts.length, 0) },
        'outgoing queue full: relayed chatter dropped',
      );
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    const left = this.queue.removeWhere(() => true);
    const count = left.reduce((sum, item) => sum + item.parts.length, 0);
    if (count > 0) this.deps.logger.info({ left: count }, 'stopping with unsent Matrix events');
    for (const item of left) this.settleAll(item, this.abandoned());
  }

  /** Starts what may start now, most urgent first; arranges to be called again when waiting ends. */
  private pump(): void {
    if (this.stopped) return;
    const gateMs = this.deps.gate.remainingMs();
    if (gateMs > 0) {
      this.wakeIn(gateMs);
      return;
    }
    const now = this.deps.now();
    let soonest: number | undefined;
    // Once rate-limited, one request at a time: the server lets one through per period anyway, and
    // parallel requests would only collect 429s.
    const slots = this.rateLimited ? 1 : this.deps.tuning.sendConcurrency;
    while (this.inFlight < slots) {
      const item = this.queue.shiftWhere((candidate) => {
        if (this.busy.has(candidate.destination)) return false;
        const until = this.backoffUntil.get(candidate.destination) ?? 0;
        if (until <= now) return true;
        soonest = Math.min(soonest ?? until, until);
        return false;
      });
      if (!item) break;
      this.backoffUntil.delete(item.destination);
      void this.run(item);
    }
    if (soonest !== undefined) this.wakeIn(soonest - now);
    if (this.queue.size === 0 && this.inFlight === 0) this.rateLimited = false;
  }

  private wakeIn(ms: number): void {
    const at = this.deps.now() + ms;
    if (this.wakeAt !== undefined && this.wakeAt <= at) return;
    this.wakeAt = at;
    void this.deps.sleeper.sleep(ms).then((awake) => {
      if (this.wakeAt === at) this.wakeAt = undefined;
      if (awake) this.pump();
    });
  }

  private async run(item: Queued): Promise<void> {
    this.busy.add(item.destination);
    this.inFlight += 1;
    try {
      if (this.rateLimited) this.coalesce(item);
      item.firstAttemptAt ??= this.deps.now();
      const attempt = await this.attempt(item);
      if (attempt.ok)
        this.settleAll(item, { status: 'delivered', at: this.deps.now(), receipt: [attempt.eventId] });
      else if ('refused' in attempt)
        this.settleAll(item, { status: 'refused', at: this.deps.now(), reason: attempt.refused });
      else this.failed(item, attempt.stage, attempt.error);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'the Matrix scheduler failed on an event');
      this.settleAll(item, { status: 'refused', at: this.deps.now(), reason: 'firebell failed to send it' });
    } finally {
      this.busy.delete(item.destination);
      this.inFlight -= 1;
      this.pump();
    }
  }

  /** Takes the room's next queued relayed lines into `item`, while they merge. */
  private coalesce(item: Queued): void {
    if (item.lane !== 'relay' || item.frozen || item.payload.kind !== 'message') return;
    if (!mergeable(item.payload.content)) return;
    for (;;) {
      const next = this.queue.shiftWhere(
        (candidate) => candidate.destination === item.destination && candidate.lane === 'relay',
      );
      if (!next) return;
      const merged: Content | undefined =
        next.payload.kind === 'message' && !next.frozen
          ? mergeRelayed(item.payload.content, next.payload.content)
          : undefined;
      if (!merged) {
        this.queue.unshift(next, 'relay');
        return;
      }
      item.parts.push(...next.parts);
      item.payload = { kind: 'message', content: merged };
      item.txnId = this.txnIdOf(item);
    }
  }

  private async attempt(item: Queued): Promise<Attempt> {
    let roomId: string;
    try {
      roomId = await this.deps.resolve(item.target, item.fresh);
      if (
        item.payload.kind === 'message' &&
        !item.payload.intoEncryptedRoom &&
        (await this.deps.isEncrypted(roomId))
      ) {
        this.deps.logger.error(
          { roomId },
          'not sent: the room is end-to-end encrypted, which firebell does not support',
        );
        return { ok: false, refused: 'the room is end-to-end encrypted' };
      }
    } catch (error) {
      return { ok: false, stage: 'resolve', error };
    }
    const room = encodeURIComponent(roomId);
    const [path, body] =
      item.payload.kind === 'message'
        ? [
            `/_matrix/client/v3/rooms/${room}/send/m.room.message/${encodeURIComponent(item.txnId)}`,
            item.payload.content,
          ]
        : [`/_matrix/client/v3/rooms/${room}/state/m.room.topic/`, { topic: item.payload.topic }];
    try {
      const answer = (await this.deps.client.doRequest(
        'PUT',
        path,
        null,
        body,
        this.deps.tuning.requestTimeoutMs,
      )) as { event_id: string };
      return { ok: true, eventId: answer.event_id };
    } catch (error) {
      if (item.payload.kind === 'topic' && classify(error).kind === 'forbidden') {
        const refusal = await this.deps.topicRefusal(roomId, this.conversationOf(item));
        if (refusal !== undefined) return { ok: false, refused: refusal };
      }
      return { ok: false, stage: 'send', error };
    }
  }

  private failed(item: Queued, stage: 'resolve' | 'send', error: unknown): void {
    const failure = classify(error);
    const log = this.deps.logger.child({ txnId: item.txnId, purpose: this.purposeOf(item) });
    const now = this.deps.now();
    if (failure.kind === 'stopped') {
      this.settleAll(item, this.abandoned());
      return;
    }
    // A revoked token is no refusal of this event: kept pending (abandoned), it goes at the next start.
    // The network has said, once and as an error, why there is no new token (matrix-network.ts).
    if (failure.kind === 'unknown-token') {
      log.warn({ detail: failure.detail }, 'not sent: the access token was rejected; kept for next start');
      this.settleAll(item, { status: 'abandoned', at: now, reason: 'the access token was rejected' });
      return;
    }
    if ((failure.kind === 'forbidden' || failure.kind === 'not-found') && !item.fresh) {
      log.info({ detail: failure.detail }, 'the room refused the event; looking it up and joining again');
      item.fresh = true;
      this.requeue(item);
      return;
    }
    if (failure.kind === 'transient') {
      item.failures += 1;
      if (stage === 'send') item.frozen = true;
    }
    const wait = retryWaitMs(failure, Math.max(0, item.failures - 1), true, this.deps.tuning);
    if (wait === undefined) {
      log.error({ detail: failure.detail, target: item.target }, 'not delivered: the homeserver refused it');
      const reason =
        item.payload.kind === 'topic' ? topicFailure(this.conversationOf(item), failure) : failure.detail;
      this.settleAll(item, { status: 'refused', at: now, reason });
      return;
    }
    if (
      item.payload.kind === 'topic' &&
      now + wait - (item.firstAttemptAt ?? now) > this.deps.tuning.topicTimeoutMs
    ) {
      log.warn({ detail: failure.detail }, 'topic not set: the homeserver kept failing');
      this.settleAll(item, {
        status: 'timed-out',
        at: now,
        reason: `${topicFailure(this.conversationOf(item), failure)}, for ${Math.round(this.deps.tuning.topicTimeoutMs / 1000)} s`,
      });
      return;
    }
    if (failure.kind === 'rate-limited' && stage === 'send') {
      this.deps.gate.shut(wait);
      this.rateLimited = true;
      log.debug({ waitMs: wait }, 'rate-limited; everything waits, then the most urgent goes first');
    } else {
      this.backoffUntil.set(item.destination, now + wait);
      if (failure.kind === 'rate-limited') log.debug({ waitMs: wait }, 'rate-limited while finding the room');
      else if (item.failures === 1 || item.failures % 10 === 0)
        log.warn(
          { detail: failure.detail, failures: item.failures, waitMs: wait },
          'sending failed; retrying',
        );
    }
    this.requeue(item);
  }

  private requeue(item: Queued): void {
    if (this.stopped) this.settleAll(item, this.abandoned());
    else this.queue.unshift(item, item.lane);
  }

  private txnIdOf(item: Queued): string {
    const first = item.parts[0] as Outgoing;
    if (first.deliveryId === undefined) {
      this.sequence += 1;
      return `fb.${this.runId}.${this.sequence}`;
    }
    return item.parts.length === 1
      ? `fb.${first.deliveryId}`
      : `fb.${first.deliveryId}.m${item.parts.length}`;
  }

  private conversationOf(item: Queued): string {
    return item.target.kind === 'room' ? item.target.conversation : item.target.userId;
  }

  private purposeOf(item: Queued): string | undefined {
    return item.parts[0]?.message?.purpose ?? (item.payload.kind === 'topic' ? 'topic' : undefined);
  }

  private abandoned(): DeliveryOutcome {
    return { status: 'abandoned', at: this.deps.now(), reason: 'the Matrix network stopped' };
  }

  private settleAll(item: Queued, outcome: DeliveryOutcome): void {
    for (const part of item.parts) {
      try {
        part.settle?.(outcome);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'a delivery listener threw');
      }
    }
  }
}
