import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventGuard, parseReceived } from '../../../src/networks/matrix/event-guard.js';
import type { RawEvent } from '../../../src/networks/matrix/sync-client.js';

const at = (ts: number, age?: number): RawEvent => ({
  event_id: '$e',
  type: 'm.room.message',
  sender: '@a:x',
  origin_server_ts: ts,
  content: {},
  ...(age === undefined ? {} : { unsigned: { age } }),
});

test('send time comes from unsigned.age in the local clock, so server clock skew does not matter', () => {
  const guard = new EventGuard(1_000);
  // The server clock is an hour behind: origin_server_ts says "old", the age says "just now".
  assert.equal(guard.sentAt(at(1_050 - 3_600_000, 50), 1_100), 1_050);
  assert.equal(guard.isStale('!r', at(1_050 - 3_600_000, 50), 1_100), false);
  // Without an age, origin_server_ts is all there is.
  assert.equal(guard.sentAt(at(900), 1_100), 900);
  assert.equal(guard.isStale('!r', at(900), 1_100), true);
});

test('events before the start, or before the join of their room, are stale', () => {
  const guard = new EventGuard(1_000);
  guard.noteJoin('!r', 2_000);
  guard.noteJoin('!r', 1_500);
  assert.equal(guard.isStale('!r', at(1_999), 3_000), true, 'the latest join counts');
  assert.equal(guard.isStale('!r', at(2_000), 3_000), false);
  assert.equal(guard.isStale('!other', at(1_000), 3_000), false);
  assert.equal(guard.isStale('!other', at(999), 3_000), true);
});

// That an event runs once, across restarts too, is the core's job now (test/core/inbound.test.ts).

test('from before the start, only the events the previous run began to handle count (a crash caught them)', () => {
  const guard = new EventGuard(1_000, parseReceived(JSON.stringify(['$caught'])));
  assert.equal(guard.isStale('!r', { ...at(900), event_id: '$caught' }, 1_100), false, 'replayed: runs');
  assert.equal(guard.isStale('!r', { ...at(950), event_id: '$while-down' }, 1_100), true, 'said while down');
  guard.noteJoin('!r', 2_000);
  assert.equal(guard.isStale('!r', { ...at(900), event_id: '$caught' }, 1_100), true, 'not before a join');
  assert.deepEqual([...parseReceived(undefined)], []);
  assert.deepEqual([...parseReceived('not json')], []);
  assert.deepEqual([...parseReceived('[1, "$a", null]')], ['$a']);
});
