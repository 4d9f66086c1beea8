/**
 * Direct conversations (CS API "Direct Messaging"). To reach a person, use a room the `m.direct` account
 * data lists for them, else a joined two-member room with them, else create one (`is_direct`, an invite,
 * `trusted_private_chat`) and record it in `m.direct`. Encrypted rooms are skipped: the bot refuses them.
 * A room counts as direct for inbound messages when it is not a configured room and `m.direct` lists it
 * or only two people are in it.
 *
 * Creating a room cannot be made idempotent (the spec gives createRoom no transaction id), so only a 429
 * is retried on the spot; after a server error or a lost answer, the next attempt looks first and finds
 * the room the lost answer created (the bot alone in it, the person invited), instead of making another.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';
import { classify } from './failures.js';
import type { Lookup, Retrier } from './retry.js';
import type { RoomInfo } from './room-info.js';

export class DirectRooms {
  /** The bot's `m.direct` account data: user id → room ids. */
  private directMap: Record<string, string[]> = {};
  /** `m.direct` came in a sync or was read: after a restart an incremental sync brings it only if it changed. */
  private directMapKnown = false;
  private reading: Promise<void> | undefined;
  private readonly chosen = new Map<string, string>();

  constructor(
    private readonly client: MatrixClient,
    private readonly retrier: Retrier,
    private readonly lookup: Lookup,
    private readonly roomInfo: RoomInfo,
    private readonly isConfigured: (roomId: string) => boolean,
    private readonly logger: Logger,
  ) {}

  /** From the `m.direct` event in /sync's account data. */
  noteDirectMap(content: Record<string, unknown>): void {
    const map: Record<string, string[]> = {};
    for (const [userId, rooms] of Object.entries(content))
      if (Array.isArray(rooms))
        map[userId] = rooms.filter((room): room is string => typeof room === 'string');
    this.directMap = map;
    this.directMapKnown = true;
  }

  /** A sync from no token carries all the account data: without `m.direct` in it, the bot has none. */
  noteFullSync(): void {
    this.directMapKnown = true;
  }

  /**
   * Reads `m.direct` once if no sync has brought it: without it a restarted bot would page people in
   * other rooms than before (a resend with the same transaction id into another room is a second copy),
   * and the next room it records would replace everyone's entries with that one.
   */
  private async knownDirectMap(): Promise<void> {
    if (this.directMapKnown) return;
    this.reading ??= this.lookup('read m.direct', () => this.client.getAccountData('m.direct'))
      .then(
        (content: unknown) => {
          if (!this.directMapKnown) this.noteDirectMap((content ?? {}) as Record<string, unknown>);
        },
        (error: unknown) => {
          if (classify(error).kind !== 'not-found') throw error;
          this.directMapKnown = true;
        },
      )
      .finally(() => {
        this.reading = undefined;
      });
    await this.reading;
  }

  async isDirect(roomId: string): Promise<boolean> {
    if (this.isConfigured(roomId)) return false;
    if (Object.values(this.directMap).some((rooms) => rooms.includes(roomId))) return true;
    try {
      return (await this.roomInfo.joinedCount(roomId)) === 2;
    } catch {
      return false;
    }
  }

  /** The room to message `userId` in, created if need be. */
  async roomFor(userId: string): Promise<string> {
    const cached = this.chosen.get(userId);
    if (cached) return cached;
    await this.knownDirectMap();
    const joined = new Set(await this.lookup('list the joined rooms', () => this.client.getJoinedRooms()));
    for (const roomId of this.directMap[userId] ?? []) {
      // A configured room is the team's, whatever m.direct says: a page there would not be private.
      if (this.isConfigured(roomId)) continue;
      if (joined.has(roomId) && (await this.usable(roomId, userId))) return this.choose(userId, roomId);
    }
    for (const roomId of joined) {
      if (this.isConfigured(roomId)) continue;
      const members = await this.lookup(`list the members of ${roomId}`, () =>
        this.client.getJoinedRoomMembers(roomId),
      ).catch(() => [] as string[]);
      const withThem = members.length === 2 && members.includes(userId);
      // Alone in it: a room this bot created for them whose answer was lost, if they are invited.
      const created = members.length === 1 && (await this.membership(roomId, userId)) === 'invite';
      if ((withThem || created) && !(await this.roomInfo.isEncrypted(roomId)))
        return this.choose(userId, roomId);
    }
    const roomId = await this.retrier.run(
      { what: `create a direct room for ${userId}`, idempotent: false },
      () => this.client.createRoom({ preset: 'trusted_private_chat', is_direct: true, invite: [userId] }),
    );
    this.logger.info({ userId, roomId }, 'created a direct room');
    await this.record(userId, roomId);
    return this.choose(userId, roomId);
  }

  /**
   * A membership change seen in /sync. The bot stays joined when the person leaves their direct room, so
   * sends there still succeed: without this, their pages would be "delivered" into a room they are gone
   * from, until a restart.
   */
  noteMembership(roomId: string, userId: string, membership: unknown): void {
    if (membership !== 'join' && membership !== 'invite' && this.chosen.get(userId) === roomId)
      this.chosen.delete(userId);
  }

  /** The room turned encryption on: whoever it was chosen for gets another (roomFor skips encrypted rooms). */
  noteEncrypted(roomId: string): void {
    for (const [userId, chosen] of this.chosen) if (chosen === roomId) this.chosen.delete(userId);
  }

  /** Forgets the room chosen for `userId` (it failed); the next message looks again. */
  forget(userId: string): void {
    this.chosen.delete(userId);
  }

  /** Adds a room to `m.direct` for `userId` (a direct invite the bot accepted, or a room it created). */
  async record(userId: string, roomId: string): Promise<void> {
    try {
      await this.knownDirectMap();
    } catch (error) {
      this.logger.warn(
        { userId, roomId, detail: classify(error).detail },
        'could not read m.direct: not recording a direct room in it',
      );
      return;
    }
    const rooms = this.directMap[userId] ?? [];
    if (rooms.includes(roomId)) return;
    this.directMap = { ...this.directMap, [userId]: [roomId, ...rooms] };
    try {
      const content = this.directMap;
      await this.lookup('record m.direct', () => this.client.setAccountData('m.direct', content));
    } catch (error) {
      this.logger.warn(
        { userId, roomId, detail: classify(error).detail },
        'could not record a direct room in m.direct',
      );
    }
  }

  /** The person is still there (joined or invited) and the room is not encrypted. */
  private async usable(roomId: string, userId: string): Promise<boolean> {
    const membership = await this.membership(roomId, userId);
    if (membership !== 'join' && membership !== 'invite') return false;
    return !(await this.roomInfo.isEncrypted(roomId));
  }

  private async membership(roomId: string, userId: string): Promise<unknown> {
    try {
      const member = (await this.lookup(`read the member ${userId} of ${roomId}`, () =>
        this.client.getRoomStateEventContent(roomId, 'm.room.member', userId),
      )) as { membership?: unknown };
      return member.membership;
    } catch {
      return undefined;
    }
  }

  private choose(userId: string, roomId: string): string {
    this.chosen.set(userId, roomId);
    return roomId;
  }
}
