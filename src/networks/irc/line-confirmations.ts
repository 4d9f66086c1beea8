/**
 * Written message lines waiting for their confirmation, which only the server can give:
 *
 * - With echo-message the server sends each PRIVMSG and NOTICE back to us once it accepted it, in the order
 *   we wrote them: an echo confirms the oldest waiting line to that target (by our client tag
 *   `+firebell/delivery` when the server carries client tags). The echo is a confirmation, never an
 *   inbound message.
 * - Without it, a line is confirmed by the server's answer to any line written after it (server-answers.ts:
 *   our JOIN's or TOPIC's echo, the PONG to a PING sent for the purpose): the server reads a connection's
 *   lines in order, so by then it has handled the line. The socket taking a line proves nothing: it may
 *   sit in a kernel buffer when the connection dies (a netsplit, a reset), and a line counted as delivered
 *   there would be lost.
 *
 * A refusal numeric (404 cannot send, 401 no such nick, 477/486/531/716 the target takes no messages from
 * us) refuses the oldest line waiting for that target. Without echo-message that is only certain when no
 * other line to the target was written before the next PING: an accepted line draws no reply, so of two
 * lines to `#ops` written back to back, a 404 may answer either. Those lines are in doubt until the
 * server's answer to a later line shows that every refusal for them has come: then each is refused,
 * with a reason that says the server refused some of them and which it cannot tell (a line counted as
 * delivered that was refused would be a page lost with a record saying it went out). A line with no
 * confirmation within the timeout
 * timed out, provided the server sent something meanwhile: from a connection gone silent (dead, its lines
 * maybe lost in a socket buffer) the line waits for the ping timeout to end it (answer-wait.ts). Lines
 * still waiting when the connection ends are handed back to be written again: the server may or may not
 * have taken them (one repeat per connection lost before its answer, never a loss).
 */
import type { Clock } from '../../core/clock.js';
import { awaitAnswer } from './answer-wait.js';
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
  /** Its place in the order lines were handed to the socket. */
  readonly seq: number;
  /** What confirms it: its echo, or (without echo-message) the answer to a later line. */
  awaiting: 'echo' | 'answer';
  timer: unknown;
}

/** The client-only tag that carries a line's delivery id and index (`<id>:<index>`). */
export const DELIVERY_TAG = '+firebell/delivery';

