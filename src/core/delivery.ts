/**
 * One delivery is one message (or one topic change) to one place. Every delivery channel implements
 * `DeliveryChannel`: the chat networks (IRC, Matrix, the shell) and the ways off chat (ntfy, e-mail). The
 * durable outbox (outbox.ts) stores a delivery before it is attempted, hands it to its channel, and marks it
 * done only when the channel says the far side took it; what was not confirmed goes again after a restart
 * or a failover, with the same id, so the far side can deduplicate (Matrix transaction id, Message-ID).
 */
import type { OutboundMessage, Priority } from './messages.js';
import type { OffChatPage } from './offchat/page.js';
import type { RichText } from './rich-text.js';

/**
 * Lanes, most urgent first; strict per channel. `urgent`: pages, command replies, ack and resolve
 * confirmations. `normal`: announcements, prompts, status notices. `relay`: live relayed chat (kept in
 * memory, droppable on overflow). `bulk`: topic fan-out, joins and rejoins, relayed backlog; it yields.
 */
export type Lane = Priority;

export type DeliveryContent =
  | { readonly kind: 'message'; readonly message: OutboundMessage }
  /** A page, reminder or follow-up to one contact off chat (ntfy, e-mail); chat networks refuse it. */
  | { readonly kind: 'offchat'; readonly page: OffChatPage }
  /**
   * An incident's announcement in one room, edited in place to show `body` (Matrix `m.replace`). Stored
   * without `target`; the outbox fills in the announcement's event id when it hands the edit over.
   */
  | {
      readonly kind: 'edit';
      readonly conversation: string;
      readonly incidentId: number;
      readonly body: RichText;
      readonly target?: string;
    }
  /** A channel's or room's topic, set to `topic` (the statusbot's alert, or the topic it restores). */
  | {
      readonly kind: 'topic';
      readonly conversation: string;
      readonly topic: string;
      readonly purpose?: string;
    };

export interface Delivery {
  /**
   * Stable across attempts, restarts and instances: the outbox row's key. Matrix derives its transaction
   * id from it; e-mail its Message-ID.
   */
  readonly id: string;
  /** The delivery channel's id: a network id from the config (`oftc`, `matrix`, `shell`), `ntfy`, `email`. */
  readonly channel: string;
  readonly lane: Lane;
  readonly content: DeliveryContent;
  /** Stored in the outbox (false for live relayed chat, which is kept in memory only). */
  readonly durable: boolean;
  /** Earlier attempts that ended without an outcome (a crash, a failover, a stop); 0 on the first. */
  readonly attempts: number;
  readonly createdAt: number;
  readonly incidentId?: number;
}

export type DeliveryOutcome =
  /** The far side took it: `receipt` holds the network's ids for it (Matrix event ids, IRC msgids), maybe none. */
  | { readonly status: 'delivered'; readonly at: number; readonly receipt: readonly string[] }
  /** The far side said no for good (IRC 482/404, Matrix 403, an SMTP 5xx, a person with no handle here). */
  | { readonly status: 'refused'; readonly at: number; readonly reason: string }
  /** It was written, but its confirmation did not come in time (counted from the write, not the queueing). */
  | { readonly status: 'timed-out'; readonly at: number; readonly reason: string }
  /** Live relayed chat dropped for lack of room (the lane's overflow rule); never a durable delivery. */
  | { readonly status: 'dropped'; readonly at: number; readonly reason: string }
  /** The channel stopped before an outcome: the delivery stays pending in the store for the next start. */
  | { readonly status: 'abandoned'; readonly at: number; readonly reason: string };

export interface DeliveryChannel {
  readonly id: string;
  /**
   * Queues the delivery in its lane. The promise settles, and never rejects, with the outcome. Transient
   * failures (a reconnect, a 429, a 5xx, a timeout before the write) are retried inside the channel with the
   * same delivery id, for as long as it runs.
   */
  deliver(delivery: Delivery): Promise<DeliveryOutcome>;
}

export const delivered = (at: number, receipt: readonly string[] = []): DeliveryOutcome => ({
  status: 'delivered',
  at,
  receipt,
});

export const refused = (at: number, reason: string): DeliveryOutcome => ({ status: 'refused', at, reason });

/** What a chat network answers to an off-chat page handed to it by mistake: refused, never sent. */
export const notForChat = (at: number, channel: string): DeliveryOutcome =>
  refused(at, `${channel} is a chat network; pages off chat go by ntfy or e-mail`);

/** What a network without edits (IRC, the shell) answers to an edit: a clean refusal, nothing sent. */
export const noEdits = (at: number, channel: string): DeliveryOutcome =>
  refused(at, `${channel} cannot edit a message it sent; edits are for Matrix`);
