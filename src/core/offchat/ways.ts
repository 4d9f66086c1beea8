/**
 * Which ways off chat (ntfy, e-mail) a page or a reminder takes for one contact, and when. Pure: the
 * contact's preferences and whether the SMTP settings exist are all it needs.
 */
import type { Contact, OffChatWay } from '../settings.js';

export type OffChatKind = 'page' | 'reminder';

export interface OffChatPlan {
  readonly ways: readonly OffChatWay[];
  /** Milliseconds after the page in chat before these ways are used (if nobody acknowledged meanwhile). */
  readonly delayMs: number;
}

/** The ways the contact has handles for (e-mail only when firebell has SMTP settings). */
export function availableWays(contact: Contact, emailConfigured: boolean): OffChatWay[] {
  return [
    ...(contact.ntfy ? (['ntfy'] as const) : []),
    ...(contact.email !== undefined && emailConfigured ? (['email'] as const) : []),
  ];
}

export function offChatPlan(contact: Contact, kind: OffChatKind, emailConfigured: boolean): OffChatPlan {
  const available = availableWays(contact, emailConfigured);
  const wanted = kind === 'page' ? (contact.offChat?.pages ?? available) : (contact.offChat?.reminders ?? []);
  return {
    ways: wanted.filter((way) => available.includes(way)),
    delayMs: (contact.offChat?.afterMinutes ?? 0) * 60_000,
  };
}

const WAY_WORDS: Record<OffChatWay, string> = { ntfy: 'push (ntfy)', email: 'e-mail' };

/** "push (ntfy) and e-mail after 5 minutes without an ack", for the play book; undefined when none. */
export function describeOffChat(contact: Contact, emailConfigured: boolean): string | undefined {
  const pages = offChatPlan(contact, 'page', emailConfigured);
  if (pages.ways.length === 0) return undefined;
  const minutes = pages.delayMs / 60_000;
  const when =
    minutes === 0 ? 'at once' : `after ${minutes} minute${minutes === 1 ? '' : 's'} without an ack`;
  const reminders = offChatPlan(contact, 'reminder', emailConfigured).ways;
  const also =
    reminders.length === 0 ? '' : `; reminders by ${reminders.map((way) => WAY_WORDS[way]).join(' and ')}`;
  return `Pages also by ${pages.ways.map((way) => WAY_WORDS[way]).join(' and ')}, ${when}${also}`;
}
