/**
 * The test homeserver against the spec, over real HTTP: if it drifts from the client-server API, the
 * adapter's integration tests would prove nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestHomeserver, type TestUser } from './homeserver.js';

let hs: TestHomeserver;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  hs = await TestHomeserver.start();
  alice = hs.createUser('alice', { displayname: 'Alice' });
  bob = hs.createUser('bob');
});
after(() => hs.stop());

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${hs.url}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const C = '/_matrix/client/v3';
const enc = encodeURIComponent;

test('versions, unknown endpoints and authentication errors use the standard error response', async () => {
  const versions = await call('GET', '/_matrix/client/versions');
  assert.equal(versions.status, 200);
  assert.ok((versions.body.versions as string[]).includes('v1.11'));
  assert.deepEqual(await call('GET', `${C}/nope`), {
    status: 404,
    body: { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' },
  });
  assert.equal((await call('DELETE', `${C}/account/whoami`, alice.token)).status, 405);
  assert.deepEqual((await call('GET', `${C}/account/whoami`)).body.errcode, 'M_MISSING_TOKEN');
  const unknown = await call('GET', `${C}/account/whoami`, 'nope');
  assert.equal(unknown.status, 401);
  assert.deepEqual(unknown.body, {
    errcode: 'M_UNKNOWN_TOKEN',
    error: 'Unknown access token',
    soft_logout: false,
  });
  assert.equal((await call('POST', `${C}/createRoom`, alice.token, [1])).body.errcode, 'M_BAD_JSON');
});

test('password login issues a token that whoami accepts; a wrong password is M_FORBIDDEN', async () => {
  const login = await call('POST', `${C}/login`, undefined, {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: 'bob' },
    password: bob.password,
  });
  assert.equal(login.status, 200);
  assert.equal(login.body.user_id, bob.userId);
  const whoami = await call('GET', `${C}/account/whoami`, login.body.access_token as string);
  assert.equal(whoami.body.user_id, bob.userId);
  assert.equal(whoami.body.device_id, login.body.device_id);
  const wrong = await call('POST', `${C}/login`, undefined, {
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: 'bob' },
    password: 'wrong',
  });
  assert.deepEqual(wrong, {
    status: 403,
    body: { errcode: 'M_FORBIDDEN', error: 'Invalid username or password' },
  });
});

test('send: the same transaction id on the same token gives the same event once; another token sends anew', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.join(bob.userId, room);
  const path = `${C}/rooms/${enc(room)}/send/m.room.message/txn-1`;
  const first = await call('PUT', path, alice.token, { msgtype: 'm.text', body: 'one' });
  const again = await call('PUT', path, alice.token, { msgtype: 'm.text', body: 'one' });
  const other = await call('PUT', path, bob.token, { msgtype: 'm.text', body: 'one' });
  assert.equal(first.status, 200);
  assert.equal(again.body.event_id, first.body.event_id);
  assert.notEqual(other.body.event_id, first.body.event_id);
  assert.equal(hs.timeline(room, { type: 'm.room.message' }).length, 2);
  const outsider = hs.createUser('outsider');
  assert.equal((await call('PUT', path, outsider.token, { body: 'x' })).body.errcode, 'M_FORBIDDEN');
});

test('send: a transaction id is scoped to its endpoint, the room and event type in the path included', async () => {
  // CS API "Transaction identifiers": a request is identified by the device and the HTTP path holding the
  // id; Synapse keeps (room, user, token, txn id). The same id into another room is another event.
  const first = hs.createRoom(alice.userId, { preset: 'public_chat' });
  const second = hs.createRoom(alice.userId, { preset: 'public_chat' });
  const into = (room: string): Promise<Reply> =>
    call('PUT', `${C}/rooms/${enc(room)}/send/m.room.message/txn-scope`, alice.token, {
      msgtype: 'm.text',
      body: 'scoped',
    });
  const one = await into(first);
  const two = await into(second);
  assert.equal(two.status, 200);
  assert.notEqual(two.body.event_id, one.body.event_id);
  assert.equal(hs.timeline(second, { type: 'm.room.message' }).length, 1);
  assert.equal((await into(second)).body.event_id, two.body.event_id, 'a resend into the same room');
});

test('send: a transaction id is scoped to the device, so a new login on it keeps it (v1.7, MSC3970)', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  const login = async (device: string): Promise<string> =>
    (
      await call('POST', `${C}/login`, undefined, {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: 'alice' },
        password: alice.password,
        device_id: device,
      })
    ).body.access_token as string;
  const path = `${C}/rooms/${enc(room)}/send/m.room.message/txn-device`;
  const first = await call('PUT', path, await login('PHONE'), { msgtype: 'm.text', body: 'once' });
  const again = await call('PUT', path, await login('PHONE'), { msgtype: 'm.text', body: 'once' });
  assert.equal(again.body.event_id, first.body.event_id, 'the same device after a new login');
  const other = await call('PUT', path, await login('LAPTOP'), { msgtype: 'm.text', body: 'once' });
  assert.notEqual(other.body.event_id, first.body.event_id, 'another device');
});

test('topic: state_default guards m.room.topic with 403 M_FORBIDDEN; GET returns content or 404', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.join(bob.userId, room);
  const topic = `${C}/rooms/${enc(room)}/state/m.room.topic/`;
  assert.equal((await call('GET', topic, bob.token)).body.errcode, 'M_NOT_FOUND');
  assert.equal((await call('PUT', topic, alice.token, { topic: 'all good' })).status, 200);
  const denied = await call('PUT', `${C}/rooms/${enc(room)}/state/m.room.topic`, bob.token, {
    topic: 'mine',
  });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.errcode, 'M_FORBIDDEN');
  assert.match(denied.body.error as string, /needs power level 50, you have 0/);
  assert.deepEqual((await call('GET', topic, bob.token)).body, { topic: 'all good' });
  const asEvent = await call('GET', `${topic}?format=event`, bob.token);
  assert.equal(asEvent.body.sender, alice.userId);
});

test('aliases resolve through the directory; private rooms refuse uninvited joins', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'private_chat', room_alias_name: 'ops' });
  const resolved = await call('GET', `${C}/directory/room/${enc('#ops:test.local')}`);
  assert.deepEqual(resolved.body, { room_id: room, servers: ['test.local'] });
  assert.equal((await call('GET', `${C}/directory/room/${enc('#none:test.local')}`)).status, 404);
  const refused = await call('POST', `${C}/join/${enc('#ops:test.local')}`, bob.token, {});
  assert.deepEqual(refused.body, { errcode: 'M_FORBIDDEN', error: 'You are not invited to this room.' });
  await call('POST', `${C}/rooms/${enc(room)}/invite`, alice.token, { user_id: bob.userId });
  assert.deepEqual((await call('POST', `${C}/join/${enc('#ops:test.local')}`, bob.token, {})).body, {
    room_id: room,
  });
  assert.equal(
    (await call('PUT', `${C}/directory/room/${enc('#ops:test.local')}`, alice.token, { room_id: room }))
      .status,
    409,
  );
});

test('sync: initial snapshot with the filter limit, long-poll wakes on a new event, invite and leave sections', async () => {
  const carol = hs.createUser('carol');
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.join(carol.userId, room);
  for (let i = 0; i < 5; i += 1) hs.post(alice.userId, room, { msgtype: 'm.text', body: `m${i}` });
  const filter = await call('POST', `${C}/user/${enc(carol.userId)}/filter`, carol.token, {
    room: { timeline: { limit: 3 } },
  });
  const initial = await call('GET', `${C}/sync?filter=${filter.body.filter_id as string}`, carol.token);
  const joined = (
    initial.body.rooms as {
      join: Record<
        string,
        {
          timeline: { events: Array<{ content: { body?: string } }>; limited: boolean };
          state: { events: unknown[] };
        }
      >;
    }
  ).join[room];
  assert.ok(joined);
  assert.deepEqual(
    joined.timeline.events.map((event) => event.content.body),
    ['m2', 'm3', 'm4'],
  );
  assert.equal(joined.timeline.limited, true);
  assert.ok(joined.state.events.length >= 5, 'state before the timeline comes with the snapshot');

  const since = initial.body.next_batch as string;
  const started = performance.now();
  const waiting = call('GET', `${C}/sync?since=${since}&timeout=5000`, carol.token);
  setTimeout(() => hs.post(alice.userId, room, { msgtype: 'm.text', body: 'late' }), 50);
  const woke = await waiting;
  assert.ok(performance.now() - started < 2000, 'the long-poll answered when the event arrived');
  const events = (
    woke.body.rooms as {
      join: Record<
        string,
        { timeline: { events: Array<{ content: { body?: string }; unsigned: { age: number } }> } }
      >;
    }
  ).join[room]?.timeline.events;
  assert.deepEqual(
    events?.map((event) => event.content.body),
    ['late'],
  );
  assert.equal(typeof events?.[0]?.unsigned.age, 'number');

  const empty = await call('GET', `${C}/sync?since=${woke.body.next_batch as string}&timeout=0`, carol.token);
  assert.deepEqual(empty.body.rooms, { join: {}, invite: {}, leave: {}, knock: {} });

  const other = hs.createRoom(alice.userId, { invite: [carol.userId], is_direct: true });
  const invited = await call('GET', `${C}/sync?since=${empty.body.next_batch as string}`, carol.token);
  const inviteState = (
    invited.body.rooms as {
      invite: Record<
        string,
        {
          invite_state: {
            events: Array<{
              type: string;
              state_key: string;
              sender: string;
              content: Record<string, unknown>;
            }>;
          };
        }
      >;
    }
  ).invite[other]?.invite_state.events;
  const inviteEvent = inviteState?.find(
    (event) => event.type === 'm.room.member' && event.state_key === carol.userId,
  );
  assert.deepEqual(inviteEvent?.content, { membership: 'invite', displayname: 'carol', is_direct: true });
  assert.equal(inviteEvent?.sender, alice.userId);

  await call('POST', `${C}/rooms/${enc(other)}/leave`, carol.token, { reason: 'no thanks' });
  const left = await call('GET', `${C}/sync?since=${invited.body.next_batch as string}`, carol.token);
  const leaveEvents = (
    left.body.rooms as {
      leave: Record<string, { timeline: { events: Array<{ content: Record<string, unknown> }> } }>;
    }
  ).leave[other]?.timeline.events;
  assert.deepEqual(
    leaveEvents?.map((event) => event.content),
    [{ membership: 'leave', reason: 'no thanks' }],
  );
});

test('sync: a room joined since the token arrives whole, with the history before the join', async () => {
  const dave = hs.createUser('dave');
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  hs.post(alice.userId, room, { msgtype: 'm.text', body: 'before dave' });
  const first = await call('GET', `${C}/sync`, dave.token);
  hs.join(dave.userId, room);
  const next = await call('GET', `${C}/sync?since=${first.body.next_batch as string}`, dave.token);
  const bodies = (
    next.body.rooms as {
      join: Record<string, { timeline: { events: Array<{ type: string; content: { body?: string } }> } }>;
    }
  ).join[room]?.timeline.events.map((event) => event.content.body ?? event.type);
  assert.ok(bodies?.includes('before dave'));
});

test('sync: full_state returns the state of every joined room at once, even with nothing new', async () => {
  const erin = hs.createUser('erin');
  const room = hs.createRoom(alice.userId, { preset: 'public_chat', topic: 'calm' });
  hs.join(erin.userId, room);
  const first = await call('GET', `${C}/sync`, erin.token);
  const since = first.body.next_batch as string;
  const started = performance.now();
  const full = await call('GET', `${C}/sync?since=${since}&timeout=5000&full_state=true`, erin.token);
  assert.ok(performance.now() - started < 1000, 'full_state ignores the timeout');
  const joined = (
    full.body.rooms as {
      join: Record<
        string,
        {
          timeline: { events: unknown[] };
          state: { events: Array<{ type: string; content: Record<string, unknown> }> };
        }
      >;
    }
  ).join[room];
  assert.deepEqual(joined?.timeline.events, []);
  assert.deepEqual(joined?.state.events.find((event) => event.type === 'm.room.topic')?.content, {
    topic: 'calm',
  });
  const quiet = await call('GET', `${C}/sync?since=${since}&timeout=0`, erin.token);
  assert.equal((quiet.body.rooms as { join: Record<string, unknown> }).join[room], undefined);
});

test("messages: pages back from a limited timeline's prev_batch to the previous sync token, newest first", async () => {
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  const filter = encodeURIComponent(JSON.stringify({ room: { timeline: { limit: 2 } } }));
  const first = await call('GET', `${C}/sync?timeout=0&filter=${filter}`, alice.token);
  const since = first.body.next_batch as string;
  for (const body of ['m1', 'm2', 'm3', 'm4', 'm5']) hs.post(alice.userId, room, { msgtype: 'm.text', body });
  const next = await call('GET', `${C}/sync?timeout=0&filter=${filter}&since=${since}`, alice.token);
  const timeline = (next.body.rooms as { join: Record<string, { timeline: Record<string, unknown> }> }).join[
    room
  ]?.timeline as { events: Array<{ content: { body: string } }>; limited: boolean; prev_batch: string };
  assert.equal(timeline.limited, true);
  assert.deepEqual(
    timeline.events.map((event) => event.content.body),
    ['m4', 'm5'],
  );
  const page = (from: string): Promise<Reply> =>
    call('GET', `${C}/rooms/${enc(room)}/messages?dir=b&limit=2&from=${from}&to=${since}`, alice.token);
  const one = await page(timeline.prev_batch);
  assert.deepEqual(
    (one.body.chunk as Array<{ content: { body: string } }>).map((e) => e.content.body),
    ['m3', 'm2'],
  );
  const two = await page(one.body.end as string);
  assert.deepEqual(
    (two.body.chunk as Array<{ content: { body: string } }>).map((e) => e.content.body),
    ['m1'],
  );
  assert.equal(two.body.end, undefined, 'nothing more before the previous sync');
  assert.equal((await call('GET', `${C}/rooms/${enc(room)}/messages?dir=x`, alice.token)).status, 400);
});

test('account data round-trips and appears in sync', async () => {
  const path = `${C}/user/${enc(alice.userId)}/account_data/m.direct`;
  assert.equal((await call('GET', path, alice.token)).body.errcode, 'M_NOT_FOUND');
  await call('PUT', path, alice.token, { [bob.userId]: ['!x:test.local'] });
  assert.deepEqual((await call('GET', path, alice.token)).body, { [bob.userId]: ['!x:test.local'] });
  assert.equal((await call('GET', path, bob.token)).status, 403);
  const synced = await call('GET', `${C}/sync`, alice.token);
  assert.ok(
    (synced.body.account_data as { events: Array<{ type: string }> }).events.some(
      (event) => event.type === 'm.direct',
    ),
  );
});

test('createRoom applies initial_state (encryption), joined_members and profile answer; redaction strips content', async () => {
  const room = hs.createRoom(alice.userId, {
    initial_state: [{ type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } }],
    invite: [bob.userId],
  });
  assert.deepEqual(
    (await call('GET', `${C}/rooms/${enc(room)}/state/m.room.encryption/`, alice.token)).body,
    {
      algorithm: 'm.megolm.v1.aes-sha2',
    },
  );
  hs.join(bob.userId, room);
  const members = await call('GET', `${C}/rooms/${enc(room)}/joined_members`, alice.token);
  assert.deepEqual(members.body, {
    joined: { [alice.userId]: { display_name: 'Alice' }, [bob.userId]: { display_name: 'bob' } },
  });
  assert.deepEqual((await call('GET', `${C}/profile/${enc(alice.userId)}`, bob.token)).body, {
    displayname: 'Alice',
  });
  const eventId = hs.post(bob.userId, room, { msgtype: 'm.text', body: 'oops' });
  const redaction = await call('PUT', `${C}/rooms/${enc(room)}/redact/${enc(eventId)}/r1`, bob.token, {
    reason: 'typo',
  });
  assert.equal(redaction.status, 200);
  const fetched = await call('GET', `${C}/rooms/${enc(room)}/event/${enc(eventId)}`, alice.token);
  assert.deepEqual(fetched.body.content, {});
  assert.equal(
    (fetched.body.unsigned as { redacted_because: { event_id: string } }).redacted_because.event_id,
    redaction.body.event_id,
  );
});

test('faults: 429 with retry_after_ms, 500, dropped connections before and after the effect', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  const send = (txn: string): Promise<Reply> =>
    call('PUT', `${C}/rooms/${enc(room)}/send/m.room.message/${txn}`, alice.token, {
      msgtype: 'm.text',
      body: txn,
    });
  hs.faults.add({ route: 'send', kind: 'rate-limit', retryAfterMs: 1500, header: true, times: 1 });
  const limited = await fetch(`${hs.url}${C}/rooms/${enc(room)}/send/m.room.message/f1`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${alice.token}` },
    body: '{}',
  });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '2');
  assert.deepEqual(await limited.json(), {
    errcode: 'M_LIMIT_EXCEEDED',
    error: 'Too Many Requests',
    retry_after_ms: 1500,
  });

  hs.faults.add({ route: 'send', kind: 'error', status: 500, times: 1 });
  assert.deepEqual(await send('f2'), {
    status: 500,
    body: { errcode: 'M_UNKNOWN', error: 'Internal server error' },
  });

  hs.faults.add({ route: 'send', kind: 'drop', times: 1 });
  await assert.rejects(send('f3'));
  assert.equal(hs.messagesFrom(room, alice.userId).length, 0, 'a drop before handling has no effect');

  hs.faults.add({ route: 'send', kind: 'drop-after', times: 1 });
  await assert.rejects(send('f4'));
  assert.deepEqual(
    hs.messagesFrom(room, alice.userId).map((content) => content.body),
    ['f4'],
  );
  const retried = await send('f4');
  assert.equal(retried.status, 200);
  assert.equal(
    hs.messagesFrom(room, alice.userId).length,
    1,
    'the retry with the same txn id is not a duplicate',
  );

  const fault = hs.faults.add({ route: 'send', userId: bob.userId, kind: 'error', status: 500, times: 1 });
  assert.equal((await send('f5')).status, 200, 'a fault for another user leaves this one alone');
  assert.equal(fault.remaining, 1);
  hs.faults.clear();

  hs.faults.add({ route: 'send', kind: 'delay', ms: 150, times: 1 });
  const started = performance.now();
  assert.equal((await send('f6')).status, 200);
  assert.ok(performance.now() - started >= 140);
});

test('faults: a held send, before or after it took effect; every transaction id is recorded', async () => {
  const room = hs.createRoom(alice.userId, { preset: 'public_chat' });
  const send = (txn: string): Promise<Reply> =>
    call('PUT', `${C}/rooms/${enc(room)}/send/m.room.message/${txn}`, alice.token, {
      msgtype: 'm.text',
      body: txn,
    });
  const bodies = (): unknown[] => hs.messagesFrom(room, alice.userId).map((content) => content.body);

  hs.faults.add({ route: 'send', kind: 'hold', times: 1 });
  const before = send('h1');
  await waitUntil(() => hs.held.length === 1);
  assert.deepEqual(bodies(), [], 'held before it took effect');
  hs.releaseHeld();
  assert.equal((await before).status, 200);
  assert.deepEqual(bodies(), ['h1']);

  hs.faults.add({ route: 'send', kind: 'hold', after: true, times: 1 });
  const after = send('h2');
  await waitUntil(() => hs.held.length === 1);
  assert.deepEqual(bodies(), ['h1', 'h2'], 'in the room, though the client has no answer yet');
  hs.releaseHeld();
  const answered = await after;
  assert.equal(answered.status, 200);
  assert.equal((await send('h2')).body.event_id, answered.body.event_id, 'a resend is the same event');
  assert.deepEqual(hs.transactionIds().slice(-3), ['h1', 'h2', 'h2']);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 2_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('faults: a 429 may carry its wait in the body, the header, both or neither; "*" faults every route', async () => {
  const limited = async (): Promise<{ header: string | null; body: unknown }> => {
    const response = await fetch(`${hs.url}${C}/account/whoami`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(response.status, 429);
    return { header: response.headers.get('retry-after'), body: await response.json() };
  };
  const refusal = { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests' };
  hs.faults.add({ route: '*', kind: 'rate-limit', times: 1 });
  assert.deepEqual(await limited(), { header: null, body: refusal });
  hs.faults.add({ route: '*', kind: 'rate-limit', retryAfterMs: 2100, header: true, body: false, times: 1 });
  assert.deepEqual(await limited(), { header: '3', body: refusal });
  hs.faults.add({ route: 'whoami', kind: 'rate-limit', retryAfterMs: 700, times: 1 });
  assert.deepEqual(await limited(), { header: null, body: { ...refusal, retry_after_ms: 700 } });
  const everywhere = hs.faults.add({
    route: '*',
    userId: alice.userId,
    kind: 'error',
    status: 503,
    times: 2,
  });
  assert.equal((await call('GET', `${C}/joined_rooms`, alice.token)).status, 503);
  assert.equal((await call('GET', `${C}/sync?timeout=0`, alice.token)).status, 503);
  assert.equal((await call('GET', `${C}/joined_rooms`, alice.token)).status, 200);
  assert.equal(everywhere.remaining, 0);
});

test('the event rate limit works like Synapse rc_message: a burst, then one per 1/rate, per user', async () => {
  let now = 1_000_000;
  const limitedHs = await TestHomeserver.start({
    now: () => now,
    rateLimit: { perSecond: 0.2, burst: 3, exempt: ['@exempt:test.local'] },
  });
  try {
    const carol = limitedHs.createUser('carol');
    const dave = limitedHs.createUser('dave');
    const exempt = limitedHs.createUser('exempt');
    const room = limitedHs.createRoom(carol.userId, { preset: 'public_chat' });
    limitedHs.join(dave.userId, room);
    limitedHs.join(exempt.userId, room);
    const send = async (user: TestUser, txn: string) => {
      const response = await fetch(`${limitedHs.url}${C}/rooms/${enc(room)}/send/m.room.message/${txn}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${user.token}` },
        body: JSON.stringify({ msgtype: 'm.text', body: txn }),
      });
      return {
        status: response.status,
        header: response.headers.get('retry-after'),
        body: (await response.json()) as Record<string, unknown>,
      };
    };
    for (const txn of ['a', 'b', 'c']) assert.equal((await send(carol, txn)).status, 200);
    const refused = await send(carol, 'd');
    assert.equal(refused.status, 429);
    assert.deepEqual(refused.body, {
      errcode: 'M_LIMIT_EXCEEDED',
      error: 'Too Many Requests',
      retry_after_ms: 5000,
    });
    assert.equal(refused.header, '5');
    assert.equal(
      (await send(carol, 'c')).status,
      200,
      'a retransmission is answered from the cache, uncounted',
    );
    assert.equal((await send(dave, 'd1')).status, 200, 'the limit is per user');
    for (let i = 0; i < 5; i += 1) assert.equal((await send(exempt, `x${i}`)).status, 200);
    now += 2000;
    assert.equal((await send(carol, 'd')).body.retry_after_ms, 3000);
    now += 3000;
    assert.equal((await send(carol, 'd')).status, 200, 'one more fits after 1/rate seconds');
    assert.equal((await send(carol, 'e')).status, 429);
    const state = await fetch(`${limitedHs.url}${C}/rooms/${enc(room)}/state/m.room.topic/`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${carol.token}` },
      body: JSON.stringify({ topic: 'x' }),
    });
    assert.equal(state.status, 429, 'state events count too');
    assert.equal(limitedHs.requests.filter((request) => request.limited).length, 4);
    const read = await fetch(`${limitedHs.url}${C}/joined_rooms`, {
      headers: { authorization: `Bearer ${carol.token}` },
    });
    assert.equal(read.status, 200, 'reads are not limited');
  } finally {
    await limitedHs.stop();
  }
});
