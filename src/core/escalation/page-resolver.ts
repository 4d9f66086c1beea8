/**
 * The page resolver firebell runs with: a tier's page goes to those of the tier who are awake now in their
 * own timezone, and when nobody is, the policy's `nobodyAwake` rule decides; the channel is told which
 * rule applied, so nobody wonders why a sleeping person was woken, or why a tier was skipped.
 */
import type { PageResolver, PageResolution } from '../effects/effect-runner.js';
import { formatMinutes } from '../format/duration.js';
import { rich } from '../rich-text.js';
import type { PersonRef } from '../messages.js';
import { isAwake } from './awake.js';
import { resolveTier } from './recipients.js';
import type { Contact, WhitelistedPerson } from '../settings.js';

const MINUTE_MS = 60_000;

const names = (contacts: readonly Contact[]): string => contacts.map((contact) => contact.name).join(' and ');

export function timezoneAwarePageResolver(contacts: readonly Contact[]): PageResolver {
  return ({ tier, policy, at }): PageResolution => {
    const resolution = resolveTier({ contacts, tier, at, rule: policy.nobodyAwake });
    const next = resolution.nextAwake;
    const nextWords = next
      ? `${next.contact.name} starts in ${formatMinutes(Math.ceil((next.at - at) / MINUTE_MS))}`
      : 'nobody in it has working hours';
    switch (resolution.reason) {
      case 'awake':
        return { recipients: resolution.recipients };
      case 'soonest':
        return {
          recipients: resolution.recipients,
          note: rich(
            `nobody in tier ${tier} is within their working hours; paging ${names(resolution.recipients)}, whose day starts soonest.`,
          ),
        };
      case 'whole-tier':
        return {
          recipients: resolution.recipients,
          note: rich(
            `nobody in tier ${tier} is within their working hours (${nextWords}); paging the whole tier anyway.`,
          ),
        };
      case 'next-tier':
        return { recipients: [], whyNobody: `nobody in it is within their working hours; ${nextWords}` };
      case 'empty-tier':
        return { recipients: [], whyNobody: `nobody in tier ${tier} has an IRC or Matrix handle to page` };
    }
  };
}

/**
 * Whom a status prompt asks: the whitelisted people who are awake now (those who are not contacts have
 * no known hours and are always asked); if none is awake, all of them, since someone must be asked.
 */
export function awakeWhitelisted(
  whitelist: readonly WhitelistedPerson[],
  contacts: readonly Contact[],
  refOf: (person: WhitelistedPerson) => PersonRef,
): (at: number) => PersonRef[] {
  return (at) => {
    const awake = whitelist.filter((person) => {
      const contact = person.contactId
        ? contacts.find((candidate) => candidate.id === person.contactId)
        : undefined;
      return contact === undefined || isAwake(contact, at);
    });
    return (awake.length > 0 ? awake : whitelist).map(refOf);
  };
}
