/**
 * The answer to `!oncall`: tier by tier, who is awake now and each person's local time, what a page
 * would do in a tier where nobody is, and a plain line when nobody at all can be reached. Names are
 * written as text, never as mentions: asking who is on call must not ping them all.
 */
import type { EscalationPolicy } from '../../../machines/incident-types.js';
import { bold, lineBreak, rich, type RichText, type Segment } from '../rich-text.js';
import { awakeUntil, localTime, minutesUntilStart, nextStartOfHours } from './awake.js';
import { formatMinutes } from '../format/duration.js';
import { formatClock, formatDateTime, formatTimeOfDay } from './format.js';
import { isPageable, resolveTier, soonestToStart, tierMembers, type TierResolution } from './recipients.js';
import type { Contact } from '../settings.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function tiersToShow(contacts: readonly Contact[], policy: EscalationPolicy | undefined): number[] {
  const fromPolicy = policy?.tiers.map((tier) => tier.tier) ?? [];
  const fromContacts = contacts
    .flatMap((contact) => (contact.tier === undefined ? [] : [contact.tier]))
    .filter((tier) => !fromPolicy.includes(tier))
    .sort((a, b) => a - b);
  return [...new Set([...fromPolicy, ...fromContacts])];
}

/**
 * How long someone awake stays so: a bare time of day only when it is within a day ("until 17:00"), the
 * day too when it is further ("until 00:00 Sat"), and no end at all for someone who never stops. The
 * play book's "right now" says it the same way.
 */
export function awakeFor(contact: Contact, at: number, until: number): string {
  if (nextStartOfHours(contact, at) === null) return 'around the clock';
  const end = localTime(contact, until);
  return `until ${until - at < DAY_MS ? formatTimeOfDay(end) : formatClock(end)}`;
}

function describePerson(contact: Contact, at: number): string {
  const clock = `${formatClock(localTime(contact, at))}, ${contact.timezone}`;
  if (!isPageable(contact)) return `${contact.name} (cannot be paged: no IRC or Matrix handle; ${clock})`;
  const until = awakeUntil(contact, at);
  if (until !== null) return `${contact.name} (awake, ${clock}, ${awakeFor(contact, at, until)})`;
  const minutes = minutesUntilStart(contact, at);
  const starts = minutes === null ? 'no working hours' : `starts in ${formatMinutes(minutes)}`;
  return `${contact.name} (asleep, ${clock}, ${starts})`;
}

function policyConsequence(resolution: TierResolution): string {
  const names = resolution.recipients.map((contact) => contact.name).join(', ');
  switch (resolution.reason) {
    case 'awake':
    case 'empty-tier':
      return '';
    case 'soonest':
      return ` — nobody awake: a page goes to ${names}, whose day starts soonest`;
    case 'whole-tier':
      return ' — nobody awake: a page goes to the whole tier anyway';
    case 'next-tier':
      return ' — nobody awake: a page skips this tier';
  }
}

function tierLine(
  contacts: readonly Contact[],
  tier: number,
  at: number,
  policy: EscalationPolicy | undefined,
): Segment[] {
  const members = contacts.filter((contact) => contact.tier === tier);
  const label = bold(`Tier ${tier}:`);
  if (tierMembers(contacts, tier).length === 0) {
    const who =
      members.length === 0 ? 'nobody' : members.map((contact) => describePerson(contact, at)).join(', ');
    return [...rich(label, ` ${who}; nobody here can be paged, so escalation skips this tier`)];
  }
  const people = members.map((contact) => describePerson(contact, at)).join(', ');
  const consequence = policy
    ? policyConsequence(resolveTier({ contacts, tier, at, rule: policy.nobodyAwake }))
    : '';
  return [...rich(label, ` ${people}${consequence}`)];
}

function nobodyAwakeLine(pageable: readonly Contact[], at: number): string {
  const soonest = soonestToStart(pageable, at);
  const first = soonest?.contacts[0];
  if (!soonest || !first) return 'Nobody on call is awake right now, and nobody has working hours.';
  const names = soonest.contacts.map((contact) => contact.name).join(' and ');
  const wait = formatMinutes(Math.ceil((soonest.at - at) / MINUTE_MS));
  const when = `${formatClock(localTime(first, soonest.at))} ${first.timezone}`;
  return `Nobody on call is awake right now. First to start: ${names}, in ${wait} (${when}). Pages still go out as the policy says.`;
}

export function oncallAnswer(input: {
  readonly contacts: readonly Contact[];
  readonly at: number;
  readonly policy?: EscalationPolicy;
}): RichText {
  const { contacts, at, policy } = input;
  const utc = formatDateTime(localTime({ timezone: 'UTC' }, at));
  const header = rich(bold('On call'), ` at ${utc} UTC:`);
  const tiers = tiersToShow(contacts, policy);
  const pageable = contacts.filter((contact) => contact.tier !== undefined && isPageable(contact));
  if (pageable.length === 0) {
    return rich(
      header,
      lineBreak,
      'Nobody can be paged: no contact in contacts.yaml has a tier and an IRC or Matrix handle.',
    );
  }
  const lines: Segment[] = [...header];
  for (const tier of tiers) lines.push(lineBreak, ...tierLine(contacts, tier, at, policy));
  const anyoneAwake = pageable.some((contact) => awakeUntil(contact, at) !== null);
  if (!anyoneAwake) lines.push(lineBreak, ...rich(nobodyAwakeLine(pageable, at)));
  return lines;
}
