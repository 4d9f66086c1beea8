/**
 * How far one message delivery got: its lines are cut and written one at a time, and each is confirmed on
 * its own (the socket took it; with echo-message, the server echoed it). The delivery settles once, when
 * its last line is confirmed (delivered, with the server's message ids as the receipt), or at the first
 * line the server refused or did not confirm in time; a line lost with the connection is written again.
 */
import type { Clock } from '../../core/clock.js';
import { delivered, type DeliveryOutcome } from '../../core/delivery.js';

export class MessageProgress {
  /** Lines written and not confirmed yet. */
  private unconfirmed = 0;
  private allWritten = false;
  private readonly receipt: string[] = [];
  private done = false;
  /** The index the next cut line gets (lines keep their index when written again). */
  nextIndex = 0;

  constructor(
    readonly deliveryId: string,
    private readonly clock: Clock,
    private readonly settle: (outcome: DeliveryOutcome) => void,
  ) {}

  /** Settled already: its remaining lines are not written. */
  get settled(): boolean {
    return this.done;
  }

  lineWritten(): void {
    this.unconfirmed += 1;
  }

  /** A line was confirmed; `messageId` is the server's id for it (from the echo), when it gave one. */
  lineConfirmed(messageId?: string): void {
    this.unconfirmed -= 1;
    if (messageId) this.receipt.push(messageId);
    this.check();
  }

  /** A line found in the server's history before writing it again: confirmed without a write. */
  lineFound(messageId: string | undefined): void {
    if (messageId) this.receipt.push(messageId);
  }

  /** A written line was lost with the connection; it will be written again. */
  lineLost(): void {
    this.unconfirmed -= 1;
    this.allWritten = false;
  }

  /** The last line was written (or there was nothing left to write). */
  finishedWriting(): void {
    this.allWritten = true;
    this.check();
  }

  refused(reason: string): void {
    this.finish({ status: 'refused', at: this.clock.now(), reason });
  }

  timedOut(reason: string): void {
    this.finish({ status: 'timed-out', at: this.clock.now(), reason });
  }

  abandoned(reason: string): void {
    this.finish({ status: 'abandoned', at: this.clock.now(), reason });
  }

  dropped(reason: string): void {
    this.finish({ status: 'dropped', at: this.clock.now(), reason });
  }

  private check(): void {
    if (this.allWritten && this.unconfirmed === 0) this.finish(delivered(this.clock.now(), this.receipt));
  }

  private finish(outcome: DeliveryOutcome): void {
    if (this.done) return;
    this.done = true;
    this.settle(outcome);
  }
}
