/** One inbound message on its way through the bridge to the other members of its group. */
import type { GroupMember } from '../groups.js';
import type { InboundMessage, NetworkKind } from '../messages.js';
import type { RichText } from '../rich-text.js';
import type { Group } from '../settings.js';
import type { RelayedMessage } from './relayed-messages.js';

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
