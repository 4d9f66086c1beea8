/**
 * Without echo-message, what confirms our message lines (line-confirmations.ts) is the server's answer to
 * a line written after them: a server reads a connection's lines in order. The answers firebell knows:
 * the echo of its own JOIN (a rejoin after a reconnect confirms what was written before it), of its own
 * TOPIC (a `#status` fan-out's topics confirm its notices), and the PONG to a PING.
 *
 * A PING is written only when a line waits and no other answer came first. It waits in the bulk lane, so
 * it goes when nothing more urgent wants the token and never takes the one kept for urgent lines, and one
 * covers every line written before it. If it waited `PROMOTE_AFTER_MS` (lanes above bulk kept busy, by a
 * relay storm say), it goes ahead of normal, relayed and bulk lines, still leaving the urgent reserve: a
 * confirmation that never comes would make the next reconnect write all those lines again. Two minutes
 * bounds that repeat, and costs a sustained stream at most one slot in sixty (at 30 s a `#status` fan-out
 * took 1.117x the bare client's time instead of 1.077x).
 */
import type { Clock } from '../../core/clock.js';
import type { IrcMessage } from 'irc-framework';
import type { LineConfirmations } from './line-confirmations.js';
import type { LineHandler } from './line-dispatcher.js';

export const PROMOTE_AFTER_MS = 120_000;

/** The token of our confirming PINGs (the connection watchdog's are `firebell-<time>`). */
const PING_TOKEN = /^firebell-confirm-(\d+)$/;
/** Join refusals name the channel: they answer our JOIN as its echo would. */
const JOIN_REFUSALS = ['471', '473', '474', '475'];

/** A confirming PING the pacer holds: it writes it when its turn comes, unless nothing waits for it. */
export interface Probe {
  /** The line to write; undefined when nothing waits for a PING any more (it is dropped unwritten). */
  line(): string | undefined;
  /** It was handed to the socket. */
  sent(): void;
  /** It left the queue unwritten. */
  discarded(): void;
}

export class ServerAnswers {
  private pings = 0;
  private queued: { readonly probe: Probe; readonly timer: unknown } | undefined;
  /** Our PINGs written and not answered, by number: their places in the write order. */
  private readonly pingMarks = new Map<number, number>();
  /** Our JOINs and TOPICs written and not answered, oldest first, by command and folded channel name. */
  private readonly channelMarks = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly confirmations: LineConfirmations,
    private readonly fold: (name: string) => string,
    /** Queues a PING in the bulk lane, or (`promoted`) ahead of every lane but urgent. */
    private readonly queue: (probe: Probe, promoted: boolean) => void,
  ) {}

  /** A line waits for an answer: a PING is queued, unless one is already (it will cover this line too). */
  want(): void {
    if (this.queued) return;
    const number = ++this.pings;
    const isQueued = (): boolean => this.queued?.probe === probe;
    const probe: Probe = {
      line: () =>
        isQueued() && this.confirmations.awaitingAnswer ? `PING :firebell-confirm-${number}` : undefined,
      sent: () => {
        if (!isQueued()) return;
        this.dequeue();
        const mark = this.confirmations.pingMark();
        this.pingMarks.set(number, mark);
        this.confirmations.answerExpected(mark, 'did not answer the PING written after the line');
      },
      discarded: () => {
        if (isQueued()) this.dequeue();
      },
    };
    const timer = this.clock.setTimeout(() => {
      if (isQueued()) this.queue(probe, true);
    }, PROMOTE_AFTER_MS);
    this.queued = { probe, timer };
    this.queue(probe, false);
  }

  /** A line other than a message went to the socket: a JOIN or a TOPIC change is marked. */
  written(line: string): void {
    const join = /^JOIN (\S+)/.exec(line);
    const topic = /^TOPIC (\S+) :/.exec(line);
    const channels = join?.[1]?.split(',') ?? (topic?.[1] ? [topic[1]] : []);
    // With nothing waiting, its answer would confirm nothing: no mark (and none is kept past that point).
    if (channels.length === 0 || !this.confirmations.awaitingAnswer) return;
    const mark = this.confirmations.mark();
    for (const channel of channels) {
      const key = this.channelKey(join ? 'JOIN' : 'TOPIC', channel);
      this.channelMarks.set(key, [...(this.channelMarks.get(key) ?? []), mark]);
    }
  }

  /** The connection ended: nothing written on it will be answered. */
  connectionEnded(): void {
    if (this.queued) this.dequeue();
    this.pingMarks.clear();
    this.channelMarks.clear();
  }

  /** The answers, for the line dispatcher; none consumes its line but our PONG. */
  handlers(): Record<string, LineHandler> {
    const channelAnswer =
      (command: 'JOIN' | 'TOPIC', param: number): LineHandler =>
      (message, { fromSelf }) => {
        if (fromSelf || param > 0)
          this.channelAnswered(this.channelKey(command, message.params[param] ?? ''));
      };
    return {
      PONG: (message) => this.pong(message),
      JOIN: channelAnswer('JOIN', 0),
      TOPIC: channelAnswer('TOPIC', 0),
      ...Object.fromEntries(JOIN_REFUSALS.map((numeric) => [numeric, channelAnswer('JOIN', 1)])),
    };
  }

  private pong(message: IrcMessage): boolean {
    const match = PING_TOKEN.exec(message.params[message.params.length - 1] ?? '');
    if (!match) return false;
    const number = Number(match[1]);
    const mark = this.pingMarks.get(number);
    for (const written of [...this.pingMarks.keys()]) if (written <= number) this.pingMarks.delete(written);
    if (mark !== undefined) this.confirmations.answered(mark);
    // Marks of JOINs and TOPICs the server never answered (a refused TOPIC) would confirm nothing now.
    if (!this.confirmations.awaitingAnswer) this.channelMarks.clear();
    return true;
  }

  private channelKey(command: 'JOIN' | 'TOPIC', channel: string): string {
    return `${command} ${this.fold(channel)}`;
  }

  private channelAnswered(key: string): void {
    const [mark, ...later] = this.channelMarks.get(key) ?? [];
    if (mark === undefined) return;
    if (later.length > 0) this.channelMarks.set(key, later);
    else this.channelMarks.delete(key);
    this.confirmations.answered(mark);
  }

  private dequeue(): void {
    if (this.queued) this.clock.clearTimeout(this.queued.timer);
    this.queued = undefined;
  }
}
