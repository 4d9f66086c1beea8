/**
 * What an incoming PRIVMSG or NOTICE is, before anyone acts on it. Pure. Our own echoes (echo-message), the
 * server's and services' notices never reach the core; CTCP ACTION is an emote; other CTCP is not a message
 * (VERSION gets a polite answer from the adapter); other notices are delivered with style 'notice', which
 * the core ignores for commands, as bots must never answer notices.
 */
import type { MessageStyle } from '../../core/messages.js';

/** Nicks of network services, whose notices are protocol chatter rather than conversation. */
export const SERVICE_NICKS: ReadonlySet<string> = new Set([
  'nickserv',
  'chanserv',
  'memoserv',
  'operserv',
  'botserv',
  'hostserv',
  'saslserv',
  'global',
  'infoserv',
  'alis',
  'statserv',
]);

export interface IncomingText {
  readonly command: 'PRIVMSG' | 'NOTICE';
  readonly text: string;
  /** The prefix is a server, or there is none. */
  readonly fromServer: boolean;
  /** The sender is us: an echo-message copy of what we sent. */
  readonly fromSelf: boolean;
  /**
   * The sender holds one of our configured nicks while we are on another: a firebell too (the other
   * instance of a pair, or our own ghost from before a reconnect), whose words are never a person's. A
   * person who takes one of those nicks is not heard either: they are the bot's (services should hold them).
   */
  readonly fromTwin?: boolean;
  /** The sender's nick, folded to lower case. */
  readonly senderFolded: string;
}

export type IncomingKind =
  | { readonly kind: 'message'; readonly style: MessageStyle; readonly text: string }
  | { readonly kind: 'ctcp'; readonly type: string }
  | { readonly kind: 'ignore'; readonly why: string };

const CTCP = '\x01';

export function classifyIncoming(incoming: IncomingText): IncomingKind {
  if (incoming.fromSelf) return { kind: 'ignore', why: 'our own echo' };
  if (incoming.fromTwin) return { kind: 'ignore', why: 'a firebell on one of our configured nicks' };
  if (incoming.fromServer) return { kind: 'ignore', why: 'from the server' };
  const { text } = incoming;
  const isCtcp = text.startsWith(CTCP);
  if (incoming.command === 'NOTICE') {
    if (SERVICE_NICKS.has(incoming.senderFolded)) return { kind: 'ignore', why: 'notice from services' };
    if (isCtcp) return { kind: 'ignore', why: 'CTCP reply' };
    return { kind: 'message', style: 'notice', text };
  }
  if (!isCtcp) return { kind: 'message', style: 'message', text };
  // Clients omit the closing \x01 now and then; accept both.
  const body = text.slice(1, text.endsWith(CTCP) && text.length > 1 ? -1 : undefined);
  const space = body.indexOf(' ');
  const type = (space === -1 ? body : body.slice(0, space)).toUpperCase();
  if (type === 'ACTION')
    return { kind: 'message', style: 'emote', text: space === -1 ? '' : body.slice(space + 1) };
  return { kind: 'ctcp', type };
}

/**
 * A QUIT whose reason is two server names ("hub.example.net leaf.example.net", or "*.net *.split" where
 * servers hide their names) is a netsplit: people did not leave, a link broke.
 */
export function isNetsplitQuit(reason: string | undefined): boolean {
  return reason !== undefined && /^[\w*-]+(\.[\w*-]+)+ [\w*-]+(\.[\w*-]+)+$/.test(reason);
}
