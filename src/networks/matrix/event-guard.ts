/**
 * Which events are fresh enough to act on. A first /sync (no token, or a lost one) replays recent history
 * as if it were new, a token from before a downtime delivers what was said meanwhile, and a room joined
 * just now arrives with its earlier history: none of that may run a command. An event counts only if it
 * was sent after the bot started and after the bot joined its room, and only once (by event id, in the
 * KeyValueStore, so a restart does not run it again either).
 *
 * Send times come from the homeserver's `unsigned.age` where present: "now minus age" is in the bot's own
 * clock, so skew between the two machines cannot make a fresh command look old or an old one fresh.
 */
import type { KeyValueStore } from '../../core/store.js';
import type { RawEvent } from './sync-client.js';

export class EventGuard {
  private readonly joinedAt = new Map<string, number>();

  constructor(
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
    private readonly startedAt: number,
  ) {}

  /** When the event was sent, in the bot's clock, given when the sync response carrying it arrived. */
  sentAt(event: RawEvent, receivedAt: number): number {
    const age = event.unsigned?.age;
    return typeof age === 'number' && age >= 0 ? receivedAt - age : event.origin_server_ts;
  }

  /** The bot (re)joined `roomId` at `at`; earlier events there are history. */
  noteJoin(roomId: string, at: number): void {
    this.joinedAt.set(roomId, Math.max(at, this.joinedAt.get(roomId) ?? 0));
  }

  isStale(roomId: string, event: RawEvent, receivedAt: number): boolean {
    const threshold = Math.max(this.startedAt, this.joinedAt.get(roomId) ?? 0);
    return this.sentAt(event, receivedAt) < threshold;
  }

  /** True the first time an event id is offered, false ever after. */
  firstSighting(eventId: string, at: number): boolean {
    return this.kv.markSeen(this.namespace, eventId, at);
  }

  prune(before: number): void {
    this.kv.pruneSeen(this.namespace, before);
  }
}
