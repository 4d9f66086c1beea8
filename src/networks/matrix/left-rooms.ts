/**
 * Rooms the bot left or was removed from. What was said in one before the leave comes in the batch's
 * `leave` section and is still handled (matrix-session.ts). A room that is not configured, once the bot
 * is out of it, stays out: an answer meant for it is refused with the reason rather than delivered by
 * joining again, which would undo the kick of whoever runs the room. An invite accepted later lets the
 * bot back in. Configured rooms are rejoined on their own (configured-rooms.ts).
 */
import type { RawEvent, SyncResponse } from './sync-client.js';

export class LeftRooms {
  /** Why the bot is out, by room id. */
  private readonly removed = new Map<string, string>();

  constructor(private readonly isConfigured: (roomId: string) => boolean) {}

  /** What the batch holds of a left room before the bot's leave, oldest first. */
  static saidBefore(batch: SyncResponse, roomId: string, leave: RawEvent): RawEvent[] {
    const timeline = batch.rooms?.leave?.[roomId]?.timeline?.events ?? [];
    return timeline.filter((event) => event.event_id !== leave.event_id);
  }

  noteLeft(roomId: string, leave: RawEvent): void {
    if (this.isConfigured(roomId)) return;
    const reason = typeof leave.content.reason === 'string' ? ` (${leave.content.reason})` : '';
    const how =
      leave.sender === leave.state_key ? 'left the room' : `was removed by ${leave.sender}${reason}`;
    this.removed.set(roomId, `firebell ${how} and does not join it again uninvited`);
  }

  noteJoined(roomId: string): void {
    this.removed.delete(roomId);
  }

  /** Why nothing may be sent into the room, if the bot is out of it for good. */
  refusal(roomId: string): string | undefined {
    return this.removed.get(roomId);
  }
}
