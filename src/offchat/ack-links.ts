/**
 * The one-tap acknowledgement link a page off chat carries: `<publicUrl>/ack/<incident>/<token>`, the
 * token signed with `ackLinks.secret` (core/offchat/ack-token.ts). One link per delivery: its id is the
 * link's, and it expires `expiresAfterHours` after the delivery was created, so a resend after a restart
 * carries the same link. Follow-ups (news about an incident) carry none: they ask for nothing.
 */
import type { Delivery } from '../core/delivery.js';
import { signAckToken } from '../core/offchat/ack-token.js';
import type { OffChatPage } from '../core/offchat/page.js';
import type { OffChatWay } from '../core/settings.js';

export interface AckLinkSettings {
  readonly secret: string;
  readonly expiresAfterHours: number;
}

const HOUR_MS = 3_600_000;

/** The base URL with one trailing slash, so relative paths hang below it (a listener behind a prefix). */
export const baseOf = (publicUrl: string): string => (publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`);

export function ackUrl(
  publicUrl: string,
  settings: AckLinkSettings,
  page: OffChatPage,
  delivery: Pick<Delivery, 'id' | 'createdAt'>,
  way: OffChatWay,
): string {
  const token = signAckToken(
    {
      incidentId: page.incidentId,
      contactId: page.contactId,
      expiresAt: delivery.createdAt + settings.expiresAfterHours * HOUR_MS,
      linkId: delivery.id,
      way,
    },
    settings.secret,
  );
  return new URL(`ack/${page.incidentId}/${token}`, baseOf(publicUrl)).href;
}
