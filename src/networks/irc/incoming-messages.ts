/**
 * PRIVMSG and NOTICE from others, turned into the core's inbound messages: classified (our own echoes,
 * the server's and services' notices never reach the core; CTCP VERSION gets a polite answer), placed in
 * their conversation (a channel by its configured spelling, or a private one), stamped with the server's
 * time and message id, and given a sender that only a services account verifies. Messages are delivered
 * in the order they arrived per conversation, even when one waits for an account lookup.
 */
import type { Clock } from '../../core/clock.js';
import { parseIrc } from '../../core/format/irc-format.js';
import type { Logger } from '../../core/logger.js';
import type { ConversationRef, InboundMessage } from '../../core/messages.js';
import type { IrcMessage } from 'irc-framework';
import type { ChannelKeeper } from './channel-keeper.js';
import { classifyIncoming } from './inbound-classifier.js';
import type { FrameworkConnection } from './irc-framework-adapter.js';
import type { IrcSession } from './irc-session.js';
import type { HandlerTable, LineContext } from './line-dispatcher.js';
import type { ServicesLogin } from './services-login.js';
import { OrderedDelivery, senderFor, type AccountCache, type AccountState } from './sender-identity.js';

const VERSION_REPLY_GAP_MS = 10_000;
/** Capabilities that only a network with services offers. */
const ACCOUNT_CAPS = ['account-tag', 'account-notify', 'extended-join', 'sasl'];
/** IRC targets never contain spaces, commas or control characters, nor start with ':'. */
export const VALID_TARGET = /^[^\s,:\x00-\x1f\x7f][^\s,\x00-\x1f\x7f]*$/;

export interface IncomingHooks {
  message(message: InboundMessage): void;
  /** Whether the network was stopped (a message resolved after that is dropped). */
  stopped(): boolean;
  /** Sends a CTCP reply (a protocol line of this connection). */
  reply(line: string): void;
}

export interface IncomingOptions {
  readonly networkId: string;
  /** The configured nick and its fixed fallbacks, which we may not hold (nick-keeper.ts). */
  readonly configuredNicks: readonly string[];
  readonly trustNicksWithoutServices: boolean;
  readonly adminContact: string;
}

export class IncomingMessages {
  private lastVersionReply = -Infinity;
  private readonly ordered: OrderedDelivery;

  constructor(
    private readonly options: IncomingOptions,
    private readonly session: IrcSession,
    private readonly parts: {
      readonly channels: ChannelKeeper;
      readonly accounts: AccountCache;
      readonly login: ServicesLogin;
    },
    private readonly clock: Clock,
    log: Logger,
    private readonly hooks: IncomingHooks,
  ) {
    this.ordered = new OrderedDelivery((error) =>
      log.error({ err: error }, 'the message handler threw; the message is dropped'),
    );
  }

  handlers(): HandlerTable {
    return {
      PRIVMSG: (message, line) => this.incoming(message, line),
      NOTICE: (message, line) => this.incoming(message, line),
    };
  }

  /** Whether the network has services: account caps offered, or NickServ online; undefined until known. */
  servicesPresent(connection: FrameworkConnection): boolean | undefined {
    if (ACCOUNT_CAPS.some((cap) => connection.capOffered(cap))) return true;
    return this.parts.login.nickServOnline;
  }

  private incoming(message: IrcMessage, { connection, fromSelf }: LineContext): void {
    const { session } = this;
    const command = message.command as 'PRIVMSG' | 'NOTICE';
    const target = message.params[0] ?? '';
    const kind = classifyIncoming({
      command,
      text: message.params[message.params.length - 1] ?? '',
      fromServer: message.nick === '',
      fromSelf,
      fromTwin: this.options.configuredNicks.some(
        (nick) => session.caseFold(nick) === session.caseFold(message.nick),
      ),
      senderFolded: session.caseFold(message.nick),
    });
    if (kind.kind === 'ignore') return;
    if (kind.kind === 'ctcp') {
      if (kind.type === 'VERSION') this.replyToVersion(message.nick);
      return;
    }
    const { channel, restricted } = this.channelOf(connection, target);
    const conversation: ConversationRef = channel
      ? {
          network: this.options.networkId,
          id: this.parts.channels.configuredName(channel) ?? channel,
          direct: false,
        }
      : { network: this.options.networkId, id: message.nick, direct: true };
    const parsed = parseIrc(kind.text);
    const serverTime = message.tags.time === undefined ? NaN : Date.parse(message.tags.time);
    const at = Number.isFinite(serverTime) ? serverTime : this.clock.now();
    const messageId = message.tags.msgid;
    const nick = message.nick;
    const key = `${conversation.direct ? 'pm' : 'ch'}:${session.caseFold(conversation.id)}`;
    this.ordered.run(key, this.accountOf(connection, message), (account) => {
      if (this.hooks.stopped()) return;
      const inbound: InboundMessage = {
        conversation,
        sender: senderFor({
          nick,
          account,
          servicesPresent: this.servicesPresent(connection) !== false,
          trustNicksWithoutServices: this.options.trustNicksWithoutServices,
        }),
        text: parsed.text,
        rich: parsed.rich,
        style: kind.style,
        at,
        ...(messageId === undefined ? {} : { messageId }),
        ...(restricted ? { restricted } : {}),
      };
      this.hooks.message(inbound);
    });
  }

  /** The sender's account: from the tag when account-tag is on (authoritative), else cached or looked up. */
  private accountOf(
    connection: FrameworkConnection,
    message: IrcMessage,
  ): AccountState | undefined | Promise<AccountState | undefined> {
    if (connection.capEnabled('account-tag')) return message.tags.account ?? null;
    if (this.servicesPresent(connection) === false) return undefined;
    return this.parts.accounts.resolve(message.nick);
  }

  private replyToVersion(nick: string): void {
    const now = this.clock.now();
    if (now - this.lastVersionReply < VERSION_REPLY_GAP_MS || !VALID_TARGET.test(nick)) return;
    this.lastVersionReply = now;
    const version = `firebell incident bot (admin: ${this.options.adminContact})`.replace(/[\x00-\x1f]/g, '');
    this.hooks.reply(`NOTICE ${nick} :\x01VERSION ${version}\x01`);
  }

  /** The channel a target names; `restricted` when a STATUSMSG prefix (`@#chan`) sent it to part of it. */
  private channelOf(
    connection: FrameworkConnection,
    target: string,
  ): { channel: string | undefined; restricted: boolean } {
    const statusPrefixes = String(connection.supports('STATUSMSG') ?? '');
    let start = 0;
    while (start < target.length && statusPrefixes.includes(target[start] as string)) start += 1;
    const name = target.slice(start);
    return this.session.isChannel(name)
      ? { channel: name, restricted: start > 0 }
      : { channel: undefined, restricted: false };
  }
}
