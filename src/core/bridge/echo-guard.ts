/**
 * Defence in depth against relay loops. The adapters mark relayed messages on the wire and drop
 * firebell's own echoes, and `bridge.ignore*` patterns name other relay bots; but a second firebell with
 * an older adapter, or a bridge that copies text without markers (a puppeting bridge relays `<alice> hi`
 * as is; matterbridge as `[irc] <firebell> <alice> hi`), would still bounce relayed lines back and forth.
 * So what the bridge relayed in the last minute is remembered, and an inbound message that is one of those
 * lines, with up to two relay prefixes (`<name> `, `[label] `, `* name `) in front, is not relayed again.
 */
import { BoundedMap } from './bounded-map.js';

const TTL_MS = 60_000;
const REMEMBERED = 4096;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;
const PREFIX = /^(?:\[[^\]\n]{1,40}\] ?)?(?:<[^>\n]{1,100}> ?|\* [^ \n]{1,100} )/;

const normal = (value: string): string => value.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();

export class EchoGuard {
  private readonly recent = new BoundedMap<string, number>(REMEMBERED);

  /** Remembers a relayed text, whole and line by line (IRC and some bridges split lines). */
  record(text: string, at: number): void {
    const lines = text.split('\n');
    for (const line of lines.length > 1 ? [text, ...lines] : lines) {
      const key = normal(line);
      if (key.length > 0) this.recent.set(key, at);
    }
  }

  isEcho(text: string, at: number): boolean {
    let candidate = normal(text);
    for (let strip = 0; strip <= 2 && candidate.length > 0; strip += 1) {
      const seen = this.recent.get(candidate);
      if (seen !== undefined && at - seen <= TTL_MS) return true;
      const shorter = candidate.replace(PREFIX, '');
      if (shorter === candidate) return false;
      candidate = shorter;
    }
    return false;
  }
}
