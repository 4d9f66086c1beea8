/**
 * Written message lines waiting for their confirmation, which only the server can give:
 *
 * - With echo-message the server sends each PRIVMSG and NOTICE back to us once it accepted it, in the order
 *   we wrote them: an echo confirms the oldest waiting line to that target (by our client tag
 *   `+firebell/delivery` when the server carries client tags). The echo is a confirmation, never an
 *   inbound message.
 * - Without it, a line is confirmed by the server's PONG to a PING written after it: the server reads a
 *   connection's lines in order, so by then it has handled the line. The socket taking a line proves
 *   nothing: it may sit in a kernel buffer when the connection dies (a netsplit, a reset), and a line
 *   counted as delivered there would be lost. One PING covers every line written before it; it waits in
 *   the bulk lane, so it costs a token only when nothing more urgent wants it, and never the reserve an
 *   urgent line needs. Its timeout counts from the PING's write.
 *
 * A refusal numeric (404 cannot send, 401 no such nick, 477/486/531/716 the target takes no messages from
 * us) refuses the oldest line waiting for that target, and a line with no confirmation within the timeout
 * timed out. Lines still waiting when the connection ends are handed back to be written again: the server
 * may or may not have taken them (at most one repeat, never a loss).
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
  /** Without echo-message: the socket took it, and a PING written after it is wanted. */
  flushed: boolean;
  /** The PING written after it, whose PONG confirms it. */
  probe: number | undefined;
}

/** The client-only tag that carries a line's delivery id and index (`<id>:<index>`). */
export const DELIVERY_TAG = '+firebell/delivery';

/** The token of our confirming PINGs (the connection watchdog's are `firebell-<time>`). */
const PROBE_TOKEN = /^firebell-confirm-(\d+)$/;

/** A confirming PING the pacer holds: it writes it when its turn comes, unless nothing waits for it. */
export interface Probe {
  /** The line to write; undefined when no line waits for a PING any more (it is dropped unwritten). */
  line(): string | undefined;
  /** It was handed to the socket: lines written from now on need another PING. */
  sent(): void;
  /** The socket took it: the lines it took before are the ones its PONG confirms. */
  flushed(): void;
  /** It left the queue unwritten. */
  discarded(): void;
}

export class LineConfirmations {
  private waiting: Waiting[] = [];
  private probes = 0;
  /** The PING queued and not written yet: every line the socket takes before it is covered. */
  private queuedProbe: Probe | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** Whether the server echoes our messages (echo-message enabled on this connection). */
    private readonly echoes: () => boolean,
    private readonly address: () => string,
    /** Queues a confirming PING (in the bulk lane) on the current connection. */
    private readonly queueProbe: (probe: Probe) => void,
  ) {}

  /** A line was handed to the socket, in write order; returns the socket's write callback. */
  written(line: WrittenLine): (error?: Error) => void {
    const entry: Waiting = {
      targetKey: line.targetKey,
      line,
      timer: undefined,
      flushed: false,
      probe: undefined,
    };
    this.waiting.push(entry);
    line.progress.lineWritten();
    return (error) => {
      if (!this.waiting.includes(entry) || error) return; // lost with the connection: handed back there
      if (!this.echoes()) {
        entry.flushed = true;
        this.wantProbe();
        return;
      }
      this.startTimeout(entry, 'did not echo the line');
    };
  }

  /** A PONG came; true when it answered one of our confirming PINGs (it confirms what that PING covers). */
  pong(token: string): boolean {
    const match = PROBE_TOKEN.exec(token);
    if (!match) return false;
    const answered = Number(match[1]);
    for (const entry of this.waiting.filter((e) => e.probe !== undefined && e.probe <= answered)) {
      this.remove(entry);
      entry.line?.progress.lineConfirmed();
    }
    return true;
  }

  /**
   * The server answered our QUIT (its ERROR): it read every line written before the QUIT, so each line
   * still waiting is confirmed (a refusal would have come before).
   */
  quitAnswered(): void {
    for (const entry of this.waiting.splice(0)) {
      if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
      entry.line?.progress.lineConfirmed();
    }
    this.queuedProbe = undefined;
  }

  /** One of our protocol PRIVMSGs or NOTICEs was written: its echo is expected in line, and ignored. */
  expect(targetKey: string): void {
    if (!this.echoes()) return;
    const entry: Waiting = { targetKey, line: undefined, timer: undefined, flushed: false, probe: undefined };
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
    this.queuedProbe = undefined; // the pacer drops it with the connection's other protocol lines
    return lines;
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Queues a PING unless one is queued already (it will cover this line too). */
  private wantProbe(): void {
    if (this.queuedProbe) return;
    const number = ++this.probes;
    const probe: Probe = {
      // Lines whose echo or PING is still to come; none when an earlier PONG covered them meanwhile.
      line: () =>
        this.waiting.some((entry) => entry.line && entry.probe === undefined && entry.timer === undefined)
          ? `PING :firebell-confirm-${number}`
          : undefined,
      sent: () => {
        if (this.queuedProbe === probe) this.queuedProbe = undefined;
      },
      flushed: () => {
        for (const entry of this.waiting)
          if (entry.flushed && entry.probe === undefined) {
            entry.probe = number;
            this.startTimeout(entry, 'did not answer the PING written after the line');
          }
      },
      discarded: () => {
        if (this.queuedProbe === probe) this.queuedProbe = undefined;
      },
    };
    this.queuedProbe = probe;
    this.queueProbe(probe);
  }

  private startTimeout(entry: Waiting, what: string): void {
    entry.timer = this.clock.setTimeout(() => {
      this.remove(entry);
      entry.line?.progress.timedOut(
        `${this.address()} ${what} within ${Math.round(this.timeoutMs / 1000)} s of writing it`,
      );
    }, this.timeoutMs);
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
