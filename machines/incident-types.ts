/**
 * The incident domain's data: who acts, the escalation policy frozen into each incident, the timeline,
 * and the effects the machine asks the service to perform. Plain data, JSON-safe, so a persisted
 * snapshot restores exactly.
 */

/** Someone (or something) that acted on an incident. */
export interface Actor {
  /** Display name: the contact's name, an IRC nick, a Matrix display name, "alertmanager". */
  readonly name: string;
  /** The contacts.yaml id, when the actor is a known contact. */
  readonly contactId?: string;
  /** The network instance the action came from (`libera`, `matrix`, `shell`), or `webhook`/`firebell`. */
  readonly network: string;
  /** The verified identity the action was made under (services account, Matrix user id). */
  readonly account?: string;
  /**
   * Set when a contact acted from outside chat, by the one-tap link in a page: the page's way (a push
   * notification by ntfy, an e-mail). The link's signature is the verification.
   */
  readonly via?: 'ntfy' | 'email';
}

export interface EscalationTier {
  /** The tier number that contacts.yaml assigns people to. */
  readonly tier: number;
  /** How long the incident stays unacknowledged before this tier is paged, counted from the previous page (or the announcement, for the first tier). */
  readonly afterMinutes: number;
}

/** What to do when nobody in a tier is awake (inside their working hours, in their own timezone). */
export type NobodyAwakeRule = 'soonest' | 'whole-tier' | 'next-tier';

export interface EscalationPolicy {
  readonly name: string;
  /** In paging order; never empty. */
  readonly tiers: readonly EscalationTier[];
  /** Extra passes through all the tiers after the first. */
  readonly repeat: number;
  /**
   * When the last tier of the last pass has gone unanswered for `afterMinutes`: announce that escalation
   * is exhausted, then either stop or keep paging the last tier every `afterMinutes`.
   */
  readonly whenExhausted: {
    readonly action: 'stop' | 'keep-paging-last-tier';
    readonly afterMinutes: number;
  };
  /** After an ack, if the incident is still open this long, it is unacknowledged and escalation restarts. */
  readonly ackTimeoutMinutes: number | null;
  /** Ask the whitelisted people to post a `#status` if none was posted this long after the announcement. */
  readonly statusReminder: { readonly afterMinutes: number; readonly repeatMinutes: number | null } | null;
  readonly nobodyAwake: NobodyAwakeRule;
}

export type StatusKind = 'alert' | 'notice' | 'log' | 'ok';

export type TimelineKind =
  | 'detected'
  | 'reported-again'
  | 'announced'
  | 'acknowledged'
  | 'unacknowledged'
  | 'ack-timed-out'
  | 'assigned'
  | 'paged'
  | 'escalation-exhausted'
  | 'status-posted'
  | 'status-reminder'
  | 'resolved'
  | 'resolved-by-source'
  | 'resumed';

export interface TimelineEntry {
  readonly at: number;
  readonly kind: TimelineKind;
  readonly by?: Actor;
  /** Human-readable detail: the note, the status text, who was paged. */
  readonly detail?: string;
}

export type IncidentSource =
  | { readonly kind: 'chat' }
  /** A monitoring alert; `key` deduplicates repeated deliveries (Alertmanager's groupKey). */
  | { readonly kind: 'webhook'; readonly key: string; readonly receiver: string };

export interface IncidentInput {
  readonly id: number;
  readonly summary: string;
  /** The channel group the incident belongs to (where it is announced). */
  readonly group: string;
  readonly declaredBy: Actor;
  readonly at: number;
  readonly policy: EscalationPolicy;
  readonly source: IncidentSource;
}

/** The next thing escalation will do when `dueAt` comes, if nobody acknowledges first. */
export type EscalationStep =
  | { readonly kind: 'page'; readonly tierIndex: number; readonly round: number }
  | { readonly kind: 'exhaust' };

export interface EscalationCursor {
  readonly next: EscalationStep;
  readonly dueAt: number;
  /** The last page sent in this escalation run, to match the service's `incident.paged` report. */
  readonly lastPage: { readonly tierIndex: number; readonly round: number } | null;
  /** Set once exhaustion was announced and the policy keeps paging the last tier. */
  readonly repagingLastTier: boolean;
}

