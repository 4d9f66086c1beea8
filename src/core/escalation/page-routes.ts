/**
 * How a page reaches one person: a highlight in each of the incident's channels and rooms on a network
 * they have a handle on (unless they asked for private pages only), and a private message on each of the
 * group's networks they have a handle on (unless they asked for highlights only). The effect runner sends
 * pages this way and `firebell simulate` describes them the same way.
 */
import type { GroupMember } from '../groups.js';
import { ircAccountOn } from '../irc-accounts.js';
import type { NetworkKind } from '../messages.js';
import type { Contact } from '../settings.js';

export interface PageRoutes {
  /** The channels and rooms where the page highlights them. */
  readonly highlights: readonly GroupMember[];
  /** The networks on which they get a private message. */
  readonly privately: readonly string[];
}

/** Which kinds of network carry a person: those they have a handle on (the shell carries everyone). */
export function reachableKinds(contact: Contact): Set<NetworkKind> {
  const kinds = new Set<NetworkKind>(['shell']);
  if (contact.irc) kinds.add('irc');
  if (contact.matrix) kinds.add('matrix');
  return kinds;
}

export function pageRoutes(
  contact: Contact,
  members: readonly GroupMember[],
  kindOf: (network: string) => NetworkKind | undefined,
): PageRoutes {
  const kinds = reachableKinds(contact);
  const carries = (network: string): boolean => {
    const kind = kindOf(network);
    if (kind === undefined || !kinds.has(kind)) return false;
    // On an IRC network where they hold no account, their nick may be anyone's: no page goes there.
    return kind !== 'irc' || (contact.irc !== undefined && ircAccountOn(contact.irc, network) !== undefined);
  };
  const highlights = contact.reach === 'private' ? [] : members.filter((member) => carries(member.network));
  const networks = [...new Set(members.map((member) => member.network))];
  const privately = contact.reach === 'highlight' ? [] : networks.filter(carries);
  return { highlights, privately };
}

/** Whether the routes reach the person at all. */
export const reaches = (routes: PageRoutes): boolean =>
  routes.highlights.length > 0 || routes.privately.length > 0;
