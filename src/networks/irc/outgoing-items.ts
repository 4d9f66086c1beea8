/**
 * What the pacer queues: a message delivery (cut into wire lines one at a time, each confirmed on its own),
 * a topic change (confirmed by the server's TOPIC, timed from the write), and protocol lines of the current
 * connection (lookups, queries, CTCP replies).
 */
import type { Lane } from '../../core/delivery.js';
import type { DiscardReason, Outgoing, WireLine } from './outgoing-pacer.js';
import type { CutLine, LineConfirmations } from './line-confirmations.js';
import type { Probe } from './server-answers.js';
import { DELIVERY_TAG, deliveryTag } from './line-confirmations.js';
import type { FoundLines, HistoryQuery } from './chat-history.js';
import { splitLine } from './line-splitter.js';
import type { MessageProgress } from './message-progress.js';
import type { TopicChange } from './topic-tracker.js';

const CTCP = '\x01';

/** What message and topic items ask of the network. */
export interface ItemEnvironment {
  /** Registered, and the target's channel joined when it is one of ours. */
  isReady(target: string): boolean;
  /** Bytes of text one line for this target and command may carry (see payloadBudget). */
  budget(command: 'PRIVMSG' | 'NOTICE', target: string, action: boolean): number;
  /** Whether the server carries our client tag (message-tags, and CLIENTTAGDENY does not refuse it). */
  tagsAllowed(): boolean;
  readonly confirmations: LineConfirmations;
  /** Looks for lines in the server's history; undefined when the server offers none. */
  history(query: HistoryQuery, lane: Lane): Promise<FoundLines> | undefined;
  /** Something became ready (a history answer came): send what can go. */
  pump(): void;
}

export interface MessageSpec {
  readonly lane: Lane;
  readonly target: string;
  readonly targetKey: string;
  /** The folded channel name when the target is one of our channels (JOINs go first for it). */
  readonly channelKey?: string;
  readonly command: 'PRIVMSG' | 'NOTICE';
  /** CTCP ACTION (an emote). */
  readonly action: boolean;
  readonly createdAt: number;
}

/** A message delivery: its lines, cut to the byte budget as they go, confirmed one by one. */
export class MessageItem implements Outgoing {
  readonly connectionScoped = false;
  /** Lines cut already (and lines written once and lost with the connection), in order. */
  private cut: CutLine[] = [];
  private history: 'none' | 'to-check' | 'checking' = 'none';
  private peeked: { callback?: (error?: Error) => void } = {};

  constructor(
    private readonly spec: MessageSpec,
    /** Lines not cut yet, each free of CR/LF. */
    private lines: string[],
    private readonly progress: MessageProgress,
    private readonly env: ItemEnvironment,
    /** Written before (a resent delivery): look in the server's history first. */
    resend: boolean,
  ) {
    if (resend) this.history = 'to-check';
  }

  get lane(): Lane {
    return this.spec.lane;
  }

  get channelKey(): string | undefined {
    return this.spec.channelKey;
  }

  ready(): boolean {
    if (this.progress.settled) return true; // to leave the queue
    if (!this.env.isReady(this.spec.target) || this.history === 'checking') return false;
    // Checked here, when it is about to go: the history is that of the connection it will go on.
    if (this.history === 'to-check') return !this.checkHistory();
    return true;
  }

  peek(): WireLine | undefined {
    if (this.progress.settled) return undefined;
    const next = this.cutNext();
    if (!next) {
      this.progress.finishedWriting();
      return undefined;
    }
    const { command, target } = this.spec;
    const tag = this.env.tagsAllowed()
      ? `@${DELIVERY_TAG}=${deliveryTag(this.progress.deliveryId, next.index)} `
      : '';
    // The socket's callback arrives after sent() registered the line with the confirmations.
    const slot: { callback?: (error?: Error) => void } = {};
    this.peeked = slot;
    return {
      line: `${tag}${command} ${target} :${this.wire(next.chunk)}`,
      cost: 1,
      written: (error) => slot.callback?.(error),
      delivery: true,
    };
  }

  sent(): boolean {
    const next = this.cut.shift() as CutLine;
    this.peeked.callback = this.env.confirmations.written({
      ...next,
      targetKey: this.spec.targetKey,
      progress: this.progress,
      owner: this,
    });
    if (this.cut.length > 0 || this.lines.length > 0) return true;
    this.progress.finishedWriting();
    return false;
  }

  /**
   * Lines written and lost with the connection come back first, and the history is asked again. Returns
   * true when the item had left the queue (all its lines were written) and must be queued again.
   */
  takeBack(lost: readonly CutLine[]): boolean {
    const left = this.cut.length === 0 && this.lines.length === 0;
    this.cut.unshift(...lost.map(({ index, chunk }) => ({ index, chunk })));
    this.history = 'to-check';
    return left;
  }

