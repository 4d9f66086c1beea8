/**
 * Which events are fresh enough to act on. A first /sync (no token, or a lost one) replays recent history
 * as if it were new, a token from before a downtime delivers what was said meanwhile, and a room joined
 * just now arrives with its earlier history: none of that may run a command. An event counts if it was
 * sent after the bot started and after the bot joined its room, and one more case: a sync from a stored
 * token also brings again what the previous run received but had not finished handling when it died
 * (the token is saved only after a batch is handled). Those events were sent before the previous run's
 * last receipt (`receivedBefore`, stored before it began handling), and they count: that is how a command
 * caught by a crash still runs. What was sent after that receipt was said while the bot was down, and is
 * history.
 *
 * That an event runs only once is the core's business: the adapter gives each message its event id as
 * `durableId`, and the core records it as handled in the same commit as what it caused (core/inbound.ts),
 * so a replayed event that was committed is skipped there, and one that was not runs again.
 *
 * Send times come from the homeserver's `unsigned.age` where present: "now minus age" is in the bot's own
 * clock, so skew between the two machines cannot make a fresh command look old or an old one fresh.
 */
import type { RawEvent } from './sync-client.js';

export class EventGuard {
  private readonly joinedAt = new Map<string, number>();

  /**
   * `receivedBefore`: when the previous run received the last batch it began to handle, if it was stored
   * and the sync goes on from the previous run's token.
   */
  constructor(
    private readonly startedAt: number,
    private readonly receivedBefore?: number,
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
    const sent = this.sentAt(event, receivedAt);
    if (sent < (this.joinedAt.get(roomId) ?? 0)) return true;
    if (sent >= this.startedAt) return false;
    return this.receivedBefore === undefined || sent > this.receivedBefore;
  }
}
