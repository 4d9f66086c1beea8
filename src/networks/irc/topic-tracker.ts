/**
 * Channel topics: cached from RPL_TOPIC/RPL_NOTOPIC and TOPIC, asked for when unknown, and changed with an
 * answer the core can show: set once the server echoes our TOPIC, refused with the reason when it says no
 * (482 not a channel operator on a +t channel, 442 not on the channel, a refused JOIN), or timed out.
 * Every timeout counts from when the line was written, not queued: a change that waited its turn behind a
 * fan-out has as long to be answered as the first one. A change times out only if the server sent something
 * meanwhile: on a connection gone silent (dead, the change maybe lost in a socket buffer) it waits for the
 * ping timeout to end the connection (answer-wait.ts). A change written when the connection ends goes
 * again on the next one (setting a topic twice is harmless).
 */
import type { Clock } from '../../core/clock.js';
import type { CaseFold } from '../../core/casemapping.js';
import { awaitAnswer } from './answer-wait.js';

export type TopicOutcome =
  | { readonly status: 'set' }
  | { readonly status: 'refused'; readonly reason: string }
  | { readonly status: 'timed-out'; readonly reason: string }
  | { readonly status: 'abandoned'; readonly reason: string };

/** One topic change: queued, then written (in flight) and answered. */
export interface TopicChange {
  readonly channel: string;
  readonly outcome: Promise<TopicOutcome>;
  readonly settled: boolean;
  /**
   * The TOPIC line was handed to the socket, at `order` in the connection's write order (LineConfirmations):
   * answers to that channel are now ours, in write order.
   */
  sent(order?: number): void;
  /** The socket took it (the timeout starts here), or could not (the connection is going). */
  written(error?: Error): void;
  /** The topic already reads so: nothing to write. */
  alreadySet(): void;
  abandoned(reason: string): void;
}

/** A question for the topic (TOPIC #channel), answered from what the server says next. */
export interface TopicQuery {
  readonly answer: Promise<string | undefined>;
  /** The TOPIC line went to the socket: the timeout starts. */
  written(): void;
}

interface Change extends TopicChange {
  settled: boolean;
  order: number;
  timer: unknown;
  settle(outcome: TopicOutcome): void;
}

interface Question {
  readonly resolve: (topic: string | undefined) => void;
  timer: unknown;
}

export class TopicTracker {
  private readonly topics = new Map<string, string>();
  private readonly questions = new Map<string, Question[]>();
  /** Changes written and not answered yet, per channel, oldest first. */
  private readonly inFlight = new Map<string, Change[]>();
  /** Channels we just joined: the server sends RPL_TOPIC before the end of NAMES if there is a topic. */
  private readonly joining = new Set<string>();

  constructor(
    private readonly fold: () => CaseFold,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly serverName: () => string,
    /** When the server last sent a line on this connection. */
    private readonly lastHeard: () => number,
  ) {}

  /** The topic as last seen; '' when the channel has none, undefined when unknown. */
  cached(channel: string): string | undefined {
    return this.topics.get(this.fold()(channel));
  }

  /** We joined a channel; what follows until RPL_ENDOFNAMES tells its topic, or that it has none. */
  joined(channel: string): void {
    this.joining.add(this.fold()(channel));
  }

  /**
   * RPL_ENDOFNAMES. After our JOIN, a server sends RPL_TOPIC first when there is a topic (RFC 2812 §3.2.1),
   * so a join that got none before the end of NAMES is a channel without a topic: known, not asked for.
   */
  namesEnded(channel: string): void {
    const key = this.fold()(channel);
    if (!this.joining.delete(key)) return;
    if (!this.topics.has(key)) this.observed(channel, '', false);
  }

  /** A topic arrived (332 / 331 / TOPIC); `byUs` when it was our own TOPIC coming back. */
  observed(channel: string, topic: string, byUs: boolean): void {
    const key = this.fold()(channel);
    this.topics.set(key, topic);
    this.answerQuestions(key, topic);
    if (byUs) this.oldestInFlight(key)?.settle({ status: 'set' });
  }

