/**
 * From the Matrix tap's events to what the checker judges. Pure: no clock, no I/O.
 *
 * Each event firebell's user put in a room is one line on the wire: its plain body (a topic's text, or the
 * content as JSON for anything else), with the demand it fulfils when it is one of firebell's words about
 * an incident (demands.ts), else a reply (command answers, relayed chat, downtime notices). A body may hold
 * several lines (merged relayed chat, a long message); CR and NUL never.
 *
 * A send repeated with the same transaction id adds no event, so two events for one demand are two
 * messages in the room: the Matrix rule is exactly once, and the checker allows no repeat.
 */
import type { WireLine } from './checker.js';
import { MATRIX, recognise } from './demands.js';
import type { TappedEvent } from './matrix-tap.js';

function textOf(event: TappedEvent): string {
  const { body, topic } = event.content;
  if (event.eventType === 'm.room.message' && typeof body === 'string') return body;
  if (event.eventType === 'm.room.topic' && typeof topic === 'string') return topic;
  return JSON.stringify(event.content);
}

/**
 * The events as wire lines; `placeOf` names a room as the config does (its alias). An event whose demand
 * is in `notJudged` (due after the run ended) is left out.
 */
export function matrixWireOf(
  events: readonly TappedEvent[],
  placeOf: (roomId: string) => string | undefined,
  notJudged: ReadonlySet<string> = new Set(),
): WireLine[] {
  const wire: WireLine[] = [];
  for (const event of events) {
    const text = textOf(event);
    const place = placeOf(event.roomId) ?? event.roomId;
    const id = event.eventType === 'm.room.message' ? recognise(place, text) : undefined;
    if (id !== undefined && notJudged.has(id)) continue;
    wire.push(
      id === undefined
        ? { network: MATRIX, at: event.at, text, reply: true, multiLine: true }
        : { network: MATRIX, at: event.at, text, demandId: id, multiLine: true },
    );
  }
  return wire;
}
