/**
 * Services accounts belong to one IRC network: OFTC's `alice` and Libera's `alice` may be two people. A
 * person's account is therefore asked for on a network, never matched by name alone across networks.
 */
import { ircFold } from './casemapping.js';
import type { IrcHandle } from './settings.js';

/** The account someone has on `network`: the one listed for it, or their only one when none are per network. */
export function ircAccountOn(handle: IrcHandle, network: string): string | undefined {
  return handle.accounts === undefined ? handle.account : handle.accounts[network];
}

/** Every account name someone goes by, for finding them by what people type. */
export function ircAccountNames(handle: IrcHandle): string[] {
  return handle.accounts === undefined ? [handle.account] : [...new Set(Object.values(handle.accounts))];
}

/** Whether a verified `account` on `network` is this person. */
export function holdsIrcAccount(handle: IrcHandle, network: string, account: string): boolean {
  const theirs = ircAccountOn(handle, network);
  return theirs !== undefined && ircFold(theirs) === ircFold(account);
}

/** Whether two handles share an account on some network (per-network lists compared network by network). */
export function shareIrcAccount(a: IrcHandle, b: IrcHandle): boolean {
  const networks = new Set([...Object.keys(a.accounts ?? {}), ...Object.keys(b.accounts ?? {})]);
  if (networks.size === 0) return ircFold(a.account) === ircFold(b.account);
  return [...networks].some((network) => {
    const account = ircAccountOn(b, network);
    return account !== undefined && holdsIrcAccount(a, network, account);
  });
}