export class LineConfirmations {
  private waiting: Waiting[] = [];
  /** Lines handed to the socket on this connection, ours and protocol lines alike. */
  private handed = 0;
  /** Where our confirming PINGs were written: every refusal for a line before one comes before its PONG. */
  private pingSeqs: number[] = [];
  /** Targets with lines in doubt (see the top of the file): the refusals heard, and their reasons. */
  private readonly inDoubt = new Map<string, { refusals: number; reasons: string[] }>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    /** Whether the server echoes our messages (echo-message enabled on this connection). */
    private readonly echoes: () => boolean,
    private readonly address: () => string,
    /** A line the socket took waits for the server's answer to a later line (no echo-message). */
    private readonly answerWanted: () => void,
    /** When the server last sent a line on this connection. */
    private readonly lastHeard: () => number,
  ) {}

  /** A line was handed to the socket, in write order; returns the socket's write callback. */
  written(line: WrittenLine): (error?: Error) => void {
    const echoes = this.echoes();
    const entry: Waiting = {
      targetKey: line.targetKey,
      line,
      seq: ++this.handed,
      awaiting: echoes ? 'echo' : 'answer',
      timer: undefined,
    };
    this.waiting.push(entry);
    line.progress.lineWritten();
    return (error) => {
      if (!this.waiting.includes(entry) || error) return; // lost with the connection: handed back there
      if (echoes) this.startTimeout(entry, 'did not echo the line');
      else this.answerWanted();
    };
  }

  /** Any other line was handed to the socket; its place in the order, for `answered`. */
  mark(): number {
    return ++this.handed;
  }

  /** Our confirming PING was handed to the socket: a `mark` its PONG is sure to answer. */
  pingMark(): number {
    const seq = this.mark();
    this.pingSeqs.push(seq);
    return seq;
  }

  /** Whether some line still waits for the answer to a later line. */
  get awaitingAnswer(): boolean {
    return this.waiting.some((entry) => entry.line && entry.awaiting === 'answer');
  }

  /** The line at `mark` is written, and its answer will confirm the lines before it: their timeout runs. */
  answerExpected(mark: number, what: string): void {
    for (const entry of this.waiting)
      if (entry.awaiting === 'answer' && entry.seq < mark && entry.timer === undefined)
        this.startTimeout(entry, what);
  }

  /**
   * The server answered the line at `mark`: it handled every line before it, and sent every refusal for
   * them before this answer. Those not in doubt are confirmed; those in doubt are refused.
   */
  answered(mark: number): void {
    for (const entry of this.waiting.filter((e) => e.awaiting === 'answer' && e.seq < mark)) {
      this.remove(entry);
      const doubt = this.inDoubt.get(entry.targetKey);
      if (doubt) entry.line?.progress.refused(doubtReason(doubt));
      else entry.line?.progress.lineConfirmed();
    }
    // Every refusal heard so far was for a line before `mark`: none is left to explain later lines.
    this.inDoubt.clear();
    this.pingSeqs = this.pingSeqs.filter((seq) => seq > mark);
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
  }

  /** One of our protocol PRIVMSGs or NOTICEs was written: its echo is expected in line, and ignored. */
  expect(targetKey: string): void {
    if (!this.echoes()) return;
    const entry: Waiting = {
      targetKey,
      line: undefined,
      seq: this.mark(),
      awaiting: 'echo',
      timer: undefined,
    };
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

  /**
   * The server refused a message to `targetKey`: the oldest line waiting for it fails, with the reason;
   * without echo-message, the lines it may belong to are in doubt (see the top of the file).
   */
  refused(targetKey: string, reason: string): boolean {
    const suspects = this.suspects(targetKey);
    const [oldest] = suspects;
    if (!oldest) return false;
    const doubt = this.inDoubt.get(targetKey) ?? { refusals: 0, reasons: [] };
    doubt.refusals += 1;
    doubt.reasons.push(reason);
    if (suspects.length > 1 && doubt.refusals < suspects.length) {
      this.inDoubt.set(targetKey, doubt);
      return suspects.some((entry) => entry.line !== undefined);
    }
    // As many refusals as suspects: each was refused, and the server answers lines in order.
    this.inDoubt.delete(targetKey);
    suspects.forEach((entry, index) => {
      this.remove(entry);
      entry.line?.progress.refused(doubt.reasons[index] ?? reason);
    });
    return suspects.some((entry) => entry.line !== undefined);
  }

  /** The connection ended: every waiting line, in write order, to be written again on the next one. */
  takeAll(): WrittenLine[] {
    this.inDoubt.clear();
    this.pingSeqs = [];
    const lines: WrittenLine[] = [];
    for (const entry of this.waiting) {
      if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
      if (entry.line) lines.push(entry.line);
    }
    this.waiting = [];
    return lines;
  }

  /** Where the oldest line still waiting for `targetKey` was written, in write order (see `mark`). */
  oldestOrder(targetKey: string): number | undefined {
    return this.waiting.find((entry) => entry.targetKey === targetKey)?.seq;
  }

  get size(): number {
    return this.waiting.length;
  }

  /**
   * The lines a refusal for `targetKey` may answer: the oldest waiting for it and, without echo-message,
   * those to the same target written after it before our next PING (an echo answers each accepted line,
   * so with echo-message the oldest is the one).
   */
  private suspects(targetKey: string): Waiting[] {
    const toTarget = this.waiting.filter((entry) => entry.targetKey === targetKey);
    const [oldest] = toTarget;
    if (!oldest || oldest.awaiting === 'echo') return toTarget.slice(0, 1);
    const nextPing = this.pingSeqs.find((seq) => seq > oldest.seq) ?? Infinity;
    return toTarget.filter((entry) => entry.awaiting === 'answer' && entry.seq < nextPing);
  }

  private startTimeout(entry: Waiting, what: string): void {
    awaitAnswer({ clock: this.clock, timeoutMs: this.timeoutMs, lastHeard: this.lastHeard }, entry, () => {
      this.remove(entry);
      entry.line?.progress.timedOut(
        `${this.address()} ${what} within ${Math.round(this.timeoutMs / 1000)} s of writing it`,
      );
    });
  }

  private remove(entry: Waiting): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.waiting = this.waiting.filter((candidate) => candidate !== entry);
  }
}

function doubtReason({ refusals, reasons }: { refusals: number; reasons: string[] }): string {
  const heard = [...new Set(reasons)].join('; ');
  return (
    `the server refused ${refusals === 1 ? 'one' : refusals} of the lines written to this target before ` +
    `its next answer (${heard}); without echo-message it does not say which, so none counts as delivered`
  );
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
