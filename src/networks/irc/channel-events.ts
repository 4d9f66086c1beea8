/**
 * Who comes and goes in our channels, and us among them: JOIN (ours: the channel is joined; others': the
 * roster, the account extended-join carries), PART, KICK (ours: the keeper rejoins with its backoff),
 * QUIT, NICK, NAMES, account-notify, and the server's refusals of a JOIN. Others' joins, parts, kicks and
 * quits are reported to the core, for the bridge to relay where a group asks for it.
 */
import type { Clock } from '../../core/clock.js';
import type { MembershipChange } from '../../core/messages.js';
import type { AccountCache } from './sender-identity.js';
import type { ChannelKeeper } from './channel-keeper.js';
import type { ChannelRoster } from './channel-roster.js';
import { isNetsplitQuit } from './inbound-classifier.js';
import type { IrcSession } from './irc-session.js';
import type { HandlerTable } from './line-dispatcher.js';
import type { NickKeeper } from './nick-keeper.js';
import type { TopicTracker } from './topic-tracker.js';

export interface ChannelEventHooks {
  /** We are in a channel now: lines waiting for it may go. */
  joined(channel: string): void;
  /** Someone else joined or left. */
  membership(change: MembershipChange): void;
}

export class ChannelEvents {
  constructor(
    private readonly networkId: string,
    private readonly session: IrcSession,
    private readonly parts: {
      readonly channels: ChannelKeeper;
      readonly roster: ChannelRoster;
      readonly topics: TopicTracker;
      readonly accounts: AccountCache;
      readonly nicks: NickKeeper;
    },
    private readonly clock: Clock,
    private readonly hooks: ChannelEventHooks,
  ) {}

  handlers(): HandlerTable {
    const { session } = this;
    const { channels, roster, accounts, nicks } = this.parts;
    const refused = (params: readonly string[], command: string): void =>
      channels.joinRefused(params[1] ?? '', `${params[params.length - 1] ?? ''} (${command})`);
    return {
      JOIN: (message, { connection, fromSelf }) => {
        const channel = message.params[0] ?? '';
        if (fromSelf) return this.selfJoined(channel);
        roster.add(channel, message.nick);
        this.membership(channel, message.nick, 'join');
        if (connection.capEnabled('extended-join')) {
          const account = message.params[1];
          accounts.remember(
            message.nick,
            account === undefined || account === '*' ? null : account,
            connection.capEnabled('account-notify'),
          );
        }
      },
      PART: (message, { fromSelf }) => {
        const [channel = '', reason] = message.params;
        if (!fromSelf) this.membership(channel, message.nick, 'part', reason);
        this.left(channel, message.nick, fromSelf, () => channels.parted(channel));
      },
      KICK: (message) => {
        const [channel = '', nick = '', reason] = message.params;
        const self = session.isSelf(nick);
        if (!self) this.membership(channel, nick, 'kick', reason);
        this.left(channel, nick, self, () => channels.kicked(channel, message.nick, reason ?? ''));
      },
      QUIT: (message) => {
        for (const channel of roster.channelsOf(message.nick))
          this.membership(channel, message.nick, 'quit', message.params[0]);
        roster.quit(message.nick);
        nicks.freed(message.nick);
      },
      NICK: (message, { fromSelf }) => {
        if (fromSelf) return;
        roster.rename(message.nick, message.params[0] ?? '');
        nicks.freed(message.nick);
      },
      // account-notify
      ACCOUNT: (message) =>
        accounts.remember(message.nick, message.params[0] === '*' ? null : (message.params[0] ?? null), true),
      '353': (message, { connection }) =>
        roster.addNames(message.params[2] ?? '', message.params[3] ?? '', connection.prefixSymbols()),
      '405': (message) => refused(message.params, message.command),
      '471': (message) => refused(message.params, message.command),
      '473': (message) => refused(message.params, message.command),
      '474': (message) => refused(message.params, message.command),
      '475': (message) => refused(message.params, message.command),
      '477': (message) => refused(message.params, message.command),
    };
  }

  private selfJoined(channel: string): void {
    this.parts.roster.selfJoined(channel);
    this.parts.channels.selfJoined(channel);
    this.parts.topics.joined(channel);
    this.hooks.joined(channel);
  }

  private left(channel: string, nick: string, self: boolean, selfLeft: () => void): void {
    if (self) {
      this.parts.roster.selfLeft(channel);
      this.parts.topics.forget(channel);
      selfLeft();
      return;
    }
    this.parts.roster.remove(channel, nick);
  }

  /**
   * Someone else joined or left: the bridge relays it where a group asks for it. A QUIT whose reason is two
   * server names ("*.net *.split") is a netsplit, never relayed.
   */
  private membership(
    channel: string,
    nick: string,
    change: MembershipChange['change'],
    reason?: string,
  ): void {
    const netsplit = change === 'quit' && isNetsplitQuit(reason);
    this.hooks.membership({
      conversation: { network: this.networkId, id: channel, direct: false },
      sender: { id: nick, name: nick, verification: 'none' },
      change,
      at: this.clock.now(),
      ...(reason ? { reason } : {}),
      ...(netsplit ? { netsplit: true } : {}),
    });
  }
}
