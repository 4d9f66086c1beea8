/**
 * Which events are fresh enough to act on. A first /sync (no token, or a lost one) replays recent history
 * as if it were new, a token from before a downtime delivers what was said meanwhile, and a room joined
 * just now arrives with its earlier history: none of that may run a command. An event counts only if it
 * was sent after the bot started and after the bot joined its room. That it runs only once is the core's
 * business: the adapter gives each message its event id as `durableId`, and the core records it as handled
 * in the same commit as what it caused (core/inbound.ts), so an event replayed after a crash is skipped
 * there, and one that was never committed runs again.
 *
 * Send times come from the homeserver's `unsigned.age` where present: "now minus age" is in the bot's own
 * clock, so skew between the two machines cannot make a fresh command look old or an old one fresh.
 */
import type { RawEvent } from './sync-client.js';

export class EventGuard {
  private readonly joinedAt = new Map<string, number>();

  constructor(private readonly startedAt: number) {}

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
}
