/**
 * What a command handler receives and how handlers are registered. Each area of firebell (incidents,
 * help, the statusbot, on-call) contributes handlers for the commands it owns; the router dispatches.
 */
import type { Actor } from '../../../machines/incident-types.js';
import type { InboundMessage, Priority } from '../messages.js';
import type { RichText } from '../rich-text.js';
import type { Command } from './parse.js';
import type { Group } from '../settings.js';

export interface CommandContext {
  readonly message: InboundMessage;
  /** The network instance the command came from. */
  readonly network: string;
  /** Who typed it, as recorded in timelines. */
  readonly actor: Actor;
  /** The channel group it was typed in; undefined in a private message. */
  readonly group: Group | undefined;
  readonly at: number;
  /** The incident whose thread the command was typed in (Matrix): the one it means when it names none. */
  readonly threadIncident?: number;
  /** Answers the person (on every side of the group, addressed to them). */
  reply(body: RichText | string): void;
  /**
   * Answers the person alone, in a private message on the network they wrote from (a long list that would
   * flood a channel). Not urgent by default: it must not hold back pages and replies.
   */
  replyPrivately(body: RichText | string, priority?: Priority): void;
}

export type CommandHandler<C extends Command = Command> = (
  command: C,
  context: CommandContext,
) => void | Promise<void>;

export type CommandHandlers = {
  readonly [N in Command['name']]?: CommandHandler<Extract<Command, { name: N }>>;
};
