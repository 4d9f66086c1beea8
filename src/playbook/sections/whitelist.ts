/**
 * Who may post a status, how firebell knows it is them, and where the list lives: the "file in git" the
 * founding request asked the play book to link.
 */
import type { Config, Contact, WhitelistedPerson } from '../../config/config.js';
import { code, link, rich, text, type RichText } from '../../core/rich-text.js';
import { cell, paragraph, type Block, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { whitelistFileName } from '../../config/config.js';
import { ircAccountsText } from './irc-accounts-text.js';

const dash = rich('—');

function whitelistRow(config: Config, person: WhitelistedPerson) {
  const contact: Contact | undefined = config.contacts.find((candidate) => candidate.id === person.contactId);
  const irc = person.irc ?? contact?.irc;
  const matrix = person.matrix ?? contact?.matrix;
  const onCall =
    contact === undefined
      ? 'not a contact'
      : contact.tier === undefined
        ? 'contact, not paged'
        : `tier ${contact.tier}`;
  return [
    cell(rich(person.name)),
    cell(irc ? (irc.accounts ? ircAccountsText(irc.accounts) : rich(code(irc.account))) : dash),
    cell(matrix ? rich(code(matrix)) : dash),
    cell(rich(onCall)),
  ];
}

function fileReference(config: Config): RichText {
  const name = code(whitelistFileName(config));
  return config.bot.whitelistUrl
    ? rich(link(config.bot.whitelistUrl, whitelistFileName(config)))
    : rich(name);
}

export function whitelistSection(ctx: PlaybookContext): Section {
  const { config } = ctx;
  const blocks: Block[] = [
    paragraph(
      rich(
        'In the event of any failure, the status should be posted by someone on this list. Only they may use ',
        code('#status'),
        ', and only when firebell can verify who they are: on IRC, logged in to services (NickServ) as the account below, since a matching nick is not enough; on Matrix, by their user id.',
      ),
    ),
  ];
  blocks.push(
    config.whitelist.length === 0
      ? paragraph(rich('Nobody is on the whitelist yet, so nobody can post a status.'))
      : {
          kind: 'table',
          head: [rich('Name'), rich('IRC account'), rich('Matrix user'), rich('On call')],
          rows: config.whitelist.map((person) => whitelistRow(config, person)),
        },
  );
  blocks.push(
    paragraph(
      rich(
        'The list is ',
        fileReference(config),
        ' in git. To add or remove someone, propose a change to that file; it goes through review like any other change. Anyone who can write a clear status update may be added: it is not only for the people who fix things.',
      ),
    ),
  );
  if (config.statusbot.mode === 'external') {
    const bots = config.statusbot.externalBots.map((bot) => rich(code(bot.nick), text(` on ${bot.network}`)));
    blocks.push(
      paragraph(
        rich(
          'Status updates are carried by another statusbot',
          bots.length === 0 ? '' : ' (',
          ...bots.flatMap((bot, index) => (index === 0 ? [...bot] : [text(', '), ...bot])),
          bots.length === 0 ? '' : ')',
          ', which keeps its own copy of this list; firebell reminds the people on it and recognises their updates.',
        ),
      ),
    );
  }
  return { id: 'whitelist', title: 'Whitelist', blocks };
}
