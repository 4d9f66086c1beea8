/**
 * Written message lines waiting for their confirmation. Without echo-message a line is confirmed when the
 * socket took it (the write callback). With echo-message the server sends each PRIVMSG and NOTICE back to
 * us once it accepted it, in the order we wrote them: an echo confirms the oldest waiting line to that
 * target (by our client tag `+firebell/delivery` when the server carries client tags), a refusal numeric
 * (404 cannot send, 401 no such nick, 477/486/531/716 the target takes no messages from us) refuses it, and
 * a line with neither within the timeout (counted from the write) timed out. The echo is a confirmation,
 * never an inbound message. Lines still waiting when the connection ends are handed back to be written
 * again: the server may or may not have taken them (at most one repeat, never a loss).
 */
import type { Clock } from '../../core/clock.js';
import type { MessageProgress } from './message-progress.js';

/** One cut line of a message delivery. */
export interface CutLine {
  readonly index: number;
  /** The text after the colon, before CTCP ACTION wrapping. */
  readonly chunk: string;
}

export interface WrittenLine extends CutLine {
  /** The target's folded name. */
  readonly targetKey: string;
  readonly progress: MessageProgress;
  /** The item that wrote it, to take the line back when the connection is lost. */
  readonly owner: unknown;
}

interface Waiting {
  readonly targetKey: string;
  /** Absent for our protocol lines (NickServ, CTCP replies): they echo too, and keep the order aligned. */
  readonly line: WrittenLine | undefined;
  timer: unknown;
}

/** The client-only tag that carries a line's delivery id and index (`<id>:<index>`). */
export const DELIVERY_TAG = '+firebell/delivery';

export class EchoConfirmations {
  private waiting: Waiting[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** Whether the server echoes our messages (echo-message enabled on this connection). */
    private readonly echoes: () => boolean,
    private readonly address: () => string,
  ) {}

  /** A line was handed to the socket, in write order; returns the socket's write callback. */
  written(line: WrittenLine): (error?: Error) => void {
    const entry: Waiting = { targetKey: line.targetKey, line, timer: undefined };
    this.waiting.push(entry);
    line.progress.lineWritten();
    return (error) => {
      if (!this.waiting.includes(entry) || error) return; // lost with the connection: handed back there
      if (!this.echoes()) {
        this.remove(entry);
        line.progress.lineConfirmed();
        return;
      }
      entry.timer = this.clock.setTimeout(() => {
        this.remove(entry);
        line.progress.timedOut(
          `${this.address()} did not echo the line within ${Math.round(this.timeoutMs / 1000)} s of writing it`,
        );
      }, this.timeoutMs);
    };
  }

  /** One of our protocol PRIVMSGs or NOTICEs was written: its echo is expected in line, and ignored. */
  expect(targetKey: string): void {
    if (!this.echoes()) return;
    const entry: Waiting = { targetKey, line: undefined, timer: undefined };
    entry.timer = this.clock.setTimeout(() => this.remove(entry), this.timeoutMs);
    this.waiting.push(entry);
  }

  /**
   * Our own PRIVMSG or NOTICE came back. `tag` is our delivery tag when the server carried it. Returns
   * whether it confirmed a waiting line.
   */
  echo(targetKey: string, messageId: string | undefined, tag: string | undefined): boolean {
    const tagged = tag === undefined ? undefined : parseDeliveryTag(tag);
    const entry = tagged
      ? this.waiting.find(
          (candidate) =>
            candidate.line?.progress.deliveryId === tagged.id && candidate.line.index === tagged.index,
        )
      : this.waiting.find((candidate) => candidate.targetKey === targetKey);
    if (!entry) return false;
    this.remove(entry);
    entry.line?.progress.lineConfirmed(messageId);
    return entry.line !== undefined;
  }

  /** The server refused a message to `targetKey`: the oldest line waiting for it fails, with the reason. */
  refused(targetKey: string, reason: string): boolean {
    const entry = this.waiting.find((candidate) => candidate.targetKey === targetKey);
    if (!entry) return false;
    this.remove(entry);
    entry.line?.progress.refused(reason);
    return entry.line !== undefined;
  }

  /** The connection ended: every waiting line, in write order, to be written again on the next one. */
  takeAll(): WrittenLine[] {
    const lines: WrittenLine[] = [];
    for (const entry of this.waiting) {
      if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
      if (entry.line) lines.push(entry.line);
    }
    this.waiting = [];
    return lines;
  }

  get size(): number {
    return this.waiting.length;
  }

  private remove(entry: Waiting): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.waiting = this.waiting.filter((candidate) => candidate !== entry);
  }
}

export function deliveryTag(id: string, index: number): string {
  return `${id}:${index}`;
}

export function parseDeliveryTag(value: string): { id: string; index: number } | undefined {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const index = Number(value.slice(colon + 1));
  return Number.isInteger(index) && index >= 0 ? { id: value.slice(0, colon), index } : undefined;
}
