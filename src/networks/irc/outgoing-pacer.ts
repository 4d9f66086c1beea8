/**
 * Everything firebell writes to an IRC connection goes through here, paced by the token bucket, in lanes
 * that cannot starve:
 *
 * - setup lines of the session (bot mode, ISON, NickServ IDENTIFY and nick regaining, PING) go first; they
 *   are few, and without them the session is not usable. irc-framework's own lines (CAP, SASL, PONG) are
 *   charged to the bucket as they pass.
 * - then strictly by lane: urgent (pages, replies, the account lookups a command waits on) > normal >
 *   relay > bulk (topic fan-out, rejoins). Only urgent lines may take the last token: every other lane
 *   keeps one in reserve, so an urgent line waits at most one pacing slot whatever is queued, and at the
 *   default pacing usually none at all.
 * - JOINs come from the JoinPlanner, in the lane of the most urgent line waiting for one of their
 *   channels (bulk when none waits), ahead of the other lines of that lane, which need the channel.
 *
 * Items stay queued until their target is ready (registered, channel joined); a long message is cut
 * into wire lines one at a time, so an urgent reply can slip between the lines of a long bulk message.
 * Items of a connection (lookups, queries, CTCP replies) are dropped when it ends; deliveries survive it.
 */
import type { Clock } from '../../core/clock.js';
import type { Lane } from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { LaneQueue } from '../shared/lane-queue.js';
import type { TokenBucket } from './token-bucket.js';

/** One line for the wire and what the server charges for it. */
export interface WireLine {
  readonly line: string;
  readonly cost: number;
  /** Hears when the socket took the line (an error when it could not). */
  readonly written?: (error?: Error) => void;
  /** A line of a message delivery, whose confirmation its item tracks (not a protocol line). */
  readonly delivery?: boolean;
}

/** Why a queued item ends without being written. */
export type DiscardReason = 'overflow' | 'connection-ended' | 'stopped';

/** Something to write: a delivery (message, topic change) or a protocol line. */
export interface Outgoing {
  readonly lane: Lane;
  /** A protocol line of the current connection, meaningless on the next one. */
  readonly connectionScoped: boolean;
  /** The folded name of the channel it is for, when it is for a channel. */
  readonly channelKey?: string | undefined;
  /** Whether it may go now (its channel joined, nothing to look up first). */
  ready(): boolean;
  /** The next line, without taking it; undefined when nothing is left to write (the item is done). */
  peek(): WireLine | undefined;
  /** The peeked line was handed to the socket; returns true when the item has more lines. */
  sent(line: WireLine): boolean;
  /** It leaves the queue unwritten. */
  discard(reason: DiscardReason): void;
}

/** A JOIN line the JoinPlanner offers, in the lane of the most urgent line waiting for its channels. */
export interface JoinOffer {
  readonly lane: Lane;
  readonly line: WireLine;
  /** Taken: the channels are being joined. */
  take(): void;
}

export interface PacerHooks {
  /** Registered with an open socket. */
  canSend(): boolean;
  /** Writes one line to the socket; false when it could not (nothing was written). */
  write(line: WireLine): boolean;
  /**
   * The next JOIN, if channels are waiting to be joined; `waitingLane` tells the most urgent lane of the
   * items waiting for a channel (by its folded name).
   */
  nextJoin(waitingLane: (channelKey: string) => Lane | undefined): JoinOffer | undefined;
}

const RANK: Readonly<Record<Lane, number>> = { urgent: 0, normal: 1, relay: 2, bulk: 3 };

export class OutgoingPacer {
  private readonly setup: WireLine[] = [];
  private timer: unknown;
  private timerDue = Infinity;
  private pumping = false;
  private pumpAgain = false;
  private stopped = false;
  private droppedTotal = 0;
  /** Tokens every lane but urgent leaves in the bucket (none when the burst is a single line). */
  private readonly reserve: number;

  constructor(
    private readonly clock: Clock,
    private readonly bucket: TokenBucket,
    private readonly queue: LaneQueue<Outgoing>,
    private readonly hooks: PacerHooks,
    private readonly logger: Logger,
    private readonly queueLimit: number,
  ) {
    this.reserve = bucket.burst >= 2 ? 1 : 0;
  }

  /** Items waiting (deliveries and protocol lines; not setup lines). */
  get queued(): number {
    return this.queue.size;
  }

  /** Relayed messages dropped for lack of room since start. */
  get droppedRelayed(): number {
    return this.droppedTotal;
  }

