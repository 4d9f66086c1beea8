/**
 * The incident machine: detected → announced → assigned → resolved.
 *
 * Pure: no I/O, no clock. Every event carries its time (`at`); every deadline is absolute and kept in the
 * context, and each delay is `deadline - lastEventAt`. A restored actor does not re-arm xstate's `after`
 * timers, so the service sends `incident.resume` after a restore and the waiting states re-enter
 * themselves, re-arming each timer for the time that remains (an overdue one fires at once, once).
 *
 * Two regions run side by side: `lifecycle` (the four states people talk about, with escalation inside
 * `announced`) and `statusUpdates` (the reminder to post a `#status`), because a status reminder is due
 * whether or not someone has acknowledged.
 *
 * Effects leave through `emit`; the service stores the transition first and only then performs them.
 *
 * Why this file is long: an xstate machine reads best as one definition, every state beside its
 * transitions and timers, as xstate's own examples keep them; the escalation arithmetic it calls lives
 * in ./escalation-cursor.ts and the types in ./incident-types.ts.
 */
import { assertEvent, assign, emit, enqueueActions, setup } from 'xstate';
import {
  advanceAfterExhaustion,
  advanceAfterPage,
  skipAfterEmptyPage,
  startEscalation,
} from './escalation-cursor.js';
import {
  MINUTE_MS,
  type Actor,
  type IncidentContext,
  type IncidentEffect,
  type IncidentEvent,
  type IncidentInput,
  type StatusKind,
  type TimelineEntry,
} from './incident-types.js';

const remaining = (deadline: number | null | undefined, context: IncidentContext): number =>
  deadline === null || deadline === undefined ? 0 : Math.max(0, deadline - context.lastEventAt);

const timeOf = (context: IncidentContext, event: IncidentEvent | { type: string }): number =>
  'at' in event && typeof event.at === 'number'
    ? Math.max(context.lastEventAt, event.at)
    : context.lastEventAt;

const withEntry = (context: IncidentContext, entry: TimelineEntry): readonly TimelineEntry[] => [
  ...context.timeline,
  entry,
];

/** When an ack (or assignment) made at `at` times out, if the policy has an ack timeout. */
const ackDeadline = (context: IncidentContext, at: number): number | null =>
  context.policy.ackTimeoutMinutes === null ? null : at + context.policy.ackTimeoutMinutes * MINUTE_MS;

const describeStatus = (kind: string, text: string): string => (text ? `${kind}: ${text}` : kind);

/**
 * Whether a status update counts as "a status was posted" and stops the reminder: only what reached the
 * status channels (an alert, a notice, or an `ok` with a message). A `log` is a record for the team,
 * not word to the people waiting, so the reminder keeps asking.
 */
export const countsAsStatusPosted = (kind: StatusKind, text: string): boolean =>
  kind === 'alert' || kind === 'notice' || (kind === 'ok' && text.trim() !== '');

