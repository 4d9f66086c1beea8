/**
 * Who is in the channels the bot is in, from NAMES, JOIN, PART, KICK, QUIT and NICK. The identity cache
 * depends on it: account-notify only reports users we share a channel with, so a cached account stays
 * trustworthy only while that holds. Whenever someone leaves our sight (last shared channel left, QUIT) or
 * changes nick, `forget` is called for them.
 */
import type { CaseFold } from '../../core/casemapping.js';

export class ChannelRoster {
  private readonly channels = new Map<string, Set<string>>();

  constructor(
    private readonly fold: () => CaseFold,
    private readonly forget: (nick: string) => void,
  ) {}

  /** We joined (or re-joined) a channel: its member list starts over and NAMES fills it. */
  selfJoined(channel: string): void {
    this.channels.set(this.fold()(channel), new Set());
  }

  /** We left a channel: people we no longer share a channel with are forgotten. */
  selfLeft(channel: string): void {
    const key = this.fold()(channel);
    const members = this.channels.get(key);
    this.channels.delete(key);
    for (const nick of members ?? []) if (!this.isShared(nick)) this.forget(nick);
  }

  add(channel: string, nick: string): void {
    this.channels.get(this.fold()(channel))?.add(this.fold()(nick));
  }

  /** RPL_NAMREPLY entries: `@+nick` (multi-prefix) or `nick!user@host` (userhost-in-names). */
  addNames(channel: string, names: string, prefixSymbols: ReadonlySet<string>): void {
    for (const entry of names.split(' ')) {
      let start = 0;
      while (start < entry.length && prefixSymbols.has(entry[start] as string)) start += 1;
      const nick = entry.slice(start).split('!')[0] ?? '';
      if (nick !== '') this.add(channel, nick);
    }
  }

  /** Someone left a channel (PART, KICK). */
  remove(channel: string, nick: string): void {
    this.channels.get(this.fold()(channel))?.delete(this.fold()(nick));
    if (!this.isShared(nick)) this.forget(nick);
  }

  /** The channels (folded names) we share with a nick. */
  channelsOf(nick: string): string[] {
    const key = this.fold()(nick);
    return [...this.channels.entries()].filter(([, members]) => members.has(key)).map(([channel]) => channel);
  }

  /** Someone quit the network. */
  quit(nick: string): void {
    const key = this.fold()(nick);
    for (const members of this.channels.values()) members.delete(key);
    this.forget(nick);
  }

  /** Someone changed nick: both nicks are forgotten, what we knew may describe someone else now. */
  rename(from: string, to: string): void {
    const fold = this.fold();
    for (const members of this.channels.values()) {
      if (members.delete(fold(from))) members.add(fold(to));
    }
    this.forget(from);
    this.forget(to);
  }

  isShared(nick: string): boolean {
    const key = this.fold()(nick);
    for (const members of this.channels.values()) if (members.has(key)) return true;
    return false;
  }

  clear(): void {
    this.channels.clear();
  }
}
