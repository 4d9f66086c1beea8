/**
 * The send time of an event read from a gap: the homeserver's `unsigned.age` counts to when it answered
 * the /messages page, not to when the sync response arrived, and pages of a long gap are read one after
 * another. Taken as of the sync's arrival, every page read later made its events look older by the time
 * spent reading, enough to date a command said just after the start before it (history: dropped).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillGaps, type MessagesPage } from '../../../src/networks/matrix/gaps.js';
import type { RawEvent, SyncResponse } from '../../../src/networks/matrix/sync-client.js';
import { MemoryLogger } from '../../support/memory-logger.js';

test('a gap event read from a later page keeps its send time: its age is counted to when the page came', async () => {
  let now = 100_000;
  const receivedAt = now;
  const sentAt = new Map<string, number>();
  const event = (id: string, at: number): RawEvent => {
    sentAt.set(id, at);
    return { event_id: id, type: 'm.room.message', sender: '@a:x', origin_server_ts: at, content: {} };
  };
  const older = event('$older', 90_000);
  const newer = event('$newer', 95_000);
  const withAge = (raw: RawEvent): RawEvent => ({ ...raw, unsigned: { age: now - raw.origin_server_ts } });
  const pages: Record<string, MessagesPage> = {
    p1: { chunk: [newer], end: 'p2' },
    p2: { chunk: [older] },
  };
  const read = (_room: string, from: string): Promise<MessagesPage> => {
    now += 30_000; // a slow homeserver: each page comes half a minute later
    const page = pages[from] as MessagesPage;
    return Promise.resolve({ ...page, chunk: (page.chunk ?? []).map(withAge) });
  };
  const batch: SyncResponse = {
    next_batch: 's2',
    rooms: { join: { '!r': { timeline: { events: [], limited: true, prev_batch: 'p1' } } } },
  };
  const sentAtOf = (raw: RawEvent): number => receivedAt - (raw.unsigned?.age ?? 0);
  const filled = await fillGaps(batch, 's1', read, new MemoryLogger(), {
    notBefore: 0,
    sentAt: sentAtOf,
    now: () => now,
    receivedAt,
  });
  const events = filled.rooms?.join?.['!r']?.timeline?.events ?? [];
  assert.deepEqual(
    events.map((raw) => [raw.event_id, sentAtOf(raw)]),
    [
      ['$older', 90_000],
      ['$newer', 95_000],
    ],
  );
});
