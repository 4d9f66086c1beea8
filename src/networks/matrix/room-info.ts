/**
 * What the adapter needs to know about a room, cached per run: whether it is end-to-end encrypted, the
 * display names of its members (for rendering only, never for permissions), and how many are joined (a
 * two-person room is a direct conversation). Kept current from the state and timeline events that /sync
 * delivers; asked of the homeserver only on a miss.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';
import { classify } from './failures.js';
import type { Lookup } from './retry.js';
import type { RawEvent } from './sync-client.js';

export class RoomInfo {
  private readonly encryption = new Map<string, boolean>();
  private readonly names = new Map<string, Map<string, string>>();
  private readonly joinedCounts = new Map<string, number>();

  constructor(
    private readonly client: MatrixClient,
    private readonly lookup: Lookup,
    private readonly logger: Logger,
    /** Called once per room when it turns out to be encrypted. */
    private readonly onEncrypted: (roomId: string) => void,
  ) {}

  /** Takes note of a state or timeline event (encryption switched on, a member joined or renamed). */
  observe(roomId: string, event: RawEvent): void {
    if (event.type === 'm.room.encryption' && event.state_key === '') this.markEncrypted(roomId);
    if (event.type === 'm.room.member' && typeof event.state_key === 'string') {
      const displayname = event.content.displayname;
      if (typeof displayname === 'string' && displayname !== '')
        this.roomNames(roomId).set(event.state_key, displayname);
      else this.roomNames(roomId).delete(event.state_key);
      this.joinedCounts.delete(roomId);
    }
  }

  markEncrypted(roomId: string): void {
    if (this.encryption.get(roomId) === true) return;
    this.encryption.set(roomId, true);
    this.onEncrypted(roomId);
  }

  /** CS API "GET /rooms/{roomId}/state/m.room.encryption/": 404 means unencrypted. */
  async isEncrypted(roomId: string): Promise<boolean> {
    const known = this.encryption.get(roomId);
    if (known !== undefined) return known;
    try {
      await this.lookup(`check the encryption of ${roomId}`, () =>
        this.client.getRoomStateEventContent(roomId, 'm.room.encryption', ''),
      );
      this.markEncrypted(roomId);
      return true;
    } catch (error) {
      const failure = classify(error);
      if (failure.kind === 'not-found') {
        this.encryption.set(roomId, false);
        return false;
      }
      // Unknown: treat as unencrypted this once, and ask again next time.
      this.logger.warn({ roomId, detail: failure.detail }, 'could not check whether a room is encrypted');
      return false;
    }
  }

  /** The member's display name in this room, else the localpart of their id. */
  async displayName(roomId: string, userId: string): Promise<string> {
    const cached = this.names.get(roomId)?.get(userId);
    if (cached !== undefined) return cached;
    try {
      const member = (await this.lookup(`read the member ${userId} of ${roomId}`, () =>
        this.client.getRoomStateEventContent(roomId, 'm.room.member', userId),
      )) as { displayname?: unknown };
      if (typeof member.displayname === 'string' && member.displayname !== '') {
        this.roomNames(roomId).set(userId, member.displayname);
        return member.displayname;
      }
    } catch (error) {
      this.logger.debug(
        { roomId, userId, detail: classify(error).detail },
        'no member event for a display name',
      );
    }
    const fallback = localpart(userId);
    this.roomNames(roomId).set(userId, fallback);
    return fallback;
  }

  async joinedCount(roomId: string): Promise<number> {
    const cached = this.joinedCounts.get(roomId);
    if (cached !== undefined) return cached;
    const members = await this.lookup(`list the members of ${roomId}`, () =>
      this.client.getJoinedRoomMembers(roomId),
    );
    this.joinedCounts.set(roomId, members.length);
    return members.length;
  }

  forget(roomId: string): void {
    this.encryption.delete(roomId);
    this.names.delete(roomId);
    this.joinedCounts.delete(roomId);
  }

  private roomNames(roomId: string): Map<string, string> {
    let names = this.names.get(roomId);
    if (!names) {
      names = new Map();
      this.names.set(roomId, names);
    }
    return names;
  }
}

export const localpart = (userId: string): string => userId.replace(/^@/, '').replace(/:.*$/, '');
