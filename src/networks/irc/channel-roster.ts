/**
 * Who is in the channels the bot is in, from NAMES, JOIN, PART, KICK, QUIT and NICK. The identity cache needs
 * it: account-notify only reports users we share a channel with, so a cached account stays trustworthy only
 * while that holds.
 */
import type { CaseFold } from './case-fold.js';

export class ChannelRoster {
  private readonly channels = new Map<string, Set<string>>();

  constructor(private readonly fold: () => CaseFold) {}

  /** We joined (or re-joined) a channel: its member list starts over and NAMES fills it. */
  selfJoined(channel: string): void {
    this.channels.set(this.fold()(channel), new Set());
  }

  /** We left a channel; returns the nicks we no longer share any channel with. */
  selfLeft(channel: string): string[] {
    const key = this.fold()(channel);
    const members = this.channels.get(key);
    this.channels.delete(key);
    return members ? [...members].filter((nick) => !this.isShared(nick)) : [];
  }

  add(channel: string, nick: string): void {
    this.channels.get(this.fold()(channel))?.add(this.fold()(nick));
  }

  /** Someone left a channel; true when we no longer share any channel with them. */
  remove(channel: string, nick: string): boolean {
    this.channels.get(this.fold()(channel))?.delete(this.fold()(nick));
    return !this.isShared(nick);
  }

  /** Someone quit the network. */
  removeEverywhere(nick: string): void {
    const key = this.fold()(nick);
    for (const members of this.channels.values()) members.delete(key);
  }

  rename(from: string, to: string): void {
    const fold = this.fold();
    for (const members of this.channels.values()) {
      if (members.delete(fold(from))) members.add(fold(to));
    }
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
