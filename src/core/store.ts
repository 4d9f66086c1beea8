/**
 * Storage ports. The core stores through these; `src/store/` implements them on SQLite (and a later issue
 * on PostgreSQL). The rule they serve: a transition's snapshot, its new timeline entries and the effects
 * it asks for are written in one transaction, before any effect goes out.
 */
import type { Actor, IncidentEffect, StatusKind, TimelineEntry } from '../../machines/incident-types.js';
import type { IncidentPhase } from '../../machines/incident.js';

export interface IncidentRecord {
  readonly id: number;
  readonly group: string;
  readonly summary: string;
  readonly phase: IncidentPhase;
  readonly open: boolean;
  /** xstate's persisted snapshot, as JSON-compatible data. */
  readonly snapshot: unknown;
  readonly createdAt: number;
  readonly updatedAt: number;
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
  readonly effects: readonly IncidentEffect[];
}

export interface PendingEffect {
  readonly id: number;
  readonly incidentId: number;
  readonly effect: IncidentEffect;
}

export interface IncidentStore {
  /** The next short incident number (#12), never reused. */
  allocateId(): number;
  /** One transaction: snapshot, timeline entries and effects. Returns the stored effects with their ids. */
  saveTransition(transition: IncidentTransition): PendingEffect[];
  /**
   * Group commit: several transitions (of any incidents) in one transaction, all or none, and marks
   * `completed` effects done in the same transaction. Returns each transition's stored effects.
   */
  saveTransitions(
    transitions: readonly IncidentTransition[],
    completed?: readonly number[],
  ): PendingEffect[][];
  /** Effects that were stored and then performed. */
  completeEffects(ids: readonly number[]): void;
  /** Effects stored but not yet performed (a crash between the two): performed again at start. */
  pendingEffects(): PendingEffect[];
  /** The open incidents, possibly streamed: writing to the store while iterating is not allowed. */
  loadOpen(): Iterable<IncidentRecord>;
  get(id: number): IncidentRecord | undefined;
  timeline(id: number): TimelineEntry[];
  /** Most recent first, open and closed. */
  recent(limit: number): IncidentRecord[];
  /** A snapshot that cannot be restored is moved aside with the reason, and no longer loaded as open. */
  quarantine(id: number, reason: string): void;
  close(): void;
}

/** Small durable state for adapters: a Matrix sync token, which events were already handled. */
export interface KeyValueStore {
  get(namespace: string, key: string): string | undefined;
  set(namespace: string, key: string, value: string): void;
  delete(namespace: string, key: string): void;
  /** Records `key` as seen; false if it already was. Used to dedupe events by id. */
  markSeen(namespace: string, key: string, at: number): boolean;
  /** Forgets seen keys older than `before`. */
  pruneSeen(namespace: string, before: number): void;
}

/** A status update as posted with `#status` (or `#success`), kept as the public status history. */
export interface StatusEntry {
  readonly kind: StatusKind | 'success';
  readonly text: string;
  readonly by: Actor;
  readonly at: number;
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
  history(limit: number): StatusEntry[];
}
