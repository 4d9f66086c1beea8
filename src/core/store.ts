/**
 * The storage port. The core writes through one path, the journal (journal.ts), which gathers every write
 * of a tick (incident transitions, outbox rows and their outcomes, inbound messages marked handled,
 * key-value and status writes) and hands them to `Store.commit` as one batch: one transaction, all or
 * nothing, and nothing is said in chat before it succeeded. `src/store/` implements the port on SQLite; a
 * PostgreSQL store implements the same port (and checks its fencing token inside the transaction).
 *
 * What firebell needs at once while it runs (open incidents, the incident and effect counters, pending
 * outbox rows, the small key-value state, the alert and the saved topics) is read once, by `load`, and
 * kept in memory; history (closed incidents, timelines, status history, delivered rows) is read on demand.
 */
import type { Actor, IncidentEffect, StatusKind, TimelineEntry } from '../../machines/incident-types.js';
import type { IncidentPhase } from '../../machines/incident.js';
import type { DeliveryContent, Lane } from './delivery.js';
import type { AnnouncementReceipt } from './incident-threads.js';

export interface IncidentRecord {
  readonly id: number;
  readonly group: string;
  readonly summary: string;
  readonly phase: IncidentPhase;
  readonly open: boolean;
  /** xstate's persisted snapshot, as JSON-compatible data; null when the stored one is damaged. */
  readonly snapshot: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Why the stored snapshot cannot be read (damaged JSON); such an incident is quarantined at start. */
  readonly damage?: string;
}

/** An effect the machine asked for, with its id (the core numbers them, from `lastEffectId` on). */
export interface PendingEffect {
  readonly id: number;
  readonly incidentId: number;
  readonly effect: IncidentEffect;
}

export interface IncidentTransition {
  readonly incidentId: number;
  readonly group: string;
  readonly summary: string;
  readonly phase: IncidentPhase;
  readonly open: boolean;
  readonly snapshot: unknown;
  readonly at: number;
  /** The timeline from position `from` on (earlier entries are already stored); re-saving is idempotent. */
  readonly timeline: { readonly from: number; readonly entries: readonly TimelineEntry[] };
  /** The effects it asks for. Those also listed in the batch's `effectsDone` need not be written at all. */
  readonly effects: readonly PendingEffect[];
}