export interface StatusUpdates {
  /** Whether a `#status alert` is up (topics changed), so resolving asks for a `#status ok`. */
  readonly alertUp: boolean;
  readonly lastKind: StatusKind | null;
  readonly lastPostedAt: number | null;
  /** When the next reminder to post a status falls due. */
  readonly reminderAt: number | null;
}

export interface IncidentContext {
  readonly id: number;
  readonly summary: string;
  readonly group: string;
  readonly source: IncidentSource;
  readonly declaredBy: Actor;
  readonly detectedAt: number;
  readonly announcedAt: number | null;
  readonly policy: EscalationPolicy;
  readonly assignee: Actor | null;
  readonly escalation: EscalationCursor | null;
  readonly ackTimeoutAt: number | null;
  readonly status: StatusUpdates;
  readonly resolution: {
    readonly at: number;
    readonly by: Actor;
    readonly note: string | null;
    readonly bySource: boolean;
  } | null;
  readonly timeline: readonly TimelineEntry[];
  /**
   * The machine's own notion of "now": the time of the last event it processed or of the deadline that
   * fired. Every delay is `deadline - lastEventAt`, so deadlines stay absolute across restarts.
   */
  readonly lastEventAt: number;
}

export type IncidentEvent =
  | { readonly type: 'incident.announced'; readonly at: number }
  | {
      readonly type: 'incident.reported';
      readonly at: number;
      readonly by: Actor;
      /** What was reported, where it says more than "again" (the alert groups that joined a storm). */
      readonly detail?: string;
    }
  | { readonly type: 'incident.ack'; readonly at: number; readonly by: Actor }
  | { readonly type: 'incident.unack'; readonly at: number; readonly by: Actor }
  | { readonly type: 'incident.assign'; readonly at: number; readonly by: Actor; readonly assignee: Actor }
  | {
      readonly type: 'incident.resolve';
      readonly at: number;
      readonly by: Actor;
      readonly note: string | null;
    }
  | {
      readonly type: 'incident.source-resolved';
      readonly at: number;
      readonly by: Actor;
      readonly note: string | null;
    }
  | {
      readonly type: 'incident.status';
      readonly at: number;
      readonly by: Actor;
      readonly kind: StatusKind;
      readonly text: string;
    }
  /** The service's report of a page it sent: who it reached. An empty list means nobody could be paged. */
  | {
      readonly type: 'incident.paged';
      readonly at: number;
      readonly tierIndex: number;
      readonly round: number;
      readonly recipients: readonly string[];
    }
  /** Sent once after a restore: waiting states re-arm their timers for the time that remains. */
  | { readonly type: 'incident.resume'; readonly at: number };

export type IncidentEventType = IncidentEvent['type'];

/** What the machine asks the service to do. Effects run only after the transition is stored. */
export type IncidentEffect =
  | { readonly type: 'effect.announce'; readonly at: number }
  | {
      readonly type: 'effect.page';
      readonly at: number;
      readonly tierIndex: number;
      readonly tier: number;
      readonly round: number;
      readonly repeatOfLastTier: boolean;
    }
  | { readonly type: 'effect.escalation-exhausted'; readonly at: number }
  | {
      readonly type: 'effect.prompt-status';
      readonly at: number;
      readonly reason: 'reminder' | 'resolved-with-alert-up';
    }
  | { readonly type: 'effect.acknowledged'; readonly at: number; readonly by: Actor }
  | {
      readonly type: 'effect.unacknowledged';
      readonly at: number;
      readonly by: Actor | null;
      readonly reason: 'unack' | 'ack-timeout';
    }
  | { readonly type: 'effect.assigned'; readonly at: number; readonly by: Actor; readonly assignee: Actor }
  | { readonly type: 'effect.resolved'; readonly at: number };

export type IncidentEffectType = IncidentEffect['type'];

export const MINUTE_MS = 60_000;
