/**
 * Who may do what, asked as "which person, verified how?". A nick alone is never an identity: on IRC only a
 * services account counts (or, on a network without services, a nick the config explicitly trusts).
 */
import type { Directory } from './directory.js';
import type { Sender } from './messages.js';
import type { Permission } from './settings.js';

export type PermissionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const OK: PermissionCheck = { ok: true };

function unverifiedReason(kind: string | undefined, action: string, sender: Sender): string {
  if (kind === 'irc' && sender.unverified === 'no-services') {
    return `to ${action} firebell needs to know who you are, and this IRC network has no services accounts, so nobody can be verified on it: do it from Matrix (or another network), or ask firebell's admins whether this network's nicks may be trusted (trustNicksWithoutServices)`;
  }
  if (kind === 'irc') {
    return `to ${action} firebell needs to know who you are, and your IRC services account is unknown: identify to NickServ (/msg NickServ IDENTIFY <password>, or SASL) and try again`;
  }
  return `to ${action} firebell needs to know who you are, and your identity could not be verified`;
}

export function checkPermission(
  permission: Permission,
  action: string,
  network: string,
  sender: Sender,
  directory: Directory,
  whitelistFile = 'whitelist.yaml',
): PermissionCheck {
  if (permission === 'anyone') return OK;
  const kind = directory.kindOf(network);
  const verified = sender.account !== undefined && sender.verification !== 'none';
  if (!verified) return { ok: false, reason: unverifiedReason(kind, action, sender) };
  if (permission === 'verified') return OK;
  if (permission === 'contacts') {
    return directory.contactOf(network, sender)
      ? OK
      : {
          ok: false,
          reason: `only the people in contacts.yaml may ${action}, and ${sender.account} is not one of them`,
        };
  }
  return directory.isWhitelisted(network, sender)
    ? OK
    : {
        ok: false,
        reason: `only the people listed in ${whitelistFile} may ${action}, and ${sender.account} is not on it (changes to that file go through code review)`,
      };
}