  discard(reason: DiscardReason): void {
    if (reason === 'overflow') this.progress.dropped('the outgoing queue was full');
    else this.progress.abandoned('the IRC network stopped');
  }

  /** Cuts the next source line into wire lines (all of them: their indices are fixed from here on). */
  private cutNext(): CutLine | undefined {
    const { command, target, action } = this.spec;
    while (this.cut.length === 0 && this.lines.length > 0) {
      const source = this.lines.shift() as string;
      // A line with nothing visible yields no chunk and is skipped.
      for (const chunk of splitLine(source, this.env.budget(command, target, action)))
        this.cut.push({ index: this.progress.nextIndex++, chunk });
    }
    return this.cut[0];
  }

  private wire(chunk: string): string {
    return this.spec.action ? `${CTCP}ACTION ${chunk}${CTCP}` : chunk;
  }

  /** Starts a history lookup; false when the server keeps no history (the lines just go). */
  private checkHistory(): boolean {
    // Every line is cut now, so what is looked for is what would be written.
    const { command, target, action } = this.spec;
    for (const source of this.lines.splice(0))
      for (const chunk of splitLine(source, this.env.budget(command, target, action)))
        this.cut.push({ index: this.progress.nextIndex++, chunk });
    const query: HistoryQuery = {
      target: this.spec.target,
      deliveryId: this.progress.deliveryId,
      since: this.spec.createdAt,
      lines: this.cut.map((line) => ({ index: line.index, text: this.wire(line.chunk) })),
    };
    const lookup = this.cut.length === 0 ? undefined : this.env.history(query, this.spec.lane);
    if (!lookup) {
      this.history = 'none';
      return false;
    }
    this.history = 'checking';
    void lookup.then((found) => {
      for (const line of this.cut.filter((candidate) => found.has(candidate.index)))
        this.progress.lineFound(found.get(line.index));
      this.cut = this.cut.filter((candidate) => !found.has(candidate.index));
      this.history = 'none';
      this.env.pump();
    });
    return true;
  }
}

/** A topic change: one TOPIC line, confirmed by the server's TOPIC (or refused), timed from the write. */
export class TopicItem implements Outgoing {
  readonly connectionScoped = false;

  constructor(
    readonly lane: Lane,
    private readonly channel: string,
    readonly channelKey: string,
    private readonly text: string,
    readonly change: TopicChange,
    private readonly env: Pick<ItemEnvironment, 'isReady' | 'confirmations'>,
    /** The topic as the server last said it; the change is moot when it already reads so. */
    private readonly current: () => string | undefined,
  ) {}

  ready(): boolean {
    return this.change.settled || this.env.isReady(this.channel);
  }

  peek(): WireLine | undefined {
    if (this.change.settled) return undefined;
    if (this.current() === this.text) {
      this.change.alreadySet();
      return undefined;
    }
    return {
      line: `TOPIC ${this.channel} :${this.text}`,
      cost: 1,
      written: (error) => this.change.written(error),
    };
  }

  sent(): boolean {
    // Its place among the message lines: a refusal both may draw goes to the one written first (irc-outgoing.ts).
    this.change.sent(this.env.confirmations.mark());
    return false;
  }

  discard(): void {
    this.change.abandoned('the IRC network stopped');
  }
}

/** A protocol line of the current connection (a lookup, a query, a CTCP reply). */
export class ProtocolItem implements Outgoing {
  readonly connectionScoped = true;

  constructor(
    readonly lane: Lane,
    private readonly line: string,
    private readonly cost: number,
    private readonly written?: () => void,
    private readonly onDiscard?: () => void,
  ) {}

  ready(): boolean {
    return true;
  }

  peek(): WireLine {
    return {
      line: this.line,
      cost: this.cost,
      ...(this.written ? { written: (error?: Error) => !error && this.written?.() } : {}),
    };
  }

  sent(): boolean {
    return false;
  }

  discard(): void {
    this.onDiscard?.();
  }
}

/**
 * A PING whose PONG confirms the message lines written before it (servers without echo-message; see
 * server-answers.ts): in the bulk lane, or promoted to the head of the normal lane.
 */
export class ProbeItem implements Outgoing {
  readonly connectionScoped = true;

  constructor(
    private readonly probe: Probe,
    readonly lane: Lane,
  ) {}

  ready(): boolean {
    return true;
  }

  peek(): WireLine | undefined {
    const line = this.probe.line();
    if (line === undefined) this.probe.discarded();
    return line === undefined ? undefined : { line, cost: 1 };
  }

  sent(): boolean {
    this.probe.sent();
    return false;
  }

  discard(): void {
    this.probe.discarded();
  }
}
