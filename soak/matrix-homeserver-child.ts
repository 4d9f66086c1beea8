/**
 * The soak's Matrix test homeserver, in a process of its own, so that SIGKILLing firebell and faulting the
 * homeserver are independent, and neither shares an event loop with the harness. Started with `fork`
 * (soak/matrix-tap.ts); argv[2] is the setup as JSON (matrix-tap.ts's `MatrixSetup`).
 *
 * Over the IPC channel it reports, as they happen:
 * - every event the bot's user put in a room (`event`): room, type, content, transaction id, the server's
 *   timestamp. A send repeated with a known transaction id is answered from the cache and adds no event,
 *   so the events are exactly what the room's members saw;
 * - every request the bot made (`request`), once it has an outcome: route, transaction id, fault, status.
 *   A /sync is reported when it arrives (a long-poll's outcome comes late): the first one after a restart
 *   says the adapter is running.
 * and takes fault rules (`fault`, `clear`) in the test homeserver's own format (faults.ts), and what a
 * person says in a room (`post`).
 */
import { TestHomeserver, type RequestRecord } from '../test/matrix-homeserver/homeserver.js';
import type { FaultRule } from '../test/matrix-homeserver/faults.js';
import type { MatrixSetup, FromHomeserver } from './matrix-tap.js';

const REPORT_EVERY_MS = 50;

const setup = JSON.parse(process.argv[2] as string) as MatrixSetup;
const hs = await TestHomeserver.start({ serverName: setup.serverName });
const send = (message: FromHomeserver): void => {
  process.send?.(message);
};

const bot = hs.createUser(setup.bot);
const people = setup.people.map((localpart) => hs.createUser(localpart));
const owner = people[0];
if (!owner) throw new Error('the soak homeserver needs at least one person to own the rooms');
const rooms: Record<string, string> = {};
for (const alias of setup.rooms) {
  const roomId = hs.createRoom(owner.userId, { preset: 'public_chat', room_alias_name: alias });
  for (const person of people.slice(1)) hs.join(person.userId, roomId);
  rooms[`#${alias}:${setup.serverName}`] = roomId;
}

// Events: each change of the model is scanned for the bot's new events, in stream order.
let seenPos = hs.model.pos;
hs.model.onChange(() => {
  const fresh = [...hs.model.rooms.values()]
    .flatMap((room) => room.events)
    .filter((event) => event.pos > seenPos && event.sender === bot.userId)
    .sort((a, b) => a.pos - b.pos);
  seenPos = hs.model.pos;
  for (const event of fresh)
    send({
      type: 'event',
      at: event.origin_server_ts,
      roomId: event.room_id,
      eventType: event.type,
      content: event.content,
      txnId: event.txn?.txnId,
      eventId: event.event_id,
    });
});

// Requests: polled, each reported once it has an outcome (a sync when it arrives).
let cursor = 0;
const open = new Set<RequestRecord>();
const report = (record: RequestRecord, at: number): void =>
  send({
    type: 'request',
    at,
    route: record.route,
    txnId: record.params.txnId,
    fault: record.fault,
    status: record.status,
  });
setInterval(() => {
  const now = Date.now();
  for (; cursor < hs.requests.length; cursor += 1) {
    const record = hs.requests[cursor];
    if (record?.userId !== bot.userId) continue;
    if (record.route === 'sync') report(record, now);
    else open.add(record);
  }
  for (const record of open) {
    if (record.status === undefined && record.fault !== 'drop') continue;
    open.delete(record);
    report(record, now);
  }
  // Keep the record from growing without bound over a long run: everything up to the cursor is reported.
  if (cursor > 10_000 && open.size === 0) {
    hs.requests.splice(0, cursor);
    cursor = 0;
  }
}, REPORT_EVERY_MS);

type ToHomeserver =
  | { type: 'fault'; rule: FaultRule }
  | { type: 'clear' }
  | { type: 'post'; sender: string; alias: string; body: string };
process.on('message', (message: ToHomeserver) => {
  if (message.type === 'fault') hs.faults.add(message.rule);
  else if (message.type === 'clear') hs.faults.clear();
  else {
    // A person says something in a room (a command to the bot), as their client would.
    const person = people.find((candidate) => candidate.userId === `@${message.sender}:${setup.serverName}`);
    const roomId = rooms[message.alias];
    if (person && roomId) hs.post(person.userId, roomId, { msgtype: 'm.text', body: message.body });
  }
});
process.on('disconnect', () => void hs.stop().then(() => process.exit(0)));

send({ type: 'ready', url: hs.url, bot: { userId: bot.userId, token: bot.token }, rooms });
