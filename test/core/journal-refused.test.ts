/**
 * A batch the store refuses for what one write holds (a constraint, a value it cannot take) fails the same
 * way every time: the journal must drop that write alone, not retry it forever with everything after it.
 * A failure that comes and goes (the disk, the connection) is still retried, as it always was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { Journal, type RefusedUnit } from '../../src/core/journal.js';
import { RefusedBatchError, type StoreBatch } from '../../src/core/store.js';
import { MemoryLogger } from '../support/memory-logger.js';

const BAD = 'bad';

/** Refuses every batch that writes the key `bad`; fails with `transient` errors first while it has some. */
class RefusingStore {
  readonly batches: StoreBatch[] = [];
  transient: Error[] = [];
  attempts = 0;

  commit(batch: StoreBatch): Promise<void> {
    this.attempts += 1;
    const failure = this.transient.shift();
    if (failure) return Promise.reject(failure);
    if (batch.keyValues.some((write) => write.key === BAD))
      return Promise.reject(new RefusedBatchError('CHECK constraint failed: kv_key'));
    this.batches.push(batch);
    return Promise.resolve();
  }

  keys(): string[] {
    return this.batches.flatMap((batch) => batch.keyValues.map((write) => write.key));
  }
}

const put = (key: string) => ({ keyValues: [{ namespace: 'test', key, value: `secret-${key}` }] });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setUp() {
  const clock = new SimulatedClock();
  clock.set(1_000);
  const store = new RefusingStore();
  const logger = new MemoryLogger();
  const journal = new Journal(store, clock, logger);
  const heard: RefusedUnit[] = [];
  journal.onRefused((refused) => heard.push(refused));
  return { clock, store, logger, journal, heard };
}

/** Lets the journal retry after its first wait and settle. */
async function retry(clock: SimulatedClock, journal: Journal, wait = 100): Promise<void> {
  clock.increment(wait);
  for (let turn = 0; turn < 50; turn += 1) await tick();
  await journal.quiet();
}

test('a write the store refuses twice is dropped alone; the writes around it are stored in order', async () => {
  const { clock, store, logger, journal, heard } = setUp();
  const said: string[] = [];
  const refusedBecause: string[] = [];
  for (const key of ['a', 'b', BAD, 'c', 'd', 'e'])
    journal.record(
      put(key),
      () => said.push(key),
      (reason) => refusedBecause.push(`${key}: ${reason}`),
    );
  const barrier = journal.barrier();
  await tick();
  assert.equal(store.attempts, 1);
  assert.deepEqual(store.keys(), [], 'refused once: retried, as any failure');
  journal.record(put('later'), () => said.push('later'));
  await retry(clock, journal);
  await barrier;

  assert.deepEqual(store.keys(), ['a', 'b', 'c', 'd', 'e', 'later'], 'all but the refused one, in order');
  assert.deepEqual(said, ['a', 'b', 'c', 'd', 'e', 'later'], "the refused write's words are never said");
  assert.deepEqual(refusedBecause, ['bad: CHECK constraint failed: kv_key']);
  assert.equal(heard.length, 1);
  assert.deepEqual(heard[0]?.writes, put(BAD));
  assert.deepEqual(journal.health(), {
    ok: true,
    refused: { count: 1, lastAt: 1_100, lastReason: 'CHECK constraint failed: kv_key' },
  });
  const [dropped, ...more] = logger.matching(/refuses a write/, 'error');
  assert.equal(more.length, 0);
  assert.deepEqual(dropped?.fields, {
    reason: 'CHECK constraint failed: kv_key',
    sections: { keyValues: 1 },
    incidents: [],
  });
  assert.ok(!logger.lines.some((line) => line.includes('secret-bad')), 'the rows are not logged');
});

test('a failure that comes and goes is retried, never dropped, however often it repeats', async () => {
  const { clock, store, journal, heard } = setUp();
  store.transient = Array.from({ length: 6 }, () => new Error('SQLITE_BUSY: database is locked'));
  const said: string[] = [];
  journal.record(put('a'), () => said.push('a'));
  await tick();
  for (const wait of [100, 200, 400, 800, 1_600, 3_200]) await retry(clock, journal, wait);
  assert.deepEqual(store.keys(), ['a']);
  assert.deepEqual(said, ['a']);
  assert.deepEqual(heard, []);
  assert.deepEqual(journal.health(), { ok: true });
});

test('a refusal between failures that come and go is counted anew: dropping waits for a repeat', async () => {
  const { clock, store, journal, heard } = setUp();
  journal.record(put('a'));
  journal.record(put(BAD));
  await tick();
  store.transient = [new Error('connection terminated')];
  await retry(clock, journal, 100);
  assert.deepEqual(store.keys(), [], 'refused, then lost: nothing dropped yet');
  await retry(clock, journal, 200);
  assert.deepEqual(store.keys(), [], 'refused once since: retried');
  assert.equal(heard.length, 0);
  await retry(clock, journal, 400);
  assert.deepEqual(store.keys(), ['a']);
  assert.equal(heard.length, 1);
});

test('a failure that comes and goes while the refused write is sought stops the search; the rest is retried', async () => {
  const { clock, store, journal, heard } = setUp();
  const said: string[] = [];
  for (const key of ['a', 'b', 'c', BAD, 'd']) journal.record(put(key), () => said.push(key));
  await tick();
  const original = store.commit.bind(store);
  // The first half commits, then the connection drops once.
  let calls = 0;
  store.commit = (batch) => {
    calls += 1;
    if (calls === 3) return Promise.reject(new Error('connection terminated'));
    return original(batch);
  };
  await retry(clock, journal, 100);
  assert.deepEqual(store.keys(), ['a', 'b', 'c'], 'the first half is stored');
  assert.deepEqual(said, ['a', 'b', 'c']);
  assert.equal(journal.health().ok, false, 'the failure that stopped it is retried');
  journal.record(put('later'), () => said.push('later'));
  await retry(clock, journal, 400);
  assert.deepEqual(store.keys(), ['a', 'b', 'c'], 'the rest with the refused write: refused once since');
  await retry(clock, journal, 800);
  assert.deepEqual(store.keys(), ['a', 'b', 'c', 'd', 'later']);
  assert.deepEqual(said, ['a', 'b', 'c', 'd', 'later']);
  assert.equal(heard.length, 1);
  assert.equal(journal.health().ok, true);
});

test('several refused writes are all dropped; a batch of them alone leaves nothing held back', async () => {
  const { clock, store, journal, heard } = setUp();
  for (const key of [BAD, 'a', BAD, BAD, 'b', BAD]) journal.record(put(key));
  await tick();
  await retry(clock, journal);
  assert.deepEqual(store.keys(), ['a', 'b']);
  assert.equal(heard.length, 4);
  assert.equal(journal.health().refused?.count, 4);
  journal.record(put('c'));
  await journal.barrier();
  assert.deepEqual(store.keys(), ['a', 'b', 'c']);
});
test('a barrier learns that a unit it waited for was dropped, and why; a later one does not', async () => {
  const { clock, journal } = setUp();
  journal.record(put('a'));
  journal.record(put(BAD));
  const refused = journal.barrier();
  await tick();
  await retry(clock, journal);
  assert.deepEqual(await refused, { reason: 'CHECK constraint failed: kv_key', incidents: [] });
  journal.record(put('b'));
  assert.equal(await journal.barrier(), undefined);
});
