/**
 * Where things happen and who may do them, in words: the incident channels and rooms, firebell's own
 * handles, and the permission levels of the config.
 */
import type { Config } from '../config/config.js';
import type { GroupConfig, GroupMemberConfig, Permission } from '../config/schema.js';
import type { EscalationPolicy } from '../../machines/incident-types.js';
import { code, rich, type RichText } from '../core/rich-text.js';

/**
 * "`#opendev` on IRC (irc.oftc.net)", "`#opendev:opendev.org` on Matrix", "`#opendev` in firebell's shell";
 * undefined for a member of a network that is not configured.
 */
export function conversationLabel(config: Config, member: GroupMemberConfig): RichText | undefined {
  const irc = config.networks.irc.find((network) => network.id === member.network);
  if (irc) return rich(code(member.conversation), ` on IRC (${irc.host})`);
  const matrix = config.networks.matrix.find((network) => network.id === member.network);
  if (matrix) return rich(code(member.conversation), ' on Matrix');
  if (member.network === 'shell' && config.networks.shell?.enabled)
    return rich(code(member.conversation), " in firebell's shell (the terminal it runs in)");
  return undefined;
}

export interface JoinLink {
  readonly label: string;
  readonly url: string;
}

/** `#opendev` → "opendev" (clients add the `#`); any other channel name is percent-encoded whole. */
const channelPath = (channel: string): string =>
  /^#[^#]/.test(channel) ? encodeURIComponent(channel.slice(1)) : encodeURIComponent(channel);

/**
 * How to get into a channel or room with one tap: `ircs://host:port/channel` (or `irc://` without TLS)
 * and the network's web chat where configured, `https://matrix.to/#/…` for a room.
 */
export function joinLinks(config: Config, member: GroupMemberConfig): JoinLink[] {
  const irc = config.networks.irc.find((network) => network.id === member.network);
  if (irc) {
    const scheme = irc.tls ? 'ircs' : 'irc';
    const links = [
      { label: 'IRC client', url: `${scheme}://${irc.host}:${irc.port}/${channelPath(member.conversation)}` },
    ];
    if (irc.webchatUrl)
      links.push({
        label: 'web chat',
        url: irc.webchatUrl.replace('{channel}', channelPath(member.conversation)),
      });
    return links;
  }
  if (config.networks.matrix.some((network) => network.id === member.network))
    return [
      // matrix.to's own form: the sigil percent-encoded, the server name as written.
      {
        label: 'Matrix',
        url: `https://matrix.to/#/${encodeURIComponent(member.conversation).replace(/%3A/gi, ':')}`,
      },
    ];
  return [];
}

/** Joins rich fragments: "a, b and c". */
export function joinRich(parts: readonly RichText[], last = ' and '): RichText {
  return parts.flatMap((part, index) => {
    if (index === 0) return [...part];
    return [...rich(index === parts.length - 1 ? last : ', '), ...part];
  });
}

/** "Ana", "Ana and Dev", "Ana, Dev and Kiri". */
export function nameList(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1] ?? ''}`;
}

export const groupName = (group: GroupConfig): string => group.name ?? group.id;

export function groupPlaces(config: Config, group: GroupConfig): RichText[] {
  return group.members.flatMap((member) => {
    const label = conversationLabel(config, member);
    return label ? [label] : [];
  });
}

/** How to reach firebell itself: its nick on each IRC network, its Matrix user id. */
export function botHandles(config: Config): RichText[] {
  return [
    ...config.networks.irc.map((network) => rich(code(network.nick), ` on ${network.host}`)),
    ...config.networks.matrix.map((network) => rich(code(network.userId), ' on Matrix')),
  ];
}

export function permissionWords(permission: Permission): string {
  switch (permission) {
    case 'anyone':
      return 'anyone';
    case 'verified':
      return 'anyone identified: logged in to services on IRC, or any Matrix user';
    case 'contacts':
      return 'the people listed under Contacts';
    case 'whitelist':
      return 'the people on the whitelist';
  }
}

/** The groups whose incidents follow a policy. */
export function groupsUsingPolicy(config: Config, policyName: string): GroupConfig[] {
  return config.groups.filter((group) => (group.policy ?? config.defaultPolicy) === policyName);
}

/** The default policy first, then the others by name. */
export function policiesInOrder(config: Config): EscalationPolicy[] {
  const names = Object.keys(config.policies).sort((a, b) =>
    a === config.defaultPolicy ? -1 : b === config.defaultPolicy ? 1 : a.localeCompare(b),
  );
  return names.flatMap((name) => {
    const policy = config.policies[name];
    return policy ? [policy] : [];
  });
}

export const defaultPolicy = (config: Config): EscalationPolicy | undefined =>
  config.policies[config.defaultPolicy];
