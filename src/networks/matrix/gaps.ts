/**
 * Filling the gap of a limited timeline (CS API "Syncing"). An incremental /sync brings at most the
 * filter's `timeline.limit` events per room; after an outage of /sync (or a crash) a busy room has more,
 * and the response marks its timeline `limited`: what came between the previous sync token and the
 * timeline's `prev_batch` is left out. A command said there would be lost, so the gap is read with
 * /messages (newest first, back to the previous token) and put in front of the timeline before anything
 * of the batch is handled. A newly joined room's history is filled too, and is history to the event guard.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';
import { classify } from './failures.js';
import type { Lookup } from './retry.js';
import type { RawEvent, SyncResponse } from './sync-client.js';

/** Beyond this many events in one room's gap the rest is left out (and logged): days of chat, not an outage. */
const MAX_GAP_EVENTS = 1_000;
const PAGE = 100;

export interface MessagesPage {
  readonly chunk?: readonly RawEvent[];
  readonly end?: string;
}

/** One page of `GET /rooms/{roomId}/messages?dir=b&from&to&limit`, retried as a lookup. */
export type ReadMessages = (roomId: string, from: string, to: string, limit: number) => Promise<MessagesPage>;

/** Reads pages through the client, each retried as a lookup. */
export function messagesReader(client: MatrixClient, lookup: Lookup): ReadMessages {
  return (roomId, from, to, limit) =>
    lookup(`read the messages of ${roomId}`, () =>
      client.doRequest('GET', `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/messages`, {
        dir: 'b',
        from,
        to,
        limit,
      }),
    ) as Promise<MessagesPage>;
}

/**
 * The batch with each limited timeline completed back to `since`. A room the homeserver will not page
 * (403/404) keeps its timeline; any other failure rejects, so the sync loop retries the batch rather
 * than move its token past the gap.
 */
export async function fillGaps(
  batch: SyncResponse,
  since: string | null,
  read: ReadMessages,
  logger: Logger,
): Promise<SyncResponse> {
  const joined = batch.rooms?.join;
  if (since === null || !joined) return batch;
  let filled: typeof joined | undefined;
  for (const [roomId, room] of Object.entries(joined)) {
    const timeline = room.timeline;
    if (timeline?.limited !== true || typeof timeline.prev_batch !== 'string') continue;
    const gap: RawEvent[] = [];
    let from: string | undefined = timeline.prev_batch;
    try {
      while (from !== undefined && gap.length < MAX_GAP_EVENTS) {
        const page: MessagesPage = await read(roomId, from, since, PAGE);
        const chunk = page.chunk ?? [];
        gap.push(...chunk);
        from = chunk.length === 0 ? undefined : page.end;
      }
    } catch (error) {
      const failure = classify(error);
      if (failure.kind !== 'forbidden' && failure.kind !== 'not-found') throw error;
      logger.warn({ roomId, detail: failure.detail }, 'could not read what a limited sync left out');
    }
    if (from !== undefined && gap.length >= MAX_GAP_EVENTS)
      logger.warn({ roomId, events: gap.length }, 'a sync gap too long to read whole; older events skipped');
    if (gap.length === 0) continue;
    const known = new Set((timeline.events ?? []).map((event) => event.event_id));
    const earlier = gap.reverse().filter((event) => !known.has(event.event_id));
    filled ??= { ...joined };
    filled[roomId] = { ...room, timeline: { ...timeline, events: [...earlier, ...(timeline.events ?? [])] } };
  }
  return filled ? { ...batch, rooms: { ...batch.rooms, join: filled } } : batch;
}
