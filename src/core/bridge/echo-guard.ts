/**
 * Keeps relayed lines from coming back as new ones, by what the networks say about them, never by their
 * words alone: a person who repeats a relayed "ok" or "+1" is relayed like anyone else.
 *
 * firebell's own echoes are known by the network's facts. The adapters drop what the bot itself sent (its
 * Matrix user id; its IRC nick, which is also how echo-message copies arrive), and what reaches the bridge
 * may still be recognised by:
 *   - the relay marker (a Matrix content field that any firebell sets; `relayedByBot`);
 *   - the network's own id for it: the event id (or IRC msgid) that delivering a relayed line returned.
 *
 * Other relays that copy firebell's lines without the marker (a puppeting bridge, matterbridge, a second
 * firebell on IRC, which has no marker) are caught by the attribution firebell itself wrote: an inbound line
 * is a copy when, with up to two relay prefixes of the copier (`<name> `, `[label] `, `* name `) taken off,
 * it is exactly a line firebell relayed in the copy window, *its* attribution included (`<alice> ok`). Only
 * attributed lines are remembered, so a bare "ok" never matches anything.
 *
 * The window counts from when the network took the line (the delivery), not from when the bridge queued it:
 * a line kept in a send queue (IRC pacing behind a backlog, a homeserver that is slow to answer) is copied
 * back only once it went out. Ten minutes outlast a lagging server (an IRC connection silent for the ping
 * timeout, two minutes by default, is dropped) and another relay's own catch-up; memory is bounded by the
 * count of lines remembered, never by the time alone.
 */
import type { InboundMessage, OutboundMessage } from '../messages.js';
import { toPlainText } from '../rich-text.js';
import { BoundedMap } from '../bounded-map.js';

export const COPY_WINDOW_MS = 10 * 60_000;
const REMEMBERED = 4096;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;
const PREFIX = /^(?:\[[^\]\n]{1,40}\] ?)?(?:<[^>\n]{1,100}> ?|\* [^ \n]{1,100} )/;

const normal = (value: string): string => value.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();

export type Echo = 'marked' | 'own-id' | 'copy';

export class EchoGuard {
  private readonly lines = new BoundedMap<string, number>(REMEMBERED);
  private readonly ownIds = new BoundedMap<string, true>(REMEMBERED);

  /**
   * firebell relayed `message` (attribution included) at `at`: its attributed lines are remembered, from
   * when it was queued and again from when its network took it. An emote is remembered and compared as
   * `* text`, so it is never mistaken for ordinary words.
   */
  recordMessage(message: OutboundMessage, at: number): void {
    const plain = toPlainText(message.body);
    const text = message.style === 'emote' ? `* ${plain}` : plain;
    const lines = text.split('\n');
    for (const line of lines.length > 1 ? [text, ...lines] : lines) {
      const key = normal(line);
      if (PREFIX.test(key)) this.lines.set(key, at);
    }
  }

  /** The network's ids for a relayed line firebell delivered there. */
  recordIds(network: string, ids: readonly string[]): void {
    for (const id of ids) this.ownIds.set(`${network}\n${id}`, true);
  }

  /** Why `message` is one of firebell's relayed lines come back, or undefined when it is someone's own. */
  echoOf(message: InboundMessage, at: number): Echo | undefined {
    if (message.relayedByBot) return 'marked';
    const id = message.messageId;
    if (id !== undefined && this.ownIds.has(`${message.conversation.network}\n${id}`)) return 'own-id';
    const text = message.style === 'emote' ? `* ${message.text}` : message.text;
    return this.isCopy(text, at) ? 'copy' : undefined;
  }

  private isCopy(text: string, at: number): boolean {
    let candidate = normal(text);
    for (let strip = 0; strip <= 2 && PREFIX.test(candidate); strip += 1) {
      const seen = this.lines.get(candidate);
      if (seen !== undefined && at - seen <= COPY_WINDOW_MS) return true;
      candidate = candidate.replace(PREFIX, '');
    }
    return false;
  }
}
