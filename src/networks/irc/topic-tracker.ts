/**
 * Channel topics: cached from RPL_TOPIC/RPL_NOTOPIC and TOPIC, asked for when unknown, and set with an answer
 * the core can show: success once the server echoes our TOPIC, a refusal with the reason when it says no
 * (482 not a channel operator on a +t channel, 442 not on the channel), or a timeout.
 */
import type { Clock } from '../../core/clock.js';
import type { TopicResult } from '../../core/network.js';
import type { CaseFold } from '../../core/irc-case-fold.js';

interface Pending<T> {
  readonly resolve: (value: T) => void;
  readonly timer: unknown;
}

export class TopicTracker {
  private readonly topics = new Map<string, string>();
  private readonly gets = new Map<string, Pending<string | undefined>[]>();
  private readonly sets = new Map<string, Pending<TopicResult>[]>();
  /** Channels we just joined: the server sends RPL_TOPIC before the end of NAMES if there is a topic. */
  private readonly joining = new Set<string>();

  constructor(
    private readonly fold: () => CaseFold,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
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
    for (const pending of this.take(this.gets, key)) pending.resolve(topic);
    if (byUs) this.settleSet(key, { ok: true });
  }

  /** Waits for the topic the caller is about to ask the server for. */
  awaitTopic(channel: string): Promise<string | undefined> {
    const key = this.fold()(channel);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.remove(this.gets, key, resolve);
        resolve(this.topics.get(key));
      }, this.timeoutMs);
      this.add(this.gets, key, { resolve, timer });
    });
  }

  /** Waits for the outcome of the TOPIC the caller is about to send. */
  awaitSet(channel: string, serverName: () => string): Promise<TopicResult> {
    const key = this.fold()(channel);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.remove(this.sets, key, resolve);
        resolve({
          ok: false,
          reason: `no answer from ${serverName()} to the topic change in ${channel} within ${Math.round(this.timeoutMs / 1000)} s`,
        });
      }, this.timeoutMs);
      this.add(this.sets, key, { resolve, timer });
    });
  }

  /** The server refused something about this channel (482, 442, 403, 477): the oldest pending set fails. */
  refused(channel: string, reason: string): void {
    const key = this.fold()(channel);
    this.settleSet(key, { ok: false, reason });
    for (const pending of this.take(this.gets, key)) pending.resolve(this.topics.get(key));
  }

  /** We left the channel: what we knew of its topic may go stale. */
  forget(channel: string): void {
    this.topics.delete(this.fold()(channel));
  }

  /** The connection ended: pending sets fail, gets answer from the cache. */
  connectionLost(reason: string): void {
    for (const [key, list] of this.sets) {
      for (const pending of list) {
        this.clock.clearTimeout(pending.timer);
        pending.resolve({ ok: false, reason });
      }
      this.sets.delete(key);
    }
    for (const [key, list] of this.gets) {
      for (const pending of list) {
        this.clock.clearTimeout(pending.timer);
        pending.resolve(this.topics.get(key));
      }
      this.gets.delete(key);
    }
    this.topics.clear();
    this.joining.clear();
  }

  private settleSet(key: string, result: TopicResult): void {
    const list = this.sets.get(key);
    const pending = list?.shift();
    if (!pending) return;
    if (list?.length === 0) this.sets.delete(key);
    this.clock.clearTimeout(pending.timer);
    pending.resolve(result);
  }

  private add<T extends Pending<never>>(map: Map<string, T[]>, key: string, pending: T): void {
    const list = map.get(key) ?? [];
    list.push(pending);
    map.set(key, list);
  }

  private take<T extends Pending<never>>(map: Map<string, T[]>, key: string): T[] {
    const list = map.get(key) ?? [];
    map.delete(key);
    for (const pending of list) this.clock.clearTimeout(pending.timer);
    return list;
  }

  private remove<T extends Pending<never>>(map: Map<string, T[]>, key: string, resolve: unknown): void {
    const list = map.get(key)?.filter((pending) => pending.resolve !== resolve) ?? [];
    if (list.length > 0) map.set(key, list);
    else map.delete(key);
  }
}
