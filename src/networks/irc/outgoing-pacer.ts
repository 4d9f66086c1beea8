/**
 * Everything firebell writes to an IRC connection goes through here, one line per token of the bucket.
 * Two queues: control lines of the current connection (JOIN, NickServ, WHO, TOPIC, CTCP replies) go first
 * and are dropped when the connection ends; messages wait in the shared LaneQueue (urgent before normal,
 * relay, bulk), survive reconnects, and leave only when their target is ready (registered, channel joined).
 * A message is cut into wire lines one at a time, so an urgent reply can slip between the lines of a long
 * bulk message.
 */
import type { Clock } from '../../core/clock.js';
import type { DeliveryOutcome } from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OutboundMessage, Priority } from '../../core/messages.js';
import type { LaneQueue } from '../shared/lane-queue.js';
import { splitLine } from './line-splitter.js';
import type { TokenBucket } from './token-bucket.js';

export interface QueuedMessage {
  readonly message: OutboundMessage;
  readonly priority: Priority;
  readonly target: string;
  readonly command: 'PRIVMSG' | 'NOTICE';
  /** CTCP ACTION (an emote). */
  readonly action: boolean;
  /** Lines still to send, each free of CR/LF, not yet cut to the byte budget. */
  readonly lines: readonly string[];
  /** Told the outcome: delivered once every line was written, dropped when relay overflow dropped it. */
  readonly settle?: (outcome: DeliveryOutcome) => void;
}

export interface PacerHooks {
  /** Registered with an open socket. */
  canSend(): boolean;
  /** Whether lines for this target may go now (its channel is joined). */
  isReady(target: string): boolean;
  /** Bytes of text one line for this message may carry (see payloadBudget). */
  budgetFor(item: QueuedMessage): number;
  /** Writes one line to the socket; false when it could not. */
  write(line: string): boolean;
  /** All lines of a message were written. */
  delivered(message: OutboundMessage): void;
}

interface ControlLine {
  readonly line: string;
  readonly cost: number;
  readonly onWritten: (() => void) | undefined;
}

const CTCP = '\x01';

export class OutgoingPacer {
  private readonly controls: ControlLine[] = [];
  private timer: unknown;
  private timerDue = Infinity;
  private pumping = false;
  private stopped = false;
  private droppedTotal = 0;

  constructor(
    private readonly clock: Clock,
    private readonly bucket: TokenBucket,
    private readonly queue: LaneQueue<QueuedMessage>,
    private readonly hooks: PacerHooks,
    private readonly logger: Logger,
    private readonly queueLimit: number,
  ) {}

  /** Messages waiting (not control lines). */
  get queuedMessages(): number {
    return this.queue.size;
  }

  /** Relayed messages dropped for lack of room since start. */
  get droppedRelayed(): number {
    return this.droppedTotal;
  }

  enqueue(item: QueuedMessage): void {
    this.queue.push(item, item.priority);
    const droppedItems = this.queue.takeDropped();
    const dropped = droppedItems.length;
    for (const lost of droppedItems)
      lost.settle?.({ status: 'dropped', at: this.clock.now(), reason: 'the outgoing queue was full' });
    if (dropped > 0) {
      this.droppedTotal += dropped;
      this.logger.warn(
        { dropped, droppedTotal: this.droppedTotal, queueLimit: this.queueLimit },
        `outgoing queue full (${this.queueLimit} messages): dropped ${dropped} relayed message(s)`,
      );
    }
    this.pump();
  }

  /** A protocol line for the current connection; `cost` is what the server charges for it. */
  control(line: string, cost = 1, onWritten?: () => void): void {
    this.controls.push({ line, cost, onWritten });
    this.pump();
  }

  /** The connection ended: its control lines mean nothing to the next one. Messages stay queued. */
  dropControlLines(): void {
    this.controls.length = 0;
  }

  /** Something changed (registered, joined, tokens): send what can go. */
  pump(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (this.hooks.canSend() && this.sendOne());
    } finally {
      this.pumping = false;
    }
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.controls.length = 0;
    for (let item = this.queue.shift(); item; item = this.queue.shift())
      item.settle?.({ status: 'abandoned', at: this.clock.now(), reason: 'the IRC network stopped' });
  }

  /** Sends one line if a token and a line are there; false when the loop should stop. */
  private sendOne(): boolean {
    const control = this.controls[0];
    if (control) {
      if (!this.bucket.tryTake(control.cost)) return this.waitForTokens(control.cost);
      this.controls.shift();
      if (!this.hooks.write(control.line)) return false;
      control.onWritten?.();
      return true;
    }
    if (this.queue.size === 0) return false;
    if (this.bucket.msUntil(1) > 0) return this.waitForTokens(1);
    const item = this.queue.shiftWhere((candidate) => this.hooks.isReady(candidate.target));
    if (!item) return false;
    return this.sendLineOf(item);
  }

  private sendLineOf(item: QueuedMessage): boolean {
    const [first, ...later] = item.lines;
    if (first === undefined) {
      this.finished(item);
      return true;
    }
    const [chunk, ...overflow] = splitLine(first, this.hooks.budgetFor(item));
    if (chunk === undefined) {
      // Nothing visible in this line; go on with the next without spending a token.
      this.queue.unshift({ ...item, lines: later }, item.priority);
      return true;
    }
    const text = item.action ? `${CTCP}ACTION ${chunk}${CTCP}` : chunk;
    this.bucket.tryTake(1);
    if (!this.hooks.write(`${item.command} ${item.target} :${text}`)) {
      this.queue.unshift(item, item.priority);
      return false;
    }
    const remaining = [...overflow, ...later];
    if (remaining.length > 0) this.queue.unshift({ ...item, lines: remaining }, item.priority);
    else this.finished(item);
    return true;
  }

  private finished(item: QueuedMessage): void {
    this.hooks.delivered(item.message);
    item.settle?.({ status: 'delivered', at: this.clock.now(), receipt: [] });
  }

  private waitForTokens(cost: number): false {
    const due = this.clock.now() + this.bucket.msUntil(cost);
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
