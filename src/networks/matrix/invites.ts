/**
 * The invite policy. The bot joins a room it is invited to when the room is one the groups name, or the
 * inviter is someone it knows (a contact, a whitelisted user, or `acceptInvitesFrom`). Anyone else's
 * invite is declined politely: rejected with a reason the inviter's client shows, and logged. Unlike
 * matrix-bot-sdk's AutojoinRoomsMixin, which joins anything.
 */
import type { Logger } from '../../core/logger.js';
import { classify } from './failures.js';
import type { RawEvent } from './sync-client.js';

export const DECLINE_REASON =
  'firebell only joins the rooms its operators configured, or rooms its contacts invite it to';

export interface InviteDeps {
  readonly logger: Logger;
  isConfigured(roomId: string): boolean;
  mayInvite(userId: string): boolean;
  join(roomId: string): Promise<string>;
  decline(roomId: string, reason: string): Promise<void>;
  /** After joining a direct-chat invite: remember the room as the inviter's DM. */
  joinedDirect(userId: string, roomId: string): Promise<void>;
  /** After any join: check the room (encryption) and greet it if need be. */
  joined(roomId: string): Promise<void>;
}

export async function handleInvite(roomId: string, invite: RawEvent, deps: InviteDeps): Promise<void> {
  const inviter = invite.sender;
  const log = deps.logger.child({ roomId, inviter });
  if (!deps.isConfigured(roomId) && !deps.mayInvite(inviter)) {
    try {
      await deps.decline(roomId, DECLINE_REASON);
      log.info('declined an invite from someone who is not a contact');
    } catch (error) {
      log.warn({ detail: classify(error).detail }, 'could not decline an invite');
    }
    return;
  }
  try {
    await deps.join(roomId);
  } catch (error) {
    log.warn({ detail: classify(error).detail }, 'could not join a room it was invited to');
    return;
  }
  log.info('joined a room on invite');
  if (invite.content.is_direct === true && !deps.isConfigured(roomId))
    await deps.joinedDirect(inviter, roomId);
  await deps.joined(roomId);
}
