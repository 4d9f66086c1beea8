/**
 * What travels between the network adapters and the core. Adapters turn protocol traffic into
 * `InboundMessage`s and render `OutboundMessage`s; the core never sees a protocol.
 */
import type { RichText } from './rich-text.js';
import type { PersonRef } from './person-ref.js';

export type NetworkKind = 'irc' | 'matrix' | 'shell';

export type { PersonRef } from './person-ref.js';

/**
 * How the adapter established who sent a message. Only `account` is ever used for a permission
 * check, never the display name or the nick.
 */
export type Verification =
  /** IRC: services account from account-tag, extended-join, account-notify or WHOX/WHOIS. */
  | 'services'
  /** Matrix: the user id, which the homeserver vouches for. */
  | 'homeserver'
  /** Shell: the local terminal user. */
  | 'local'
  /** IRC network without services, where the config explicitly allows trusting the nick. */
  | 'nick-fallback'
  | 'none';

export interface Sender {
  /** Where a reply goes: the IRC nick, the Matrix user id, the shell user. */
  readonly id: string;
  /** For rendering: IRC nick, Matrix display name. */
  readonly name: string;
  /** The verified identity (IRC services account, Matrix user id, shell user); absent when unverified. */
  readonly account?: string;
  readonly verification: Verification;
  /** Why an unverified sender is unverified, so a refusal can say what to do about it. */
  readonly unverified?: 'not-identified' | 'no-services';
}

export interface ConversationRef {
  /** The network instance id from the config (`libera`, `matrix`, `shell`). */
  readonly network: string;
  /** IRC channel, Matrix room id, or for a direct conversation the peer's id (nick or DM room id). */
  readonly id: string;
  readonly direct: boolean;
}

export type MessageStyle = 'message' | 'notice' | 'emote';

export interface InboundMessage {
  readonly conversation: ConversationRef;
  readonly sender: Sender;
  /** Plain text, formatting stripped: what commands are parsed from. */
  readonly text: string;
  /** The same text with its formatting, for relaying. */
  readonly rich?: RichText;
  readonly style: MessageStyle;
  /** When it was sent (server time when the network provides it), in ms since the epoch. */
  readonly at: number;
  /** The network's id for this message (Matrix event id); used to relate edits, replies and reactions. */
  readonly messageId?: string;
  /**
   * Set by adapters whose network may deliver this same message again after a restart (a Matrix event id,
   * scoped by the adapter so ids of different sources never collide): the core records it as handled in the
   * same commit as the message's effects, and ignores a second copy.
   */
  readonly durableId?: string;
  readonly replyTo?: { readonly messageId: string };
  /**
   * The thread it was said in (Matrix: the `m.thread` root's event id): a command typed in an incident's
   * thread applies to that incident, and its answer goes into the same thread.
   */
  readonly threadRoot?: { readonly messageId: string };
  /** Set when this message replaces an earlier one; an edited command is never run again. */
  readonly editOf?: { readonly messageId: string };
  /** The adapter saw a relay marker on it: another firebell (or this one) relayed it; never relay it again. */
  readonly relayedByBot?: boolean;
  /**
   * Said to part of the conversation only (IRC STATUSMSG: `@#chan` reaches the channel's operators): never
   * relayed where everyone would read it.
   */
  readonly restricted?: boolean;
}

/** Someone joined or left a channel or room: relayed only when a group asks for it, netsplits never. */
export interface MembershipChange {
  readonly conversation: ConversationRef;
  readonly sender: Sender;
  readonly change: 'join' | 'part' | 'quit' | 'kick';
  readonly reason?: string;
  /** A QUIT caused by a netsplit ("*.net *.split"); never relayed. */
  readonly netsplit?: boolean;
  readonly at: number;
}

export interface InboundReaction {
  readonly conversation: ConversationRef;
  readonly sender: Sender;
  /** The message reacted to. */
  readonly messageId: string;
  readonly key: string;
  readonly at: number;
  /** As `InboundMessage.durableId`: a reaction that acknowledges is handled once. */
  readonly durableId?: string;
}

/**
 * Lanes of the outgoing queues, most urgent first. `urgent` (command replies and pages) always goes
 * first and is never dropped; `relay` (bridged chatter) may be dropped on overflow, with a count;
 * `bulk` (status fan-out, topics) is never dropped but yields to everything else.
 */
export type Priority = 'urgent' | 'normal' | 'relay' | 'bulk';

export type Destination =
  | { readonly network: string; readonly conversation: string }
  | { readonly network: string; readonly person: PersonRef };

export interface OutboundMessage {
  readonly to: Destination;
  readonly body: RichText;
  readonly style: MessageStyle;
  readonly priority: Priority;
  /** Network message id this answers (Matrix reply relation); IRC ignores it. */
  readonly replyTo?: string;
  /** Optional tag for the adapter's logs and tests ("page", "announce", "reply", "relay", "status"). */
  readonly purpose?: string;
  /** For incident output: the incident number, so adapters can remember which message announced what. */
  readonly incidentId?: number;
  /**
   * Where the core wants an incident's words in that incident's thread (Matrix rooms of a group with
   * `matrixThreads`): `root` marks the announcement (the outbox keeps its event id per room), `follow-up`
   * what belongs under it. The outbox turns a follow-up into `threadRoot` once the announcement's event id
   * is known; networks without threads ignore both.
   */
  readonly incidentThread?: 'root' | 'follow-up';
  /**
   * The thread this goes into (a Matrix root event id) and, for clients without threads, the event the
   * reply fallback points at (the thread's latest known event, or `replyTo` when this answers someone).
   */
  readonly threadRoot?: string;
  readonly threadLatest?: string;
  /**
   * Relayed chat (not firebell's own words). Adapters mark it on the wire where the protocol allows (a
   * Matrix content field, an IRC client tag) so that no firebell relays it again.
   */
  readonly relayed?: boolean;
}

export const isDirectDestination = (to: Destination): to is { network: string; person: PersonRef } =>
  'person' in to;
