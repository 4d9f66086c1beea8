/**
 * Where escalation stands and what it does next, as pure functions of the frozen policy and the time.
 * The machine keeps the cursor in its context, so a restored incident knows its absolute deadlines.
 */
import { MINUTE_MS, type EscalationCursor, type EscalationPolicy } from './incident-types.js';

const minutes = (value: number): number => Math.round(value * MINUTE_MS);

const tierDelay = (policy: EscalationPolicy, tierIndex: number): number =>
  minutes(policy.tiers[tierIndex]?.afterMinutes ?? 0);

/** Escalation starts (or restarts, after an unack) from the first tier. */
export function startEscalation(policy: EscalationPolicy, at: number): EscalationCursor {
  return {
    next: { kind: 'page', tierIndex: 0, round: 0 },
    dueAt: at + tierDelay(policy, 0),
    lastPage: null,
    repagingLastTier: false,
  };
}

/** After the page in `cursor.next` went out at `firedAt`: the following tier, the next round, or exhaustion. */
export function advanceAfterPage(
  policy: EscalationPolicy,
  cursor: EscalationCursor,
  firedAt: number,
): EscalationCursor {
  if (cursor.next.kind !== 'page') return cursor;
  const { tierIndex, round } = cursor.next;
  const lastPage = { tierIndex, round };
  const lastTier = policy.tiers.length - 1;
  if (cursor.repagingLastTier) {
    return {
      ...cursor,
      lastPage,
      next: { kind: 'page', tierIndex: lastTier, round: round + 1 },
      dueAt: firedAt + minutes(policy.whenExhausted.afterMinutes),
    };
  }
  if (tierIndex < lastTier) {
    return {
      ...cursor,
      lastPage,
      next: { kind: 'page', tierIndex: tierIndex + 1, round },
      dueAt: firedAt + tierDelay(policy, tierIndex + 1),
    };
  }
  if (round < policy.repeat) {
    return {
      ...cursor,
      lastPage,
      next: { kind: 'page', tierIndex: 0, round: round + 1 },
      dueAt: firedAt + tierDelay(policy, 0),
    };
  }
  return {
    ...cursor,
    lastPage,
    next: { kind: 'exhaust' },
    dueAt: firedAt + minutes(policy.whenExhausted.afterMinutes),
  };
}

/**
 * Exhaustion was announced at `firedAt`. `keep-paging-last-tier` makes the last tier the next page, due
 * now (the machine pages it in the same transition), and every `afterMinutes` after; `stop` ends
 * escalation (null).
 */
export function advanceAfterExhaustion(
  policy: EscalationPolicy,
  cursor: EscalationCursor,
  firedAt: number,
): EscalationCursor | null {
  if (policy.whenExhausted.action === 'stop') return null;
  const round = (cursor.lastPage?.round ?? policy.repeat) + 1;
  return {
    ...cursor,
    repagingLastTier: true,
    next: { kind: 'page', tierIndex: policy.tiers.length - 1, round },
    dueAt: firedAt,
  };
}

/**
 * A tier that reached nobody must not make everyone wait out the next tier's delay: the next step of the
 * same round (or exhaustion) becomes due at once. A new round still waits, so an all-empty policy cannot
 * spin; repaging the last tier keeps its interval for the same reason.
 */
export function skipAfterEmptyPage(
  cursor: EscalationCursor,
  page: { tierIndex: number; round: number },
  at: number,
): EscalationCursor | null {
  const matches = cursor.lastPage?.tierIndex === page.tierIndex && cursor.lastPage.round === page.round;
  if (!matches || cursor.repagingLastTier) return null;
  const sameRound = cursor.next.kind === 'exhaust' || cursor.next.round === page.round;
  if (!sameRound || cursor.dueAt <= at) return null;
  return { ...cursor, dueAt: at };
}