  enqueue(item: Outgoing): void {
    if (this.stopped) {
      item.discard('stopped');
      return;
    }
    this.queue.push(item, item.lane);
    const dropped = this.queue.takeDropped();
    for (const lost of dropped) lost.discard('overflow');
    if (dropped.length > 0) {
      this.droppedTotal += dropped.length;
      this.logger.warn(
        { dropped: dropped.length, droppedTotal: this.droppedTotal, queueLimit: this.queueLimit },
        `outgoing queue full (${this.queueLimit} messages): dropped ${dropped.length} relayed message(s)`,
      );
    }
    this.pump();
  }

  /** Puts an item back first in its lane (lines written but lost with the connection). */
  requeue(item: Outgoing): void {
    if (this.stopped) {
      item.discard('stopped');
      return;
    }
    this.queue.unshift(item, item.lane);
  }

  /** A setup line of the session: ahead of every lane; `cost` is what the server charges for it. */
  setupLine(line: string, cost = 1): void {
    this.setup.push({ line, cost });
    this.pump();
  }

  /** The connection ended: its setup lines and protocol items mean nothing to the next one. */
  connectionEnded(): void {
    this.setup.length = 0;
    for (const item of this.queue.removeWhere((candidate) => candidate.connectionScoped))
      item.discard('connection-ended');
  }

  /** Something changed (registered, joined, tokens): send what can go. */
  pump(): void {
    if (this.stopped) return;
    if (this.pumping) {
      // Something was queued while sending (a history query an item asked for): go round again.
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        while (this.hooks.canSend() && this.sendOne());
      } while (this.pumpAgain && !this.stopped);
    } finally {
      this.pumping = false;
    }
  }

  /** Stops for good: every queued item is discarded (deliveries settle as abandoned). */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.setup.length = 0;
    for (let item = this.queue.shift(); item; item = this.queue.shift()) item.discard('stopped');
  }

  /** Sends one line if a token and a line are there; false when the loop should stop. */
  private sendOne(): boolean {
    const setup = this.setup[0];
    if (setup) {
      const cost = Math.min(setup.cost, this.bucket.burst);
      if (!this.bucket.tryTake(cost)) return this.waitForTokens(cost);
      if (!this.hooks.write(setup)) return false;
      this.setup.shift();
      return true;
    }
    const item = this.queue.shiftWhere((candidate) => candidate.ready());
    const join = this.hooks.nextJoin((channel) => this.laneWaitingFor(channel));
    if (join && (!item || RANK[join.lane] <= RANK[item.lane])) {
      if (item) this.queue.unshift(item, item.lane);
      return this.sendJoin(join);
    }
    if (!item) return false;
    return this.sendLineOf(item);
  }

  private sendJoin(join: JoinOffer): boolean {
    const { cost, keep } = this.price(join.line.cost, join.lane);
    if (!this.bucket.tryTake(cost, keep)) return this.waitForTokens(cost + keep);
    if (!this.hooks.write(join.line)) return false;
    join.take();
    return true;
  }

  private sendLineOf(item: Outgoing): boolean {
    const line = item.peek();
    if (line === undefined) return true; // nothing left: the item is done and leaves the queue
    const { cost, keep } = this.price(line.cost, item.lane);
    if (!this.bucket.tryTake(cost, keep)) {
      this.queue.unshift(item, item.lane);
      return this.waitForTokens(cost + keep);
    }
    if (!this.hooks.write(line)) {
      this.queue.unshift(item, item.lane);
      return false;
    }
    if (item.sent(line)) this.queue.unshift(item, item.lane);
    return true;
  }

  /** What a line costs and what it must leave in the bucket; never more than the bucket can hold. */
  private price(lineCost: number, lane: Lane): { cost: number; keep: number } {
    const cost = Math.min(lineCost, this.bucket.burst);
    const keep = lane === 'urgent' ? 0 : Math.min(this.reserve, this.bucket.burst - cost);
    return { cost, keep };
  }

  private laneWaitingFor(channelKey: string): Lane | undefined {
    return this.queue.laneOf((item) => item.channelKey === channelKey);
  }

  private waitForTokens(needed: number): false {
    const due = this.clock.now() + this.bucket.msUntil(needed);
    if (due < this.timerDue) {
      this.clearTimer();
      this.timerDue = due;
      this.timer = this.clock.setTimeout(
        () => {
          this.timer = undefined;
          this.timerDue = Infinity;
          this.pump();
        },
        Math.max(0, due - this.clock.now()),
      );
    }
    return false;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }
}
