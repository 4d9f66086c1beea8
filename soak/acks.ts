/**
 * Acknowledgements in the soak: a contact (`ACKER`, tier 1, on Matrix, where every user is identified)
 * says `!ack N` in the group's room. Which incident: one seen announced, not acked yet, with a tier still
 * to come, so that the ack has escalation left to stop (demands.ts then asks for no tier after the ack's
 * commit, and for its confirmation in every place of the group). Pure.
 */
import type { SoakGroup } from './soak-config.js';
import { TIER_CONTACTS } from './soak-config.js';

/** Who acknowledges: tier 1's contact, a Matrix user the `contacts` permission admits. */
export const ACKER = TIER_CONTACTS[1] ?? 'alice';

/** A tier due this soon is left alone: the ack would race its page rather than stop it. */
const NEXT_TIER_MARGIN_MS = 500;

/** Incidents an ack would stop escalating now: announced, not acked, a tier due later than the margin. */
export function ackable(
  announced: ReadonlyMap<number, { readonly group: SoakGroup; readonly at: number }>,
  acked: ReadonlySet<number>,
  tierOffsets: (group: SoakGroup) => readonly number[],
  now: number,
): number[] {
  return [...announced.entries()]
    .filter(([id, { group, at }]) => {
      if (acked.has(id)) return false;
      return tierOffsets(group).some((offset) => at + offset > now + NEXT_TIER_MARGIN_MS);
    })
    .map(([id]) => id);
}
