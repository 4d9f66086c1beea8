/**
 * From the IRC tap's lines to what the checker judges. Pure: no clock, no I/O.
 *
 * `wireOf`: each line firebell wrote through the tap, recognised as the demand it fulfils (demands.ts), or
 * as a reply (command answers, relayed chat, joins and pings), which no policy has to ask for. The checker
 * subtracts the outages (firebell killed and not yet back on IRC, the server down or frozen) from how late
 * a delivery was.
 */
import type { WireLine } from './checker.js';
import { IRC, isPageDemand, recognise } from './demands.js';
import type { TappedLine } from './irc-tap.js';

/** The name of a tapped connection, as WireLine's `from` and Fenced's `from` give it. */
export const ircSource = (connection: number): string => `irc#${connection}`;

/**
 * Every line firebell wrote, as the checker takes it: the whole raw line, UTF-8 decoded (so a CR, NUL or
 * control character firebell let through is there to be found), with the demand it fulfils when it is one
 * of firebell's words about an incident. A line whose demand is in `notJudged` (due after the run ended)
 * is left out.
 */
export function wireOf(lines: readonly TappedLine[], notJudged: ReadonlySet<string> = new Set()): WireLine[] {
  const wire: WireLine[] = [];
  for (const line of lines) {
    const text = Buffer.from(line.raw, 'latin1').toString('utf8');
    const said = /^(PRIVMSG|NOTICE) (\S+) :(.*)$/s.exec(text);
    const id = said ? recognise(said[2] ?? '', said[3] ?? '') : undefined;
    if (id !== undefined && notJudged.has(id)) continue;
    // firebell's own words are notices (relayed chat is a PRIVMSG): pages urgent, the rest normal.
    const lane =
      said?.[1] !== 'NOTICE' ? undefined : id !== undefined && isPageDemand(id) ? 'urgent' : 'normal';
    // Who said it, for what people read (a message or a topic), not the protocol's JOIN, PONG or QUIT.
    const from = said || text.startsWith('TOPIC ') ? { from: ircSource(line.connection) } : {};
    wire.push({
      network: IRC,
      at: line.at,
      text,
      ...(id === undefined ? { reply: true } : { demandId: id }),
      ...(lane === undefined ? {} : { lane }),
      ...from,
    });
  }
  return wire;
}