export const incidentMachine = setup({
  types: {
    context: {} as IncidentContext,
    events: {} as IncidentEvent,
    input: {} as IncidentInput,
    emitted: {} as IncidentEffect,
  },
  delays: {
    escalationDue: ({ context }) => remaining(context.escalation?.dueAt, context),
    ackTimeoutDue: ({ context }) => remaining(context.ackTimeoutAt, context),
    statusReminderDue: ({ context }) => remaining(context.status.reminderAt, context),
  },
  guards: {
    nextStepIsPage: ({ context }) => context.escalation?.next.kind === 'page',
    keepsPagingWhenExhausted: ({ context }) =>
      context.policy.whenExhausted.action === 'keep-paging-last-tier',
    hasAckTimeout: ({ context }) => context.ackTimeoutAt !== null,
    hasStatusReminder: ({ context }) => context.policy.statusReminder !== null,
    hasNextStatusReminder: ({ context }) => context.status.reminderAt !== null,
    statusReachedPeople: ({ event }) =>
      event.type === 'incident.status' && countsAsStatusPosted(event.kind, event.text),
    pageReachedNobodySkippable: ({ context, event }) => {
      if (event.type !== 'incident.paged' || event.recipients.length > 0 || context.escalation === null)
        return false;
      return skipAfterEmptyPage(context.escalation, event, timeOf(context, event)) !== null;
    },
  },
  actions: {
    /** Timer transitions carry no `at`: the logical time is the deadline that fired (or later, after a resume). */
    fireEscalationDeadline: assign({
      lastEventAt: ({ context }) =>
        Math.max(context.lastEventAt, context.escalation?.dueAt ?? context.lastEventAt),
    }),
    noteTime: assign({ lastEventAt: ({ context, event }) => timeOf(context, event) }),

    recordAnnounced: assign(({ context, event }) => {
      const at = timeOf(context, event);
      return {
        lastEventAt: at,
        announcedAt: context.announcedAt ?? at,
        timeline: withEntry(context, { at, kind: 'announced' }),
      };
    }),
    recordReport: assign(({ context, event }) => {
      assertEvent(event, 'incident.reported');
      const { by, detail } = event;
      const at = timeOf(context, event);
      const entry =
        detail === undefined
          ? { at, kind: 'reported-again' as const, by }
          : { at, kind: 'reported-again' as const, by, detail };
      return { lastEventAt: at, timeline: withEntry(context, entry) };
    }),
    recordPage: assign(({ context, event: page }) => {
      assertEvent(page, 'incident.paged');
      const at = timeOf(context, page);
      const tier = context.policy.tiers[page.tierIndex]?.tier ?? page.tierIndex + 1;
      const who = page.recipients.length > 0 ? page.recipients.join(', ') : 'nobody could be reached';
      return {
        lastEventAt: at,
        timeline: withEntry(context, { at, kind: 'paged', detail: `tier ${tier}: ${who}` }),
      };
    }),

    beginEscalation: assign(({ context }) => ({
      escalation: startEscalation(context.policy, context.lastEventAt),
    })),
    endEscalation: assign({ escalation: null }),
    pageNextTier: emit(({ context }) => {
      const next = context.escalation?.next;
      const tierIndex = next?.kind === 'page' ? next.tierIndex : context.policy.tiers.length - 1;
      return {
        type: 'effect.page',
        at: context.lastEventAt,
        tierIndex,
        tier: context.policy.tiers[tierIndex]?.tier ?? tierIndex + 1,
        round: next?.kind === 'page' ? next.round : 0,
        repeatOfLastTier: context.escalation?.repagingLastTier ?? false,
      } as const;
    }),
    advanceEscalation: assign(({ context }) => ({
      escalation:
        context.escalation && advanceAfterPage(context.policy, context.escalation, context.lastEventAt),
    })),
    announceExhaustion: emit(
      ({ context }) => ({ type: 'effect.escalation-exhausted', at: context.lastEventAt }) as const,
    ),
    recordExhaustion: assign(({ context }) => ({
      timeline: withEntry(context, { at: context.lastEventAt, kind: 'escalation-exhausted' }),
      escalation:
        context.escalation && advanceAfterExhaustion(context.policy, context.escalation, context.lastEventAt),
    })),
    skipEmptyTier: assign(({ context, event: page }) => {
      assertEvent(page, 'incident.paged');
      return {
        escalation:
          context.escalation &&
          (skipAfterEmptyPage(context.escalation, page, timeOf(context, page)) ?? context.escalation),
      };
    }),

    acknowledge: assign(({ context, event }) => {
      assertEvent(event, 'incident.ack');
      const { by } = event;
      const at = timeOf(context, event);
      return {
        lastEventAt: at,
        assignee: by,
        ackTimeoutAt: ackDeadline(context, at),
        timeline: withEntry(context, { at, kind: 'acknowledged', by }),
      };
    }),
    emitAcknowledged: emit(({ context, event }) => {
      assertEvent(event, 'incident.ack');
      return { type: 'effect.acknowledged', at: context.lastEventAt, by: event.by } as const;
    }),
    assignTo: assign(({ context, event }) => {
      assertEvent(event, 'incident.assign');
      const { by, assignee } = event;
      const at = timeOf(context, event);
      return {
        lastEventAt: at,
        assignee,
        ackTimeoutAt: ackDeadline(context, at),
        timeline: withEntry(context, { at, kind: 'assigned', by, detail: assignee.name }),
      };
    }),
    emitAssigned: emit(({ context, event }) => {
      assertEvent(event, 'incident.assign');
      const { by, assignee } = event;
      return { type: 'effect.assigned', at: context.lastEventAt, by, assignee } as const;
    }),
    unacknowledge: assign(({ context, event }) => {
      assertEvent(event, 'incident.unack');
      const { by } = event;
      const at = timeOf(context, event);
      return {
        lastEventAt: at,
        assignee: null,
        ackTimeoutAt: null,
        timeline: withEntry(context, { at, kind: 'unacknowledged', by }),
      };
    }),
    emitUnacknowledged: emit(({ context, event }) => {
      assertEvent(event, 'incident.unack');
      return {
        type: 'effect.unacknowledged',
        at: context.lastEventAt,
        by: event.by,
        reason: 'unack',
      } as const;
    }),
    timeOutAck: assign(({ context }) => {
      const at = Math.max(context.lastEventAt, context.ackTimeoutAt ?? context.lastEventAt);
      const detail = context.assignee ? `${context.assignee.name} did not resolve it in time` : undefined;
      return {
        lastEventAt: at,
        assignee: null,
        ackTimeoutAt: null,
        timeline: withEntry(
          context,
          detail ? { at, kind: 'ack-timed-out', detail } : { at, kind: 'ack-timed-out' },
        ),
      };
    }),
    emitAckTimedOut: emit(
      ({ context }) =>
        ({
          type: 'effect.unacknowledged',
          at: context.lastEventAt,
          by: null,
          reason: 'ack-timeout',
        }) as const,
    ),

    resolve: assign(({ context, event }) => {
      assertEvent(event, ['incident.resolve', 'incident.source-resolved']);
      const { by, note } = event;
      const at = timeOf(context, event);
      const bySource = event.type === 'incident.source-resolved';
      const entry: TimelineEntry = note
        ? { at, kind: bySource ? 'resolved-by-source' : 'resolved', by, detail: note }
        : { at, kind: bySource ? 'resolved-by-source' : 'resolved', by };
      return {
        lastEventAt: at,
        escalation: null,
        ackTimeoutAt: null,
        resolution: { at, by, note: note ?? null, bySource },
        timeline: withEntry(context, entry),
      };
    }),
    emitResolved: emit(({ context }) => ({ type: 'effect.resolved', at: context.lastEventAt }) as const),
    promptForStatusOkIfAlertUp: enqueueActions(({ context, enqueue }) => {
      if (context.status.alertUp) {
        enqueue.emit({
          type: 'effect.prompt-status',
          at: context.lastEventAt,
          reason: 'resolved-with-alert-up',
        });
      }
    }),

    recordStatus: assign(({ context, event }) => {
      assertEvent(event, 'incident.status');
      const { by, kind, text } = event;
      const at = timeOf(context, event);
      return {
        lastEventAt: at,
        status: {
          alertUp: kind === 'alert' ? true : kind === 'ok' ? false : context.status.alertUp,
          lastKind: kind,
          lastPostedAt: at,
          reminderAt: countsAsStatusPosted(kind, text) ? null : context.status.reminderAt,
        },
        timeline: withEntry(context, { at, kind: 'status-posted', by, detail: describeStatus(kind, text) }),
      };
    }),
    armStatusReminder: assign(({ context }) => ({
      status: {
        ...context.status,
        reminderAt:
          context.policy.statusReminder === null
            ? null
            : (context.announcedAt ?? context.lastEventAt) +
              context.policy.statusReminder.afterMinutes * MINUTE_MS,
      },
    })),
    fireStatusReminder: assign(({ context }) => {
      const at = Math.max(context.lastEventAt, context.status.reminderAt ?? context.lastEventAt);
      const repeat = context.policy.statusReminder?.repeatMinutes ?? null;
      return {
        lastEventAt: at,
        status: { ...context.status, reminderAt: repeat === null ? null : at + repeat * MINUTE_MS },
        timeline: withEntry(context, { at, kind: 'status-reminder' }),
      };
    }),
    emitStatusPrompt: emit(
      ({ context }) =>
        ({ type: 'effect.prompt-status', at: context.lastEventAt, reason: 'reminder' }) as const,
    ),
  },
}).createMachine({
  id: 'incident',
  type: 'parallel',
  context: ({ input }) => ({
    id: input.id,
    summary: input.summary,
    group: input.group,
    source: input.source,
    declaredBy: input.declaredBy,
    detectedAt: input.at,
    announcedAt: null,
    // A copy: later config edits (or a caller mutating its object) never change a running incident.
    policy: structuredClone(input.policy),
    assignee: null,
    escalation: null,
    ackTimeoutAt: null,
    status: { alertUp: false, lastKind: null, lastPostedAt: null, reminderAt: null },
    resolution: null,
    timeline: [{ at: input.at, kind: 'detected', by: input.declaredBy, detail: input.summary }],
    lastEventAt: input.at,
  }),
  states: {
    lifecycle: {
      initial: 'detected',
      // While open (the final state ends the machine, so these never reach it).
      on: {
        'incident.reported': { actions: 'recordReport' },
        'incident.resolve': {
          target: '.resolved',
          actions: ['resolve', 'emitResolved', 'promptForStatusOkIfAlertUp'],
        },
        'incident.source-resolved': {
          target: '.resolved',
          actions: ['resolve', 'emitResolved', 'promptForStatusOkIfAlertUp'],
        },
      },
      states: {
        detected: {
          entry: emit(({ context }) => ({ type: 'effect.announce', at: context.lastEventAt }) as const),
          on: {
            'incident.announced': { target: 'announced', actions: 'recordAnnounced' },
            'incident.ack': { target: 'assigned', actions: ['acknowledge', 'emitAcknowledged'] },
            'incident.assign': { target: 'assigned', actions: ['assignTo', 'emitAssigned'] },
          },
        },
        announced: {
          entry: 'beginEscalation',
          exit: 'endEscalation',
          initial: 'escalating',
          states: {
            escalating: {
              after: {
                escalationDue: [
                  {
                    guard: 'nextStepIsPage',
                    target: 'escalating',
                    reenter: true,
                    actions: ['fireEscalationDeadline', 'pageNextTier', 'advanceEscalation'],
                  },
                  {
                    guard: 'keepsPagingWhenExhausted',
                    target: 'escalating',
                    reenter: true,
                    actions: [
                      'fireEscalationDeadline',
                      'announceExhaustion',
                      'recordExhaustion',
                      'pageNextTier',
                      'advanceEscalation',
                    ],
                  },
                  {
                    target: 'exhausted',
                    actions: ['fireEscalationDeadline', 'announceExhaustion', 'recordExhaustion'],
                  },
                ],
              },
              on: {
                'incident.resume': { target: 'escalating', reenter: true, actions: 'noteTime' },
                'incident.paged': [
                  {
                    guard: 'pageReachedNobodySkippable',
                    target: 'escalating',
                    reenter: true,
                    actions: ['recordPage', 'skipEmptyTier'],
                  },
                  { actions: 'recordPage' },
                ],
              },
            },
            /** Every tier was paged, every round, and nobody acknowledged; the policy says stop. */
            exhausted: {
              on: { 'incident.paged': { actions: 'recordPage' } },
            },
          },
          on: {
            'incident.ack': { target: 'assigned', actions: ['acknowledge', 'emitAcknowledged'] },
            'incident.assign': { target: 'assigned', actions: ['assignTo', 'emitAssigned'] },
          },
        },
        assigned: {
          initial: 'holding',
          states: {
            holding: {
              always: { guard: 'hasAckTimeout', target: 'timingOut' },
            },
            /** Acknowledged, with an ack timeout: unresolved by the deadline means unacknowledged again. */
            timingOut: {
              after: {
                ackTimeoutDue: {
                  target: '#incident.lifecycle.announced',
                  actions: ['timeOutAck', 'emitAckTimedOut'],
                },
              },
              on: { 'incident.resume': { target: 'timingOut', reenter: true, actions: 'noteTime' } },
            },
          },
          on: {
            'incident.unack': { target: 'announced', actions: ['unacknowledge', 'emitUnacknowledged'] },
            'incident.assign': { target: 'assigned', reenter: true, actions: ['assignTo', 'emitAssigned'] },
            // An ack that overtook the announcement (acked while it was still being posted).
            'incident.announced': { actions: 'recordAnnounced' },
            'incident.paged': { actions: 'recordPage' },
          },
        },
        resolved: { type: 'final' },
      },
    },
    statusUpdates: {
      initial: 'notDue',
      on: {
        'incident.status': [
          { guard: 'statusReachedPeople', target: '.posted', actions: 'recordStatus' },
          // A log is recorded in the timeline; the reminder keeps its time.
          { actions: 'recordStatus' },
        ],
        'incident.resolve': { target: '.closed' },
        'incident.source-resolved': { target: '.closed' },
      },
      states: {
        /** Before the announcement, or when the policy has no reminder. */
        notDue: {
          on: {
            'incident.announced': {
              guard: 'hasStatusReminder',
              target: 'awaiting',
              actions: 'armStatusReminder',
            },
          },
        },
        awaiting: {
          after: {
            statusReminderDue: [{ target: 'reminded', actions: ['fireStatusReminder', 'emitStatusPrompt'] }],
          },
          on: {
            'incident.resume': { target: 'awaiting', reenter: true, actions: 'noteTime' },
          },
        },
        /** Reminded once; `repeatMinutes` in the policy reminds again until someone posts. */
        reminded: {
          always: { guard: 'hasNextStatusReminder', target: 'awaiting' },
        },
        posted: {},
        closed: { type: 'final' },
      },
    },
  },
});

export type IncidentMachine = typeof incidentMachine;

/** The lifecycle state people talk about: detected, announced, assigned or resolved. */
export type IncidentPhase = 'detected' | 'announced' | 'assigned' | 'resolved';

export function phaseOf(value: unknown): IncidentPhase {
  const lifecycle = (value as { lifecycle?: unknown } | null)?.lifecycle;
  const name =
    typeof lifecycle === 'string'
      ? lifecycle
      : lifecycle && typeof lifecycle === 'object'
        ? Object.keys(lifecycle)[0]
        : undefined;
  return name === 'announced' || name === 'assigned' || name === 'resolved' ? name : 'detected';
}

export type { Actor };
