/**
 * Filling the gap of a limited timeline (CS API "Syncing"). An incremental /sync brings at most the
 * filter's `timeline.limit` events per room; after an outage of /sync (or a crash) a busy room has more,
 * and the response marks its timeline `limited`: what came between the previous sync token and the
 * timeline's `prev_batch` is left out. A command said there would be lost, so the gap is read with
 * /messages (newest first, page after page, back to the previous token) and put in front of the timeline
 * before anything of the batch is handled, however many events it holds: a busy room's gap is long. It is
 * bounded by time only (`GapBound`), and a gap cut short by it says so in the log. A newly joined room's
 * history is filled too, and is history to the event guard; so is a left room's, up to the bot's leave.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';
import { classify } from './failures.js';
import type { Lookup } from './retry.js';
import type { RawEvent, SyncResponse, SyncRoom } from './sync-client.js';

const PAGE = 100;

/** What was sent before `notBefore` (by `sentAt`, in the bot's clock) is not read. */
export interface GapBound {
  readonly notBefore: number;
  /** When the event was sent, given its age as of `receivedAt` (event-guard.ts). */
  sentAt(event: RawEvent): number;
  /** When the sync response arrived, and the clock: a page's ages count to when the page came. */
  readonly receivedAt: number;
  now(): number;
}

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
  bound: GapBound,
): Promise<SyncResponse> {
  if (since === null || !batch.rooms) return batch;
  const rooms = { ...batch.rooms };
  for (const section of ['join', 'leave'] as const) {
    const entries = batch.rooms[section];
    if (!entries) continue;
    const filled: Record<string, SyncRoom> = {};
    for (const [roomId, room] of Object.entries(entries))
      filled[roomId] = await fillGap(roomId, room, since, read, logger, bound);
    rooms[section] = filled;
  }
  return { ...batch, rooms };
}

async function fillGap(
  roomId: string,
  room: SyncRoom,
  since: string,
  read: ReadMessages,
  logger: Logger,
  bound: GapBound,
): Promise<SyncRoom> {
  const timeline = room.timeline;
  if (timeline?.limited !== true || typeof timeline.prev_batch !== 'string') return room;
  const gap: RawEvent[] = [];
  let from: string | undefined = timeline.prev_batch;
  let truncated = false;
  try {
    while (from !== undefined && !truncated) {
      const page: MessagesPage = await read(roomId, from, since, PAGE);
      const chunk = (page.chunk ?? []).map(asOf(bound.now() - bound.receivedAt));
      const recent = chunk.filter((event) => bound.sentAt(event) >= bound.notBefore);
      truncated = recent.length < chunk.length;
      gap.push(...recent);
      from = chunk.length === 0 ? undefined : page.end;
    }
  } catch (error) {
    const failure = classify(error);
    if (failure.kind !== 'forbidden' && failure.kind !== 'not-found') throw error;
    logger.warn({ roomId, detail: failure.detail }, 'could not read what a limited sync left out');
  }
  if (truncated)
    logger.warn(
      { roomId, events: gap.length, since: new Date(bound.notBefore).toISOString() },
      'a sync gap reaches back further than firebell reads; what was said before "since" is skipped',
    );
  if (gap.length === 0) return room;
  const known = new Set((timeline.events ?? []).map((event) => event.event_id));
  const earlier = gap.reverse().filter((event) => !known.has(event.event_id));
  return { ...room, timeline: { ...timeline, events: [...earlier, ...(timeline.events ?? [])] } };
}

/**
 * The event with its `unsigned.age` as of the sync response's arrival, `lateMs` before its page came:
 * ages in a /messages page count to when the homeserver answered it, and the event guard dates every
 * event of the batch from the sync's arrival.
 */
function asOf(lateMs: number): (event: RawEvent) => RawEvent {
  return (event) => {
    const age = event.unsigned?.age;
    if (typeof age !== 'number' || lateMs <= 0) return event;
    return { ...event, unsigned: { ...event.unsigned, age: Math.max(0, age - lateMs) } };
  };
}
