import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { Delivery, DeliveryChannel, DeliveryOutcome } from '../../src/core/delivery.js';
import { silentLogger } from '../../src/core/logger.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import { DurableOutbox } from '../../src/core/outbox.js';
import { rich } from '../../src/core/rich-text.js';
import { emptyBatch } from '../../src/core/store.js';
import { openDurable, TestStore } from '../support/test-store.js';

/** A channel that holds what it is given until the test settles it. */
class HeldChannel implements DeliveryChannel {
  readonly given: Array<{ delivery: Delivery; settle: (outcome: DeliveryOutcome) => void }> = [];

  constructor(readonly id: string) {}

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    return new Promise((settle) => this.given.push({ delivery, settle }));
  }

  settleAll(outcome: DeliveryOutcome): void {
    for (const { settle } of this.given.splice(0)) settle(outcome);
  }
}

const message = (text: string, overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  to: { network: 'libera', conversation: '#infra' },
  body: rich(text),
  style: 'notice',
  priority: 'urgent',
  purpose: 'page',
  ...overrides,
});

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function setUp(store = new TestStore()) {
  const clock = new SimulatedClock();
  clock.set(5_000);
  const durable = await openDurable(store, clock);
  const channel = new HeldChannel('libera');
  const delivered: Array<[string, readonly string[]]> = [];
  let ids = 0;
  const outbox = new DurableOutbox({
    channels: new Map([['libera', channel]]),
    journal: durable.journal,
    clock,
    logger: silentLogger,
    onDelivered: (sent, receipt) => delivered.push([(sent.body[0] as { text: string }).text, receipt]),
    newId: () => `id-${(ids += 1)}`,
  });
  const rows = () =>
    store.rows('SELECT id, state, attempts, receipt, reason FROM deliveries ORDER BY seq') as Array<{
      id: string;
      state: string;
      attempts: number;
      receipt: string | null;
      reason: string | null;
    }>;
  return { clock, store, durable, channel, outbox, delivered, rows };
}

test('a delivery is stored before its channel sees it; the outcome is recorded afterwards', async () => {
  const { clock, store, durable, channel, outbox, delivered, rows } = await setUp();
  store.failCommits = 1;
  const outcome = outbox.send(message('paging you (tier 1)'));
  await tick();
  assert.equal(channel.given.length, 0, 'not handed over while its row is not stored');
  assert.deepEqual(rows(), []);
  clock.increment(100); // the journal's retry
  await durable.journal.barrier();
  assert.deepEqual(rows(), [{ id: 'id-1', state: 'pending', attempts: 0, receipt: null, reason: null }]);
  assert.equal(channel.given.length, 1, 'handed over once stored');
  assert.deepEqual(channel.given[0]?.delivery, {
    id: 'id-1',
    channel: 'libera',
    lane: 'urgent',
    content: { kind: 'message', message: message('paging you (tier 1)') },
    durable: true,
    attempts: 0,
    createdAt: 5_000,
  });
  channel.settleAll({ status: 'delivered', at: 6_000, receipt: ['$ev1'] });
  assert.deepEqual(await outcome, { status: 'delivered', at: 6_000, receipt: ['$ev1'] });
  await durable.journal.barrier();
  assert.deepEqual(rows(), [
    { id: 'id-1', state: 'delivered', attempts: 0, receipt: '["$ev1"]', reason: null },
  ]);
  assert.deepEqual(delivered, [['paging you (tier 1)', ['$ev1']]], 'the bridge hears the ids');
});

test('relayed chat is not stored, but waits behind what was said to the same place before it', async () => {
  const { channel, outbox, rows, durable } = await setUp();
  void outbox.send(
    message('relay was down; 1 message follows', { priority: 'normal', purpose: 'relay-outage' }),
  );
  void outbox.send(message('<ana> hello', { priority: 'relay', purpose: 'relay', relayed: true }));
  assert.equal(channel.given.length, 0);
  await durable.journal.barrier();
  assert.deepEqual(
    channel.given.map(({ delivery }) => [delivery.lane, delivery.durable]),
    [
      ['normal', true],
      ['relay', false],
    ],
    'in the order they were said',
  );
  assert.equal(rows().length, 1, 'only the note is stored');
  void outbox.send(message('<ana> again', { priority: 'relay', relayed: true }));
  assert.equal(channel.given.length, 3, 'with nothing waiting, relayed chat goes at once');
});

test('refused and timed out are final; abandoned stays pending and is counted as left', async () => {
  const { channel, outbox, rows, durable } = await setUp();
  void outbox.send(message('one'));
  void outbox.setTopic('libera', '#infra', 'gate down');
  void outbox.send(message('three', { priority: 'normal' }));
  await durable.journal.barrier();
  const [one, topic, three] = channel.given.splice(0);
  one?.settle({ status: 'refused', at: 7_000, reason: 'cannot send to channel' });
  topic?.settle({ status: 'timed-out', at: 7_000, reason: 'no TOPIC echo within 10 s' });
  three?.settle({ status: 'abandoned', at: 7_000, reason: 'the network stopped' });
  await tick();
  await durable.journal.barrier();
  assert.deepEqual(
    rows().map((row) => [row.id, row.state, row.reason]),
    [
      ['id-1', 'refused', 'cannot send to channel'],
      ['id-2', 'timed-out', 'no TOPIC echo within 10 s'],
      ['id-3', 'pending', null],
    ],
  );
  assert.deepEqual(outbox.left(), [{ channel: 'libera', lane: 'normal', count: 1 }]);
});