  /** Asks for the topic: the caller writes `TOPIC #channel` and calls `written` when it went out. */
  query(channel: string): TopicQuery {
    const key = this.fold()(channel);
    let question: Question | undefined;
    const answer = new Promise<string | undefined>((resolve) => {
      question = { resolve, timer: undefined };
      this.questions.set(key, [...(this.questions.get(key) ?? []), question]);
    });
    return {
      answer,
      written: () => {
        if (!question || question.timer !== undefined) return;
        const asked = question;
        // A question keeps its timeout even from a silent server: its answer falls back to the cache, and
        // nothing is lost by not waiting for the ping timeout.
        asked.timer = this.clock.setTimeout(() => {
          this.questions.set(
            key,
            (this.questions.get(key) ?? []).filter((other) => other !== asked),
          );
          asked.resolve(this.topics.get(key));
        }, this.timeoutMs);
      },
    };
  }

  /** A change of the topic, to be written by the caller. */
  change(channel: string): TopicChange {
    const key = this.fold()(channel);
    let settle: (outcome: TopicOutcome) => void = () => undefined;
    const outcome = new Promise<TopicOutcome>((resolve) => (settle = resolve));
    const change: Change = {
      channel,
      outcome,
      settled: false,
      order: Infinity,
      timer: undefined,
      settle: (result) => {
        if (change.settled) return;
        change.settled = true;
        if (change.timer !== undefined) this.clock.clearTimeout(change.timer);
        this.removeInFlight(key, change);
        settle(result);
      },
      sent: (order = Infinity) => {
        change.order = order;
        this.inFlight.set(key, [...(this.inFlight.get(key) ?? []), change]);
      },
      written: (error) => {
        if (error || change.settled || change.timer !== undefined) return;
        this.startTimeout(change);
      },
      alreadySet: () => change.settle({ status: 'set' }),
      abandoned: (reason) => change.settle({ status: 'abandoned', reason }),
    };
    return change;
  }

  /** The server refused something about this channel: the oldest change in flight there fails. */
  refused(channel: string, reason: string): void {
    const key = this.fold()(channel);
    this.oldestInFlight(key)?.settle({ status: 'refused', reason });
    this.answerQuestions(key, this.topics.get(key));
  }

  /** Where the oldest change in flight in the channel was written, in the connection's write order. */
  oldestInFlightOrder(channel: string): number | undefined {
    return this.oldestInFlight(this.fold()(channel))?.order;
  }

  /** We left the channel: what we knew of its topic may go stale. */
  forget(channel: string): void {
    this.topics.delete(this.fold()(channel));
  }

  /**
   * The connection ended: questions answer from the cache, and the changes in flight are handed back
   * (unsettled, their timers cleared) to be written again on the next connection.
   */
  connectionLost(): TopicChange[] {
    const interrupted: TopicChange[] = [];
    for (const list of this.inFlight.values())
      for (const change of list) {
        if (change.timer !== undefined) this.clock.clearTimeout(change.timer);
        change.timer = undefined;
        interrupted.push(change);
      }
    this.inFlight.clear();
    for (const [key, list] of this.questions) {
      this.questions.delete(key);
      for (const question of list) {
        if (question.timer !== undefined) this.clock.clearTimeout(question.timer);
        question.resolve(this.topics.get(key));
      }
    }
    this.topics.clear();
    this.joining.clear();
    return interrupted;
  }

  /** The network stops: changes still in flight are abandoned (the outbox keeps them for the next start). */
  stop(reason: string): void {
    for (const change of this.connectionLost()) change.abandoned(reason);
  }

  private startTimeout(change: Change): void {
    awaitAnswer({ clock: this.clock, timeoutMs: this.timeoutMs, lastHeard: this.lastHeard }, change, () =>
      change.settle({
        status: 'timed-out',
        reason: `no answer from ${this.serverName()} to the topic change in ${change.channel} within ${Math.round(this.timeoutMs / 1000)} s of sending it`,
      }),
    );
  }

  private answerQuestions(key: string, topic: string | undefined): void {
    const list = this.questions.get(key) ?? [];
    this.questions.delete(key);
    for (const question of list) {
      if (question.timer !== undefined) this.clock.clearTimeout(question.timer);
      question.resolve(topic);
    }
  }

  private oldestInFlight(key: string): Change | undefined {
    return this.inFlight.get(key)?.[0];
  }

  private removeInFlight(key: string, change: Change): void {
    const list = (this.inFlight.get(key) ?? []).filter((other) => other !== change);
    if (list.length > 0) this.inFlight.set(key, list);
    else this.inFlight.delete(key);
  }
}
