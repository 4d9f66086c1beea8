import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventGuard, mayAct, parseReceived } from '../../../src/networks/matrix/event-guard.js';
import type { RawEvent, SyncResponse } from '../../../src/networks/matrix/sync-client.js';

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
  assert.equal(guard.isStale(at(1_050 - 3_600_000, 50), 1_100), false);
  // Without an age, origin_server_ts is all there is.
  assert.equal(guard.sentAt(at(900), 1_100), 900);
  assert.equal(guard.isStale(at(900), 1_100), true);
});

const BOT = '@bot:x';
const message = (id: string, ts: number): RawEvent => ({ ...at(ts), event_id: id });
const member = (id: string, membership: string, prev?: string): RawEvent => ({
  event_id: id,
  type: 'm.room.member',
  sender: BOT,
  state_key: BOT,
  origin_server_ts: 0,
  content: { membership },
  ...(prev === undefined ? {} : { unsigned: { prev_content: { membership: prev } } }),
});
const notJoined = (): boolean => false;
const batch = (room: string, events: RawEvent[]): SyncResponse => ({
  next_batch: 's',
  rooms: { join: { [room]: { timeline: { events } } } },
});

test('events before the start are stale; in a batch, what precedes the bot joining its room is history', () => {
  const guard = new EventGuard(1_000);
  assert.equal(guard.isStale(at(1_000), 3_000), false);
  assert.equal(guard.isStale(at(999), 3_000), true);
  // Times from a late-read sync all drift later together: position decides, not the clock.
  guard.observeBatch(
    batch('!r', [message('$before', 5_000), member('$join', 'join', 'invite'), message('$after', 5_000)]),
    BOT,
    notJoined,
  );
  assert.equal(guard.isStale(message('$before', 5_000), 6_000), true);
  assert.equal(guard.isStale(message('$after', 5_000), 6_000), false);
  // A display-name change (join after join) is no new join; the next batch starts afresh.
  guard.observeBatch(
    batch('!r', [message('$said', 5_000), member('$rename', 'join', 'join')]),
    BOT,
    notJoined,
  );
  assert.equal(guard.isStale(message('$said', 5_000), 6_000), false);
  assert.equal(guard.isStale(message('$before', 5_000), 6_000), false, 'only the current batch is judged');
});

test('in a room the bot was in, what was said before a kick is not history; only its time away is', () => {
  const guard = new EventGuard(1_000);
  const wasJoined = (roomId: string): boolean => roomId === '!r';
  const kick = { ...member('$kick', 'leave', 'join'), sender: '@admin:x' };
  // Kicked and joined again within one batch: all in the `join` section.
  guard.observeBatch(
    batch('!r', [
      message('$said', 5_000),
      kick,
      message('$away', 5_000),
      member('$back', 'join', 'leave'),
      message('$after', 5_000),
    ]),
    BOT,
    wasJoined,
  );
  assert.equal(guard.isStale(message('$said', 5_000), 6_000), false, 'said to the bot before the kick');
  assert.equal(guard.isStale(kick, 6_000), true, 'its own removal');
  assert.equal(guard.isStale(message('$away', 5_000), 6_000), true, 'said while the bot was out');
  assert.equal(guard.isStale(message('$after', 5_000), 6_000), false);
  // Kicked, not back yet: the room is in the `leave` section, its timeline ending with the kick.
  guard.observeBatch(
    {
      next_batch: 's',
      rooms: { leave: { '!r': { timeline: { events: [message('$last', 5_000), kick] } } } },
    },
    BOT,
    wasJoined,
  );
  assert.equal(guard.isStale(message('$last', 5_000), 6_000), false, 'said before the kick');
  // A room the bot was not in: an old stay in its history is history all the same.
  guard.observeBatch(
    batch('!new', [
      member('$old-join', 'join', 'invite'),
      message('$old', 5_000),
      member('$old-leave', 'leave', 'join'),
      member('$join', 'join', 'leave'),
    ]),
    BOT,
    wasJoined,
  );
  assert.equal(guard.isStale(message('$old', 5_000), 6_000), true);
});

// That an event runs once, across restarts too, is the core's job now (test/core/inbound.test.ts).

test('from before the start, only the events the previous run began to handle count (a crash caught them)', () => {
  const guard = new EventGuard(1_000, parseReceived(JSON.stringify(['$caught'])));
  assert.equal(guard.isStale({ ...at(900), event_id: '$caught' }, 1_100), false, 'replayed: runs');
  assert.equal(guard.isStale({ ...at(950), event_id: '$while-down' }, 1_100), true, 'said while down');
  guard.observeBatch(batch('!r', [message('$caught', 900), member('$join', 'join')]), BOT, notJoined);
  assert.equal(guard.isStale({ ...at(900), event_id: '$caught' }, 1_100), true, 'not before a join');
  assert.deepEqual([...parseReceived(undefined)], []);
  assert.deepEqual([...parseReceived('not json')], []);
  assert.deepEqual([...parseReceived('[1, "$a", null]')], ['$a']);
});

test('only events that may make firebell act need their ids stored before handling: plain chat does not', () => {
  const event = (type: string, content: Record<string, unknown>): RawEvent => ({
    ...at(1_000),
    type,
    content,
  });
  const said = (body: string, msgtype = 'm.text') => event('m.room.message', { msgtype, body });
  assert.equal(mayAct(said('the mirror is back')), false, 'chat');
  assert.equal(mayAct(said('waves', 'm.emote')), false, 'an emote');
  assert.equal(mayAct(said('!deploy now')), false, "another bot's command");
  assert.equal(mayAct(said('!ack 5')), true, 'a command');
  assert.equal(mayAct(said('!ack five')), true, 'a malformed command (answered with its usage)');
  assert.equal(mayAct(said('#status alert PyPI mirror down')), true, 'a status update');
  assert.equal(mayAct(said('NOTICE: all clear', 'm.notice')), true, "a statusbot's notice");
  const reaction = event('m.reaction', {
    'm.relates_to': { rel_type: 'm.annotation', event_id: '$a', key: '✅' },
  });
  assert.equal(mayAct(reaction), true, 'a reaction (an ack)');
  assert.equal(mayAct(event('m.room.member', { membership: 'join' })), true, 'a membership');
});
