/**
 * Who you are in the shell, said plainly: `/as Mara`, `/as mara` and `/as Mara Quillfeather` are all the
 * contact mara, and the banner and the prompt say whether you are a contact (with their tier and whether
 * the whitelist lets them post a status) or a name nobody pages.
 */
import type { Contact, WhitelistedPerson } from '../../config/config.js';
import { closest } from '../../core/nearest.js';

export interface ShellIdentity {
  /** What the core sees as your account: a contact's id, or the name as typed. */
  readonly user: string;
  /** For the prompt: "mara · Mara Quillfeather", "you · not a contact". */
  readonly label: string;
  /** A sentence for the banner and `/as`. */
  readonly description: string;
}

export type IdentifyShellUser = (name: string) => ShellIdentity;

function contactNamed(contacts: readonly Contact[], name: string): Contact | undefined {
  const lowered = name.trim().toLowerCase();
  const byFirst = contacts.filter((contact) => contact.name.split(/\s+/)[0]?.toLowerCase() === lowered);
  return (
    contacts.find((contact) => contact.id.toLowerCase() === lowered) ??
    contacts.find((contact) => contact.name.toLowerCase() === lowered) ??
    (byFirst.length === 1 ? byFirst[0] : undefined)
  );
}

export function shellIdentities(
  contacts: readonly Contact[],
  whitelist: readonly WhitelistedPerson[],
): IdentifyShellUser {
  const example = contacts.find((contact) => contact.tier !== undefined) ?? contacts[0];
  return (name) => {
    const contact = contactNamed(contacts, name);
    if (contact) {
      const tier = contact.tier === undefined ? 'not on the paging rota' : `tier ${contact.tier}`;
      const whitelisted = whitelist.some((person) => person.contactId === contact.id)
        ? ', on the whitelist'
        : '';
      return {
        user: contact.id,
        label: `${contact.id} · ${contact.name}`,
        description: `${contact.id} (${contact.name}, ${tier}${whitelisted})`,
      };
    }
    const near = closest(
      name,
      contacts.map((candidate) => candidate.id),
    );
    const hint = near
      ? `; did you mean /as ${near}?`
      : example
        ? `; /as ${example.id} to be ${example.name}`
        : '';
    return {
      user: name,
      label: `${name} · not a contact`,
      description: `${name} (not a contact, so nobody pages you and #status needs the whitelist${hint})`,
    };
  };
}
