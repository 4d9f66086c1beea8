/**
 * A bounded memory of what was said, by network message id, so that a later edit can be shown as a
 * correction, a reply can name whom it answers, and a reply from the other side (which points at
 * firebell's relayed copy) finds the original. Like matrix-appservice-irc's event cache (4,096 entries).
 */
import type { NetworkKind } from '../messages.js';
import { BoundedMap } from '../bounded-map.js';

export interface RelayedMessage {
  readonly network: string;
  readonly conversation: string;
  readonly senderId: string;
  /** The sender as named on their own side: IRC nick, Matrix display name, firebell's name. */
  readonly senderName: string;
  readonly senderKind: NetworkKind | undefined;
  readonly at: number;
  /** Plain text as last seen (edits update it). */
  text: string;
  /** The network ids of this message and of its relayed copies, by `conversationKey`. */
  readonly copies: Map<string, string>;
}

export const conversationKey = (network: string, conversation: string): string =>
  `${network}\n${conversation}`;

export class RelayedMessages {
  private readonly byId: BoundedMap<string, RelayedMessage>;

  constructor(limit = 4096) {
    this.byId = new BoundedMap(limit);
  }

  /** Remembers a message (or a copy of it) under a network's id for it. */
  remember(network: string, conversation: string, messageId: string, message: RelayedMessage): void {
    this.byId.set(conversationKey(network, messageId), message);
    message.copies.set(conversationKey(network, conversation), messageId);
  }

  find(network: string, messageId: string): RelayedMessage | undefined {
    return this.byId.get(conversationKey(network, messageId));
  }
}