/** A status update as posted with `#status` (or `#success`), kept as the public status history. */
export interface StatusEntry {
  readonly kind: StatusKind | 'success';
  readonly text: string;
  readonly by: Actor;
  readonly at: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'refused' | 'timed-out';

/** One outbox row: a durable delivery, stored before it is attempted. */
export interface StoredDelivery {
  /** A UUID; the channel derives its deduplication id from it (Matrix transaction id `fb.<id>`). */
  readonly id: string;
  readonly channel: string;
  readonly lane: Lane;
  readonly content: DeliveryContent;
  readonly incidentId?: number;
  readonly createdAt: number;
  /** As `Delivery.attempts`: 0 when first handed to its channel, one more for each resend after a restart. */
  readonly attempts: number;
  readonly state: DeliveryState;
  readonly outcomeAt?: number;
  /** The network's ids for it once delivered (Matrix event ids, IRC msgids). */
  readonly receipt: readonly string[];
  /** Why it was refused or timed out. */
  readonly reason?: string;
}

export type DeliveryUpdate =
  /** Handed to its channel again (after a restart): `attempts` is the new count. */
  | { readonly id: string; readonly kind: 'attempt'; readonly attempts: number }
  /** Final: the channel said what became of it. */
  | {
      readonly id: string;
      readonly kind: 'outcome';
      readonly state: Exclude<DeliveryState, 'pending'>;
      readonly at: number;
      readonly receipt: readonly string[];
      readonly reason?: string;
    };

/** A long relayed message kept for its web page (bridge/long-messages.ts); `slot` is its place in a ring. */
export interface LongMessageRow {
  readonly slot: number;
  readonly id: string;
  /** JSON: sender, network, conversation, at, text. */
  readonly message: string;
}

/** A one-tap acknowledgement link that was used (offchat/link-acks.ts). */
export interface UsedAckLink {
  /** The link's unique id (from the token; the off-chat delivery's id). */
  readonly linkId: string;
  readonly incidentId: number;
  readonly contactId: string;
  readonly at: number;
}

/** Everything one commit writes, in one transaction. Lists apply in order, sections in the order below. */
export interface StoreBatch {
  /** When the batch was committed: stamps effects marked done, quarantines, pruning. */
  readonly at: number;
  readonly transitions: readonly IncidentTransition[];
  /** Effects performed: never performed again. */
  readonly effectsDone: readonly number[];
  /** Incidents whose snapshot cannot be restored: kept for people to look at, never loaded as open. */
  readonly quarantines: readonly { readonly incidentId: number; readonly reason: string }[];
  /** New outbox rows (state pending, attempts as given). */
  readonly deliveries: readonly StoredDelivery[];
  readonly deliveryUpdates: readonly DeliveryUpdate[];
  /** Inbound messages handled (their `durableId`): a second copy is skipped. */
  readonly handled: readonly { readonly durableId: string; readonly at: number }[];
  /** Puts (a string) and deletes (null) of the small key-value state. */
  readonly keyValues: readonly {
    readonly namespace: string;
    readonly key: string;
    readonly value: string | null;
  }[];
  /** The alert that is up (null: none); absent when this batch does not change it. */
  readonly alert?: StatusEntry | null;
  /** Each channel's topic from before the alert: saved (if none is saved yet) or cleared (null). */
  readonly savedTopics: readonly {
    readonly network: string;
    readonly conversation: string;
    readonly topic: string | null;
    readonly at: number;
  }[];
  readonly statusHistory: readonly StatusEntry[];
  readonly longMessages: readonly LongMessageRow[];
  /** One-tap ack links used: committed with the acknowledgement they made, so a link acks once. */
  readonly usedAckLinks: readonly UsedAckLink[];
  /**
   * Forgets handled marks, and finished outbox rows (by their outcome time), older than these times; the
   * retention is the core's (firebell.ts, inbound.ts). Pending rows are never pruned. Used ack links go
   * with the handled marks: a link lives at most as long as that retention (the config caps it), so an
   * older mark guards a link that has expired anyway.
   */
  readonly prune?: {
    readonly handledBefore: number;
    readonly incidentDeliveriesBefore: number;
    readonly otherDeliveriesBefore: number;
  };
}

/** What firebell keeps in memory while it runs, read once at start. */
export interface LoadedState {
  /** The highest incident number ever handed out (#12): the next is one more, never reused. */
  readonly lastIncidentId: number;
  /** The highest stored effect id. */
  readonly lastEffectId: number;
  /** Open incidents, not quarantined, by id. */
  readonly openIncidents: readonly IncidentRecord[];
  /** Effects stored but not performed (a crash between the two), oldest first; damaged ones left out. */
  readonly pendingEffects: readonly PendingEffect[];
  /** Outbox rows without an outcome, in creation order: handed to their channels again at start. */
  readonly pendingDeliveries: readonly StoredDelivery[];
  /**
   * Where the announcements of open incidents (and of incidents with rows still pending) landed: the
   * receipts of their delivered rows marked `incidentThread: 'root'`, so threads and edits find them.
   */
  readonly announcements: readonly AnnouncementReceipt[];
  readonly keyValues: readonly { readonly namespace: string; readonly key: string; readonly value: string }[];
  readonly alert: StatusEntry | undefined;
  readonly savedTopics: readonly {
    readonly network: string;
    readonly conversation: string;
    readonly topic: string;
  }[];
}

/**
 * A commit the store refuses for what the batch holds (a constraint it breaks, a value the database or its
 * driver cannot take): the same writes fail the same way each time, unlike a lost connection or a busy or
 * full disk, which come and go. The journal finds the write that causes it and drops that one alone
 * (journal.ts), where retrying would hold every later write behind it for good. The back ends say which of
 * their failures are such; `message` is the store's reason, never the rows' content.
 */
export class RefusedBatchError extends Error {
  override readonly name = 'RefusedBatchError';
  /** The store's own code for the failure (SQLITE_CONSTRAINT_CHECK, SQLSTATE 23514), kept for callers and logs. */
  readonly code: string | undefined;

  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    const code = (options?.cause as { code?: unknown } | null | undefined)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

export interface Store {
  load(): Promise<LoadedState>;
  /**
   * Writes the batch in one transaction, or nothing (and rejects: with a `RefusedBatchError` when the
   * batch's content is the cause, so that committing it again would fail again).
   */
  commit(batch: StoreBatch): Promise<void>;
  /** Whether an inbound message with this `durableId` was handled (and not yet pruned). */
  handled(durableId: string): Promise<boolean>;
  /** Whether a one-tap ack link was used (and not yet pruned: only links long expired are). */
  ackLinkUsed(linkId: string): Promise<boolean>;
  incident(id: number): Promise<IncidentRecord | undefined>;
  timeline(id: number): Promise<TimelineEntry[]>;
  /** Most recent first, open and closed. */
  recentIncidents(limit: number): Promise<IncidentRecord[]>;
  /** Most recent first. */
  statusHistory(limit: number): Promise<StatusEntry[]>;
  /** An incident's outbox rows, oldest first (its pages and what became of them). */
  deliveries(incidentId: number): Promise<StoredDelivery[]>;
  longMessage(slot: number): Promise<LongMessageRow | undefined>;
  close(): Promise<void>;
}

/** Small durable state for adapters (a Matrix sync token, login token): read from memory, written through. */
export interface KeyValueStore {
  get(namespace: string, key: string): string | undefined;
  set(namespace: string, key: string, value: string): void;
  delete(namespace: string, key: string): void;
  /** Resolves once every write so far is stored (an adapter that must not go on before it is). */
  flushed(): Promise<void>;
}

/**
 * What the statusbot must not forget across a restart: the alert that is up, and each channel's topic from
 * before the alert (the old statusbot kept these in memory, so a restart "restored" the alert text).
 */
export interface StatusStore {
  currentAlert(): StatusEntry | undefined;
  setAlert(alert: StatusEntry | null): void;
  savedTopic(network: string, conversation: string): string | undefined;
  /** Keeps the first saved topic: a second alert must not save the first alert's text as "the topic". */
  saveTopicIfUnsaved(network: string, conversation: string, topic: string, at: number): void;
  clearSavedTopic(network: string, conversation: string): void;
  record(entry: StatusEntry): void;
  /** Most recent first. */
  history(limit: number): Promise<StatusEntry[]>;
}

/** An empty batch stamped `at`, to fill in. */
export function emptyBatch(at: number): StoreBatch {
  return {
    at,
    transitions: [],
    effectsDone: [],
    quarantines: [],
    deliveries: [],
    deliveryUpdates: [],
    handled: [],
    keyValues: [],
    savedTopics: [],
    statusHistory: [],
    longMessages: [],
    usedAckLinks: [],
  };
}
