/** The escalation policies in plain words: who is paged when, and what happens when nobody answers. */
import type { Config } from '../../config/config.js';
import type { EscalationPolicy, NobodyAwakeRule } from '../../../machines/incident-types.js';
import { minutesInWords } from '../../core/escalation/format.js';
import { tierMembers } from '../../core/escalation/recipients.js';
import { code, link, rich, type RichText } from '../../core/rich-text.js';
import { bulletList, orderedList, paragraph, type Block, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { groupName, groupPlaces, groupsUsingPolicy, joinRich, nameList, policiesInOrder } from '../places.js';

/** Minutes from the announcement until firebell stops paging, when nobody answers; null if it never stops. */
export function pagingEndsAfterMinutes(policy: EscalationPolicy): number | null {
  if (policy.whenExhausted.action !== 'stop') return null;
  const onePass = policy.tiers.reduce((sum, tier) => sum + tier.afterMinutes, 0);
  return onePass * (policy.repeat + 1) + policy.whenExhausted.afterMinutes;
}

export function nobodyAwakeWords(rule: NobodyAwakeRule): string {
  switch (rule) {
    case 'soonest':
      return "firebell pages whoever's working day starts soonest (everyone who starts at that moment)";
    case 'whole-tier':
      return 'firebell pages the whole tier anyway';
    case 'next-tier':
      return 'firebell skips that tier and moves on to the next one at once';
  }
}

function timesInWords(count: number): string {
  if (count === 1) return 'once more';
  if (count === 2) return 'twice more';
  return `${count} more times`;
}

function tierWho(config: Config, tier: number): string {
  const names = tierMembers(config.contacts, tier).map((contact) => contact.name);
  return names.length === 0 ? '' : ` (${nameList(names)})`;
}

function tierStep(config: Config, policy: EscalationPolicy, index: number): RichText {
  const tier = policy.tiers[index];
  if (!tier) return [];
  const wait = `within ${index === 0 ? '' : 'another '}${minutesInWords(tier.afterMinutes)}`;
  if (tierMembers(config.contacts, tier.tier).length === 0) {
    return rich(`Tier ${tier.tier} has nobody firebell can page, so it is skipped at once, without waiting.`);
  }
  const after = index === 0 ? 'of the announcement' : '';
  return rich(
    `If nobody acknowledges ${wait}${after ? ` ${after}` : ''}, firebell pages tier ${tier.tier}${tierWho(config, tier.tier)}, those of them who are inside their working hours.`,
  );
}

function policySteps(config: Config, policy: EscalationPolicy): RichText[] {
  const steps: RichText[] = [
    rich('When an incident is declared, firebell announces it at once in its channels and rooms.'),
    ...policy.tiers.map((_, index) => tierStep(config, policy, index)),
  ];
  const firstTier = policy.tiers[0];
  if (policy.repeat > 0 && firstTier) {
    steps.push(
      rich(
        `Still nobody? firebell goes through the tiers ${timesInWords(policy.repeat)} with the same waits, paging tier ${firstTier.tier} again ${minutesInWords(firstTier.afterMinutes)} after the last page.`,
      ),
    );
  }
  const exhausted = policy.whenExhausted;
  const lastTier = policy.tiers[policy.tiers.length - 1];
  const end = pagingEndsAfterMinutes(policy);
  steps.push(
    exhausted.action === 'stop'
      ? rich(
          `If nobody has acknowledged ${minutesInWords(exhausted.afterMinutes)} after the last page, firebell stops paging and says so in the channel` +
            (end === null ? '.' : ` (at the latest ${minutesInWords(end)} after the announcement).`),
        )
      : rich(
          `If nobody has acknowledged ${minutesInWords(exhausted.afterMinutes)} after the last page, firebell says so in the channel and keeps paging tier ${lastTier?.tier ?? ''} every ${minutesInWords(exhausted.afterMinutes)} until someone does.`,
        ),
  );
  return steps;
}

function policyNotes(policy: EscalationPolicy): RichText[] {
  const notes: RichText[] = [
    rich(`When nobody in a tier is inside their working hours, ${nobodyAwakeWords(policy.nobodyAwake)}.`),
    rich('A tier in which nobody can be paged never holds things up: firebell moves on at once.'),
    rich(
      code('!ack'),
      ' stops the paging. ',
      code('!unack'),
      ' gives the incident back, and escalation starts again from the first tier.',
    ),
  ];
  if (policy.ackTimeoutMinutes !== null) {
    notes.push(
      rich(
        `An acknowledged incident that is still open after ${minutesInWords(policy.ackTimeoutMinutes)} is given back automatically, and escalation starts again from the first tier.`,
      ),
    );
  }
  if (policy.statusReminder !== null) {
    const repeat = policy.statusReminder.repeatMinutes;
    notes.push(
      rich(
        'If no ',
        code('#status'),
        ` has been posted ${minutesInWords(policy.statusReminder.afterMinutes)} after the announcement, firebell asks the whitelisted people who are awake to post one` +
          (repeat === null ? '.' : `, and asks again every ${minutesInWords(repeat)}.`),
      ),
    );
  }
  return notes;
}

function policyBlocks(config: Config, policy: EscalationPolicy): Block[] {
  const groups = groupsUsingPolicy(config, policy.name);
  const usedBy =
    groups.length === 0
      ? rich('No channel group uses this policy at the moment.')
      : rich(
          'Used for incidents in ',
          joinRich(
            groups.map((group) =>
              groupPlaces(config, group).length === 0
                ? rich(groupName(group))
                : rich(groupName(group), ' (', joinRich(groupPlaces(config, group), ', '), ')'),
            ),
          ),
          '.',
        );
  return [
    { kind: 'subheading', title: rich('Policy ', code(policy.name)), id: `policy-${policy.name}` },
    paragraph(usedBy),
    orderedList(policySteps(config, policy)),
    bulletList(policyNotes(policy)),
  ];
}

export function escalationSection(ctx: PlaybookContext): Section {
  const { config } = ctx;
  return {
    id: 'escalation',
    title: 'Escalation',
    blocks: [
      paragraph(
        rich(
          'How firebell finds someone. A page is a highlight in the incident’s channels and rooms and/or a private message (see ',
          link('#contacts', 'Contacts'),
          '), sent on IRC and Matrix at once, with the incident summary, its age, how to acknowledge (',
          code('!ack 12'),
          ') and a link to this play book. Who counts as awake is decided in each person’s own timezone.',
        ),
      ),
      ...policiesInOrder(config).flatMap((policy) => policyBlocks(config, policy)),
    ],
  };
}
