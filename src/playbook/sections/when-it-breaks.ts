/**
 * The first thing on the page, for someone untrained who notices a failure at night: the steps from
 * "is this known?" to "it is fixed", with the channels, commands and people filled in from the config.
 */
import { commandSpec } from '../../core/commands/catalog.js';
import { bold, code, link, rich, type RichText } from '../../core/rich-text.js';
import { minutesInWords } from '../../core/escalation/format.js';
import { bulletList, orderedList, paragraph, type Block, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { pagingEndsAfterMinutes } from './escalation.js';
import { defaultPolicy, groupName, groupPlaces, joinRich, permissionWords } from '../places.js';

function whereBlocks(ctx: PlaybookContext): Block[] {
  const groups = ctx.config.groups
    .map((group) => ({ group, places: groupPlaces(ctx.config, group) }))
    .filter(({ places }) => places.length > 0);
  const first = groups[0];
  if (!first) return [paragraph(rich('No channel or room is configured for incidents yet.'))];
  if (groups.length === 1) {
    const linked =
      first.group.relay && first.places.length > 1
        ? ' They are linked: what you say in one appears in the others.'
        : '';
    return [paragraph(rich(bold('Where:'), ' ', joinRich(first.places, ' or '), `.${linked}`))];
  }
  return [
    paragraph(rich(bold('Where:'), ' in the channels and rooms of the team concerned:')),
    bulletList(groups.map(({ group, places }) => rich(groupName(group), ': ', joinRich(places, ' or ')))),
  ];
}

function declareWho(ctx: PlaybookContext): string {
  const who = ctx.config.incidents.permissions.declare;
  return who === 'anyone'
    ? 'Anyone may do this; you need no rights or training.'
    : `This is open to ${permissionWords(who)}.`;
}

function steps(ctx: PlaybookContext): RichText[] {
  const policy = defaultPolicy(ctx.config);
  const firstWait = policy?.tiers[0]?.afterMinutes;
  const reminder = policy?.statusReminder?.afterMinutes;
  const end = policy ? pagingEndsAfterMinutes(policy) : null;
  const example = commandSpec('incident').examples[0] ?? '!incident <summary>';
  const external = ctx.config.statusbot.mode === 'external';
  return [
    rich(
      bold('Check whether it is already known.'),
      ' Type ',
      code('!incidents'),
      ' in one of the channels, or read the channel topic: a status alert puts the problem there.',
    ),
    rich(
      bold('Declare it.'),
      ' Type ',
      code('!incident <what is broken, in one line>'),
      ', for example ',
      code(example),
      `. ${declareWho(ctx)} firebell announces it in every linked channel and room and gives it a number.`,
    ),
    rich(
      bold('Wait for someone to acknowledge.'),
      ' firebell pages the people on call who are awake; ',
      code('!oncall'),
      ' shows who they are right now.',
      firstWait === undefined
        ? ''
        : ` The first page goes out if nobody acknowledges within ${minutesInWords(firstWait)}.`,
      ' Whoever types ',
      code('!ack'),
      ' owns the incident: follow their lead. See ',
      link('#escalation', 'Escalation'),
      '.',
    ),
    rich(
      bold('Tell everyone else.'),
      ' If you are on the ',
      link('#whitelist', 'whitelist'),
      ', post ',
      code('#status alert <what people see>'),
      external ? ' (the other statusbot carries it)' : '',
      '; see ',
      link('#posting-a-status', 'Posting a status'),
      '. If you are not, ask in the channel',
      reminder === undefined
        ? '.'
        : `; firebell reminds the whitelisted people who are awake after ${minutesInWords(reminder)}.`,
    ),
    rich(
      bold('Help without making it worse.'),
      ' Post what you see in the channel: links to failing jobs, error messages, when it started. Leave changes to the people who run the systems.',
    ),
    rich(
      bold('If nobody answers.'),
      ' firebell says so in the channel when paging runs out',
      end === null ? '' : ` (at the latest ${minutesInWords(end)} after the announcement)`,
      '. Then contact people directly (see ',
      link('#contacts', 'Contacts'),
      ') or the people who run firebell: ',
      ctx.config.bot.admin,
      '.',
    ),
    rich(
      bold('When it is fixed.'),
      ' The owner types ',
      code('!resolved <number> <what fixed it>'),
      ' and, if an alert was posted, ',
      code('#status ok <message>'),
      ' to restore the channel topics.',
    ),
  ];
}

export function whenSomethingBreaksSection(ctx: PlaybookContext): Section {
  return {
    id: 'when-something-breaks',
    title: 'When something breaks',
    blocks: [...whereBlocks(ctx), orderedList(steps(ctx))],
  };
}
