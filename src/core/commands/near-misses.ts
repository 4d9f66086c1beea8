/**
 * What firebell says to a line that is not a command: in a private message always something (a person
 * wrote to the bot and waits), the nearest command when it looks like a typo of one; in a channel only a
 * near miss of a `!command`, once per word and channel in a while, since other bots share the channels
 * and "!stats" may well be theirs.
 */
import { BoundedMap } from '../bounded-map.js';
import type { InboundMessage } from '../messages.js';
import { code, rich, type RichText } from '../rich-text.js';
import { suggestCommand } from './parse.js';

/** A channel hears the same suggestion at most once in this long. */
export const SUGGESTION_QUIET_MS = 6 * 60 * 60_000;

export class NearMisses {
  private readonly suggested = new BoundedMap<string, number>(1000);

  constructor(private readonly botName: string) {}

  /** The answer to a line that parsed as no command, or undefined for silence. */
  answer(message: InboundMessage, at: number): RichText | undefined {
    if (message.style === 'notice' || message.relayedByBot || message.editOf) return undefined;
    const direct = message.conversation.direct;
    const word = message.text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    const suggestion = direct || word.startsWith('!') ? suggestCommand(message.text) : undefined;
    if (suggestion !== undefined) {
      if (!direct && !this.firstTimeIn(message, word, at)) return undefined;
      return rich(
        code(word),
        ' is not a command; did you mean ',
        code(suggestion),
        '? ',
        code('!help'),
        ' lists them.',
      );
    }
    if (!direct) return undefined;
    return rich(
      `I am ${this.botName}, an incident bot, and I only understand commands: `,
      code('!incident <what is broken>'),
      ' declares an incident, ',
      code('!incidents'),
      ' lists the open ones, ',
      code('!help'),
      ' lists everything.',
    );
  }

  private firstTimeIn(message: InboundMessage, word: string, at: number): boolean {
    const key = `${message.conversation.network}\u0000${message.conversation.id.toLowerCase()}\u0000${word}`;
    const last = this.suggested.get(key);
    if (last !== undefined && at - last < SUGGESTION_QUIET_MS) return false;
    this.suggested.set(key, at);
    return true;
  }
}
