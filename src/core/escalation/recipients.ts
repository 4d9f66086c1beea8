/**
 * Who a page goes to: the contacts of a tier who are awake, or, when none is, what the policy's
 * `nobodyAwake` rule says. And how each of them is reached on each network.
 */
import type { NobodyAwakeRule } from '../../../machines/incident-types.js';
import { isAwake, nextStartOfHours } from './awake.js';
import type { Contact } from '../settings.js';

export type TierReason =
  /** Some of the tier are inside their working hours: only they are paged. */
  | 'awake'
  /** Nobody is awake; whoever's working day starts soonest is paged (all of them on a tie). */
  | 'soonest'
  /** Nobody is awake; the whole tier is paged anyway. */
  | 'whole-tier'
  /** Nobody is awake; nobody in this tier is paged and escalation moves straight on. */
  | 'next-tier'
  /** Nobody in the tier can be paged at all (no contacts, or none with an IRC or Matrix handle). */
  | 'empty-tier';

export interface TierResolution {
  readonly recipients: Contact[];
  readonly reason: TierReason;
  /** When nobody is awake: the first of the tier whose hours begin next, and when. */
  readonly nextAwake?: { readonly contact: Contact; readonly at: number };
}

/** Whether firebell can page the contact at all: chat pages need an IRC or Matrix handle. */
export const isPageable = (contact: Contact): boolean =>
  contact.irc !== undefined || contact.matrix !== undefined;

/** The pageable contacts of a tier, in config order. */
export const tierMembers = (contacts: readonly Contact[], tier: number): Contact[] =>
  contacts.filter((contact) => contact.tier === tier && isPageable(contact));

/** Those whose working hours begin soonest after `at` (several on a tie), and when. */
export function soonestToStart(
  contacts: readonly Contact[],
  at: number,
): { readonly contacts: Contact[]; readonly at: number } | undefined {
  let best: { contacts: Contact[]; at: number } | undefined;
  for (const contact of contacts) {
    const start = nextStartOfHours(contact, at);
    if (start === null) continue;
    if (!best || start < best.at) best = { contacts: [contact], at: start };
    else if (start === best.at) best.contacts.push(contact);
  }
  return best;
}

/**
 * Applies the policy to one tier at `at`. With `soonest`, a tier in which nobody has any working hours
 * is paged whole: a page must go somewhere.
 */
export function resolveTier(input: {
  readonly contacts: readonly Contact[];
  readonly tier: number;
  readonly at: number;
  readonly rule: NobodyAwakeRule;
}): TierResolution {
  const { at, rule } = input;
  const members = tierMembers(input.contacts, input.tier);
  if (members.length === 0) return { recipients: [], reason: 'empty-tier' };
  const awake = members.filter((contact) => isAwake(contact, at));
  if (awake.length > 0) return { recipients: awake, reason: 'awake' };
  const soonest = soonestToStart(members, at);
  const first = soonest?.contacts[0];
  const nextAwake = soonest && first ? { nextAwake: { contact: first, at: soonest.at } } : {};
  switch (rule) {
    case 'soonest':
      return soonest
        ? { recipients: soonest.contacts, reason: 'soonest', ...nextAwake }
        : { recipients: members, reason: 'whole-tier' };
    case 'whole-tier':
      return { recipients: members, reason: 'whole-tier', ...nextAwake };
    case 'next-tier':
      return { recipients: [], reason: 'next-tier', ...nextAwake };
  }
}
