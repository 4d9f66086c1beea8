/** The people: how to reach them, and the hours they cover in their own timezone and in UTC. */
import type { Config, Contact } from '../../config/config.js';
import { code, lineBreak, link, rich, type RichText, type Segment } from '../../core/rich-text.js';
import { cell, paragraph, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { localHoursText, utcHoursText } from '../hours-text.js';
import { weekLabel } from './coverage.js';
import { roleName } from './roles.js';
import { describeOffChat } from '../../core/offchat/ways.js';
import { ircAccountsText } from './irc-accounts-text.js';

const REACH_WORDS: Record<Contact['reach'], string> = {
  both: 'highlight and private message',
  highlight: 'highlight in the incident channels',
  private: 'private message',
};

function lines(parts: readonly RichText[]): RichText {
  return parts.flatMap((part, index): Segment[] => (index === 0 ? [...part] : [lineBreak, ...part]));
}

function howToReach(contact: Contact, emailConfigured: boolean): RichText {
  const parts: RichText[] = [];
  if (contact.irc) {
    const nick = contact.irc.nick ?? contact.irc.account;
    parts.push(
      contact.irc.accounts !== undefined
        ? rich('IRC ', code(nick), ' (', ...ircAccountsText(contact.irc.accounts), ')')
        : nick === contact.irc.account
          ? rich('IRC ', code(nick))
          : rich('IRC ', code(nick), ' (account ', code(contact.irc.account), ')'),
    );
  }
  if (contact.matrix) parts.push(rich('Matrix ', code(contact.matrix)));
  if (contact.email) parts.push(rich('Email ', link(`mailto:${contact.email}`, contact.email)));
  if (contact.tier !== undefined && (contact.irc || contact.matrix)) {
    parts.push(rich(`Paged by ${REACH_WORDS[contact.reach]}`));
  }
  const offChat = contact.tier === undefined ? undefined : describeOffChat(contact, emailConfigured);
  if (offChat !== undefined) parts.push(rich(offChat));
  return parts.length === 0 ? rich('—') : lines(parts);
}

function roleNames(config: Config, contact: Contact): string {
  const names = contact.roles.map((id) => roleName(config, id));
  return names.length === 0 ? '—' : names.join(', ');
}

const hoursCell = (texts: readonly string[]): RichText =>
  texts.length === 0 ? rich('none') : lines(texts.map((value) => rich(value)));

export function contactsSection(ctx: PlaybookContext): Section {
  const { config, week } = ctx;
  const rows = config.contacts.map((contact) => [
    cell(rich(contact.name)),
    cell(rich(contact.tier === undefined ? 'not paged' : String(contact.tier))),
    cell(rich(roleNames(config, contact))),
    cell(howToReach(contact, config.email !== undefined)),
    cell(rich(contact.timezone)),
    cell(hoursCell(localHoursText(contact.hours))),
    cell(hoursCell(utcHoursText(contact, week))),
  ]);
  return {
    id: 'contacts',
    title: 'Contacts',
    blocks: [
      paragraph(
        rich(
          'firebell pages people for you; these are the ways to reach them directly when it does not. Please respect their hours: outside them, only page through firebell. Hours in UTC are for ',
          weekLabel(week),
          '; they move by an hour when daylight saving time starts or ends (see ',
          link('#coverage', 'Coverage'),
          ').',
        ),
      ),
      config.contacts.length === 0
        ? paragraph(rich('No contacts are configured.'))
        : {
            kind: 'table',
            head: [
              rich('Name'),
              rich('Tier'),
              rich('Roles'),
              rich('How to reach'),
              rich('Timezone'),
              rich('Hours (their time)'),
              rich('Hours (UTC)'),
            ],
            rows,
            rowHeaders: true,
          },
    ],
  };
}
