/**
 * Who is who. A person is one contact with several handles (IRC services account and nick, Matrix user id,
 * shell user); permission checks ask "which contact, verified how?", never "which nick?". Only a sender's
 * verified `account` is ever matched; the nick and the display name are for rendering.
 */
import type { Actor } from '../../machines/incident-types.js';
import { ircFold, matrixIdKey } from './casemapping.js';
import { closest } from './nearest.js';
import type { NetworkKind, PersonRef, Sender } from './messages.js';
import { holdsIrcAccount, ircAccountNames, ircAccountOn } from './irc-accounts.js';
import type { Contact, IrcHandle, WhitelistedPerson } from './settings.js';

/** Whether a verified `account` on `network` (of `kind`) is this person; on IRC, their account on that network. */
function handleMatches(
  kind: NetworkKind,
  network: string,
  account: string,
  person: { readonly irc?: IrcHandle | undefined; readonly matrix?: string | undefined },
  contactId: string | undefined,
): boolean {
  switch (kind) {
    case 'irc':
      return person.irc !== undefined && holdsIrcAccount(person.irc, network, account);
    case 'matrix':
      return person.matrix !== undefined && matrixIdKey(person.matrix) === matrixIdKey(account);
    case 'shell':
      return contactId !== undefined && contactId === account;
  }
}

/**
 * A contact as someone to address. On an IRC `network` their nick there defaults to their account there:
 * with accounts by network the first listed may be a stranger's name on another network.
 */
export function personRefOf(contact: Contact, network?: string): PersonRef {
  const account = contact.irc && ((network && ircAccountOn(contact.irc, network)) || contact.irc.account);
  return {
    name: contact.name,
    contactId: contact.id,
    ...(contact.irc && account !== undefined ? { irc: { nick: contact.irc.nick ?? account, account } } : {}),
    ...(contact.matrix ? { matrix: { userId: contact.matrix } } : {}),
    shell: { user: contact.id },
  };
}

export class Directory {
  private readonly kinds: ReadonlyMap<string, NetworkKind>;

  constructor(
    readonly contacts: readonly Contact[],
    readonly whitelist: readonly WhitelistedPerson[],
    networkKinds: ReadonlyMap<string, NetworkKind>,
  ) {
    this.kinds = networkKinds;
  }

  kindOf(network: string): NetworkKind | undefined {
    return this.kinds.get(network);
  }

  contact(id: string): Contact | undefined {
    return this.contacts.find((contact) => contact.id === id);
  }

  /** The contact a sender verifiably is, or undefined (unknown person, or unverified). */
  contactOf(network: string, sender: Sender): Contact | undefined {
    const kind = this.kinds.get(network);
    if (!kind || sender.account === undefined || sender.verification === 'none') return undefined;
    if (sender.verification === 'nick-fallback' && kind === 'irc') {
      // A network without services: the config explicitly chose to trust nicks there.
      return this.contacts.find(
        (contact) =>
          contact.irc && ircFold(contact.irc.nick ?? contact.irc.account) === ircFold(sender.account ?? ''),
      );
    }
    return this.contacts.find((contact) =>
      handleMatches(kind, network, sender.account as string, contact, contact.id),
    );
  }

  isWhitelisted(network: string, sender: Sender): boolean {
    const kind = this.kinds.get(network);
    if (!kind || sender.account === undefined || sender.verification === 'none') return false;
    const contact = this.contactOf(network, sender);
    return this.whitelist.some(
      (person) =>
        (contact !== undefined && person.contactId === contact.id) ||
        (sender.verification !== 'nick-fallback' &&
          handleMatches(kind, network, sender.account as string, person, person.contactId)),
    );
  }

  /** The actor recorded in the timeline for something a sender did. */
  actorOf(network: string, sender: Sender): Actor {
    const contact = this.contactOf(network, sender);
    return {
      name: contact?.name ?? sender.name,
      network,
      ...(contact ? { contactId: contact.id } : {}),
      ...(sender.account !== undefined && sender.verification !== 'none' ? { account: sender.account } : {}),
    };
  }

  /**
   * Resolves what someone typed after `!assign` or `/as`: a contact id, an IRC nick or account, a Matrix
   * user id, the full name, or a first name that only one contact has. Case never matters.
   */
  findContact(word: string): Contact | undefined {
    const trimmed = word
      .trim()
      .replace(/^@(?=[^:]*$)/, '')
      .replace(/:$/, '');
    const lowered = trimmed.toLowerCase();
    const byFirstName = this.contacts.filter(
      (contact) => contact.name.split(/\s+/)[0]?.toLowerCase() === lowered,
    );
    return (
      this.contact(trimmed) ??
      this.contacts.find((contact) => contact.id.toLowerCase() === lowered) ??
      this.contacts.find(
        (contact) => contact.matrix !== undefined && matrixIdKey(contact.matrix) === matrixIdKey(word),
      ) ??
      this.contacts.find(
        (contact) =>
          contact.irc !== undefined &&
          (ircAccountNames(contact.irc).some((account) => ircFold(account) === ircFold(trimmed)) ||
            ircFold(contact.irc.nick ?? '') === ircFold(trimmed)),
      ) ??
      this.contacts.find((contact) => contact.name.toLowerCase() === lowered) ??
      (byFirstName.length === 1 ? byFirstName[0] : undefined)
    );
  }

  /** The contact someone probably meant by a name that matches nobody ("marra" → mara), if one is close. */
  nearestContact(word: string): Contact | undefined {
    const typed = word.trim().replace(/^@/, '').replace(/:.*$/, '');
    const names = new Map<string, Contact>();
    for (const contact of this.contacts) {
      names.set(contact.id, contact);
      for (const account of contact.irc ? ircAccountNames(contact.irc) : []) names.set(account, contact);
      if (contact.irc?.nick) names.set(contact.irc.nick, contact);
      if (contact.matrix) names.set(contact.matrix.replace(/^@/, '').replace(/:.*$/, ''), contact);
      names.set(contact.name.split(/\s+/)[0] ?? contact.name, contact);
    }
    const nearest = closest(typed, names.keys());
    return nearest === undefined ? undefined : names.get(nearest);
  }

  /**
   * The networks firebell runs on where it can reach the contact: IRC and Matrix networks they have a
   * handle for, and the shell (where anyone may sit at the terminal) for people pages can reach at all.
   */
  reachableNetworks(contact: Contact): string[] {
    const pageable = contact.irc !== undefined || contact.matrix !== undefined;
    return [...this.kinds]
      .filter(([, kind]) =>
        kind === 'irc'
          ? contact.irc !== undefined
          : kind === 'matrix'
            ? contact.matrix !== undefined
            : pageable,
      )
      .map(([id]) => id);
  }

  /** A whitelisted person as someone to mention: the contact's handles when they are one. */
  whitelistedPersonRef(person: WhitelistedPerson): PersonRef {
    const contact = person.contactId ? this.contact(person.contactId) : undefined;
    if (contact) return personRefOf(contact);
    return {
      name: person.name,
      ...(person.irc
        ? { irc: { nick: person.irc.nick ?? person.irc.account, account: person.irc.account } }
        : {}),
      ...(person.matrix ? { matrix: { userId: person.matrix } } : {}),
    };
  }
}