test('an outcome the failing store never took leaves the row pending: counted as left, it goes again', async () => {
  const { store, channel, outbox, durable } = await setUp();
  void outbox.send(message('paging you (tier 1)'));
  await durable.journal.barrier();
  store.failCommits = 1_000;
  channel.settleAll({ status: 'delivered', at: 6_000, receipt: ['$ev1'] });
  await durable.journal.quiet();
  durable.journal.stop();
  assert.deepEqual(
    outbox.left(),
    [{ channel: 'libera', lane: 'urgent', count: 1 }],
    'what the next start sends',
  );
  store.failCommits = 0;
  assert.deepEqual(
    (await store.load()).pendingDeliveries.map((row) => row.id),
    ['id-1'],
  );
});

test('at start, what was left pending goes again, oldest first, same id, one more attempt', async () => {
  const store = new TestStore();
  const first = await setUp(store);
  void first.outbox.send(message('page A'));
  void first.outbox.send(message('page B'));
  void first.outbox.send(message('page C'));
  await first.durable.journal.barrier();
  first.channel.given[1]?.settle({ status: 'delivered', at: 6_000, receipt: [] });
  await tick();
  await first.durable.journal.barrier();
  // A crash: A and C were never confirmed.

  const second = await setUp(store);
  const loaded = second.durable.takeLoaded();
  second.outbox.resume(loaded.pendingDeliveries);
  assert.deepEqual(
    second.channel.given.map(({ delivery }) => [delivery.id, delivery.attempts, delivery.durable]),
    [
      ['id-1', 1, true],
      ['id-3', 1, true],
    ],
  );
  await second.durable.journal.barrier();
  assert.deepEqual(
    second.rows().map((row) => [row.id, row.state, row.attempts]),
    [
      ['id-1', 'pending', 1],
      ['id-2', 'delivered', 0],
      ['id-3', 'pending', 1],
    ],
    'the resend is counted in the store',
  );
  second.channel.settleAll({ status: 'delivered', at: 9_000, receipt: ['$x'] });
  await tick();
  await second.durable.journal.barrier();
  assert.deepEqual(
    second.rows().map((row) => row.state),
    ['delivered', 'delivered', 'delivered'],
  );
  assert.deepEqual(
    second.delivered.map(([text]) => text),
    ['page A', 'page C'],
  );
});

test('a stored delivery for a network that is no longer configured is refused, not lost silently', async () => {
  const store = new TestStore();
  store.commitSync({
    ...emptyBatch(1),
    deliveries: [
      {
        id: 'old',
        channel: 'oftc',
        lane: 'urgent',
        content: { kind: 'topic', conversation: '#x', topic: 't' },
        createdAt: 1,
        attempts: 0,
        state: 'pending',
        receipt: [],
      },
    ],
  });
  const { outbox, rows, durable } = await setUp(store);
  outbox.resume(durable.takeLoaded().pendingDeliveries);
  await durable.journal.barrier();
  assert.deepEqual(
    rows().map((row) => [row.id, row.state, row.reason]),
    [['old', 'refused', 'there is no network oftc any more']],
  );
  assert.deepEqual(await outbox.send(message('x', { to: { network: 'nowhere', conversation: '#x' } })), {
    status: 'refused',
    at: 5_000,
    reason: 'there is no network nowhere',
  });
});

test('a row the store refuses for what it holds is never handed over: it settles as refused, not left pending', async () => {
  const { clock, store, durable, channel, outbox, rows } = await setUp();
  store.run(`CREATE TRIGGER refuse_row BEFORE INSERT ON deliveries
    WHEN NEW.id = 'id-1' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  const refused = outbox.send(message('a page the store refuses'));
  const taken = outbox.send(message('the next page'));
  await tick();
  clock.increment(100); // the journal's retry, refused again: the refused row is dropped
  for (let turn = 0; turn < 10; turn += 1) await tick();
  await durable.journal.barrier();
  assert.deepEqual(await refused, {
    status: 'refused',
    at: 5_100,
    reason: 'the store refused it: refused by the test',
  });
  assert.deepEqual(
    channel.given.map((given) => given.delivery.id),
    ['id-2'],
    'only the stored row is handed over',
  );
  assert.deepEqual(
    rows().map((row) => row.id),
    ['id-2'],
  );
  assert.deepEqual(outbox.notStored(), [], 'not counted as a delivery the store has yet to take');
  channel.settleAll({ status: 'delivered', at: 5_200, receipt: [] });
  assert.equal((await taken).status, 'delivered');
  await outbox.settled();
});
