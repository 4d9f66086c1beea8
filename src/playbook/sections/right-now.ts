/**
 * The first screen, for someone holding a phone at night: what to do now (declare, wait for an ack, who
 * to contact if nobody answers), where to do it with a link that opens the channel or room, and who is on
 * call at the moment the page describes, with how to reach them.
 */
import type { Contact } from '../../config/config.js';
import { awakeUntil, localTime, minutesUntilStart } from '../../core/escalation/awake.js';
import { formatDateTime, formatTimeOfDay, minutesInWords } from '../../core/escalation/format.js';
import { awakeFor } from '../../core/escalation/oncall.js';
import { isPageable, resolveTier } from '../../core/escalation/recipients.js';
import { formatMinutes } from '../../core/format/duration.js';
import { matrixToUserUrl } from '../../core/format/matrix-html.js';
import { bold, code, link, rich, type RichText } from '../../core/rich-text.js';
import { bulletList, orderedList, paragraph, type Block, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import {
  conversationLabel,
  defaultPolicy,
  groupName,
  joinLinks,
  joinRich,
  permissionWords,
} from '../places.js';

function steps(ctx: PlaybookContext): RichText[] {
  const { config } = ctx;
  const policy = defaultPolicy(config);
  const firstWait = policy?.tiers[0]?.afterMinutes;
  const who = config.incidents.permissions.declare;
  return [
    rich(
      bold('Declare it'),
      ' in the incident channel (below): ',
      code('!incident <what is broken, in one line>'),
      who === 'anyone' ? '. Anyone may; no training needed.' : `. Open to ${permissionWords(who)}.`,
    ),
    rich(
      bold('Wait for an ack.'),
      ' firebell pages whoever is on call',
      firstWait === undefined ? '' : ` if nobody acknowledges within ${minutesInWords(firstWait)}`,
      '. Whoever types ',
      code('!ack'),
      ' leads: follow them, and post what you see.',
    ),
    rich(
      bold('Nobody answers?'),
      ' Contact the people below directly (',
      link('#contacts', 'all contacts'),
      '), or the people who run firebell: ',
      config.bot.admin,
      '.',
    ),
  ];
}

/** Each place with its join links: "`#opendev` on IRC (irc.oftc.net): IRC client · web chat". */
function whereBlocks(ctx: PlaybookContext): Block[] {
  const { config } = ctx;
  const places = config.groups.flatMap((group) =>
    group.members.flatMap((member) => {
      const label = conversationLabel(config, member);
      if (!label) return [];
      const links = joinLinks(config, member).map((join) => rich(link(join.url, join.label)));
      const prefix = config.groups.length > 1 ? `${groupName(group)}: ` : '';
      return [
        links.length === 0 ? rich(prefix, label) : rich(prefix, label, ': open in ', joinRich(links, ' or ')),
      ];
    }),
  );
  if (places.length === 0)
    return [
      paragraph(
        rich(
          bold('Where:'),
          ' no channel or room is configured yet; ask the people who run firebell: ',
          config.bot.admin,
        ),
      ),
    ];
  return [paragraph(rich(bold('Where:'))), bulletList(places)];
}

function handles(contact: Contact): RichText {
  const parts: RichText[] = [];
  if (contact.irc) parts.push(rich('IRC ', code(contact.irc.nick ?? contact.irc.account)));
  if (contact.matrix) parts.push(rich('Matrix ', link(matrixToUserUrl(contact.matrix), contact.matrix)));
  if (contact.email) parts.push(rich(link(`mailto:${contact.email}`, contact.email)));
  return parts.length === 0 ? rich('no handle') : joinRich(parts, ', ');
}

function personNow(contact: Contact, at: number): RichText {
  const local = `${formatTimeOfDay(localTime(contact, at))} in ${contact.timezone}`;
  const until = awakeUntil(contact, at);
  const state =
    until !== null
      ? `awake, ${local}, ${awakeFor(contact, at, until)}`
      : (() => {
          const minutes = minutesUntilStart(contact, at);
          return `asleep, ${local}${minutes === null ? '' : `, starts in ${formatMinutes(minutes)}`}`;
        })();
  return rich(bold(contact.name), ` (${state}): `, handles(contact));
}

/** Tier by tier, who a page would reach at the moment the page describes. */
function onCallBlocks(ctx: PlaybookContext): Block[] {
  const { config, generatedAt } = ctx;
  const policy = defaultPolicy(config);
  const utc = formatDateTime(localTime({ timezone: 'UTC' }, generatedAt));
  const header = paragraph(
    rich(
      bold(`On call at ${utc} UTC`),
      ' (when this page was made; ',
      code('!oncall'),
      ' in the channel says who is on call now):',
    ),
  );
  const tiers = policy?.tiers.map((tier) => tier.tier) ?? [];
  const items = tiers.map((tier) => {
    const pageable = config.contacts.filter((contact) => contact.tier === tier && isPageable(contact));
    if (pageable.length === 0) return rich(bold(`Tier ${tier}:`), ' nobody can be paged in this tier.');
    const resolution = resolveTier({
      contacts: config.contacts,
      tier,
      at: generatedAt,
      rule: policy?.nobodyAwake ?? 'soonest',
    });
    const paged = resolution.reason === 'next-tier' ? [] : resolution.recipients;
    const why =
      resolution.reason === 'awake'
        ? ''
        : resolution.reason === 'next-tier'
          ? ' nobody is awake, so a page skips this tier;'
          : ' nobody is awake, so a page wakes:';
    return rich(
      bold(`Tier ${tier}:`),
      why,
      ' ',
      joinRich(
        paged.map((contact) => personNow(contact, generatedAt)),
        '; ',
      ),
    );
  });
  return items.length === 0
    ? [header, paragraph(rich('No escalation policy pages anyone.'))]
    : [header, bulletList(items)];
}

export function rightNowSection(ctx: PlaybookContext): Section {
  return {
    id: 'right-now',
    title: 'Something is broken? Do this now',
    blocks: [orderedList(steps(ctx)), ...whereBlocks(ctx), ...onCallBlocks(ctx)],
  };
}
