/** One inbound message on its way through the bridge to the other members of its group. */
import type { GroupMember } from '../groups.js';
import type { InboundMessage, NetworkKind } from '../messages.js';
import { text, type RichText, type Segment } from '../rich-text.js';
import type { Group } from '../settings.js';
import { cap, noHighlight } from './attribution.js';
import type { RelayedMessage } from './relayed-messages.js';
import { singleLine } from './sanitize.js';

const QUOTE_LENGTH = 32;

export type TargetKind = 'irc' | 'matrix' | 'plain';

/** One inbound message on its way to the other members. */
export interface Said {
  readonly message: InboundMessage;
  readonly group: Group;
  readonly kind: NetworkKind | undefined;
  readonly room: string;
  readonly label: string;
  readonly content: RichText;
  readonly entry: RelayedMessage;
  readonly replied: RelayedMessage | undefined;
  readonly edited: boolean;
  /** The page for the full text, saved on first need. */
  longId?: string;
}

export interface Pending {
  readonly said: Said;
  readonly member: GroupMember;
}

/** `nick: ` before a reply, with the start of the original when it is older than `oldReplyMs`. */
export function replyPrefix(
  said: Said,
  member: GroupMember,
  kind: TargetKind,
  oldReplyMs: number,
): Segment[] {
  const replied = said.replied;
  if (!replied) return [];
  // On the replied-to person's own IRC network their nick highlights them, as a reply should.
  const own = replied.senderKind === 'irc' && replied.network === member.network;
  const who = kind === 'irc' && !own ? noHighlight(replied.senderName) : replied.senderName;
  const old = said.message.at - replied.at > oldReplyMs;
  const quote = old ? ` "${cap(singleLine(replied.text), QUOTE_LENGTH)}" <-` : '';
  return [text(`${who}:${quote} `)];
}
