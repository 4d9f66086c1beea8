import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { Journal } from '../../src/core/journal.js';
import type { StoreBatch } from '../../src/core/store.js';
import { MemoryLogger } from '../support/memory-logger.js';

/** A store that records the batches it took and fails while told to. */
class RecordingStore {
  readonly batches: StoreBatch[] = [];
  failures: Error[] = [];
  attempts = 0;

  commit(batch: StoreBatch): Promise<void> {
    this.attempts += 1;
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    this.batches.push(batch);
    return Promise.resolve();
  }

  /** The keys written by each committed batch. */
  keys(): string[][] {
    return this.batches.map((batch) => batch.keyValues.map((write) => write.key));
  }
}

const put = (key: string) => ({ keyValues: [{ namespace: 'test', key, value: key }] });
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setUp() {
  const clock = new SimulatedClock();
  clock.set(1_000);
  const store = new RecordingStore();
  const logger = new MemoryLogger();
  const journal = new Journal(store, clock, logger);
  return { clock, store, logger, journal };
}

test('what one tick records is one commit; what waits for it runs after it, in order', async () => {
  const { store, journal } = setUp();
  const order: string[] = [];
  journal.record(put('a'), () => order.push('after a'));
  journal.record(put('b'));
  journal.record(put('c'), () => order.push('after c'));
  assert.deepEqual(order, [], 'nothing runs before the commit');
  await journal.barrier();
  assert.deepEqual(store.keys(), [['a', 'b', 'c']]);
  assert.deepEqual(order, ['after a', 'after c']);
  assert.equal(store.batches[0]?.at, 1_000, 'stamped with the clock');
  assert.equal(journal.commits, 1);

  journal.record(put('d'));
  await tick();
  journal.record(put('e'));
  await journal.barrier();
  assert.deepEqual(store.keys(), [['a', 'b', 'c'], ['d'], ['e']], 'later ticks are later commits');
});

test('a hold keeps the batch open until released; a hold past its limit is let go', async () => {
  const { clock, store, logger, journal } = setUp();
  const release = journal.hold('a command');
  journal.record(put('a'));
  await tick();
  journal.record(put('b'));
  await tick();
  assert.deepEqual(store.keys(), [], 'held');
  release();
  release();
  await journal.barrier();
  assert.deepEqual(store.keys(), [['a', 'b']], 'one commit once released');

  journal.hold('a hung handler');
  journal.record(put('c'));
  await tick();
  assert.deepEqual(store.keys(), [['a', 'b']]);
  clock.increment(4_999);
  await tick();
  assert.deepEqual(store.keys(), [['a', 'b']]);
  clock.increment(1);
  await journal.barrier();
  assert.deepEqual(store.keys(), [['a', 'b'], ['c']], 'committed after 5 s without it');
  assert.ok(logger.find('warn', /outlived its limit/));
});

test('a failed commit is retried with backoff, forever, with what came later; nothing runs until it succeeds', async () => {
  const { clock, store, logger, journal } = setUp();
  store.failures = Array.from({ length: 12 }, () => new Error('disk I/O error'));
  let told = 0;
  journal.record(put('a'), () => (told += 1));
  await tick();
  assert.equal(store.attempts, 1);
  assert.deepEqual(journal.health(), { ok: false, since: 1_000, reason: 'disk I/O error', attempts: 1 });
  journal.record(put('b'), () => (told += 1));
  await tick();
  assert.equal(store.attempts, 1, 'new writes wait for the retry, they do not jump the queue');

  // 100, 200, 400, ... doubling, capped at 30 s.
  const waits = [100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 30_000, 30_000, 30_000];
  for (const [index, wait] of waits.entries()) {
    clock.increment(wait - 1);
    await tick();
    assert.equal(store.attempts, index + 1, `no retry 1 ms before the ${wait} ms wait ends`);
    assert.equal(told, 0, 'nothing that waits for the commit ran');
    clock.increment(1);
    await tick();
    assert.equal(store.attempts, index + 2);
  }
  assert.deepEqual(store.keys(), [['a', 'b']], 'the failed batch went with what came after it, in order');
  assert.equal(told, 2);
  assert.deepEqual(journal.health(), { ok: true });
  assert.equal(logger.matching(/the store is failing/, 'error').length, 1, 'the failure is logged once');
  assert.equal(logger.matching(/works again/, 'warn').length, 1, 'and the recovery once');
});

test('a failure with a new reason is logged again; health shows the latest reason and the first time', async () => {
  const { clock, store, logger, journal } = setUp();
  store.failures = [new Error('database is locked'), new Error('database is locked'), new Error('disk full')];
  journal.record(put('a'));
  await tick();
  clock.increment(100);
  await tick();
  clock.increment(200);
  await tick();
  assert.deepEqual(journal.health(), { ok: false, since: 1_000, reason: 'disk full', attempts: 3 });
  assert.deepEqual(
    logger.matching(/the store is failing/, 'error').map((entry) => entry.message),
    [
      'the store is failing (database is locked); nothing is said in chat until a commit succeeds; retrying',
      'the store is failing (disk full); nothing is said in chat until a commit succeeds; retrying',
    ],
  );
});

test('a store that throws instead of rejecting is a failed commit too', async () => {
  const clock = new SimulatedClock();
  let calls = 0;
  const journal = new Journal(
    {
      commit: () => {
        calls += 1;
        if (calls === 1) throw new Error('thrown');
        return Promise.resolve();
      },
    },
    clock,
    new MemoryLogger(),
  );
  journal.record(put('a'));
  await tick();
  assert.equal(journal.health().ok, false);
  clock.increment(100);
  await journal.barrier();
  assert.equal(calls, 2);
  assert.equal(journal.health().ok, true);
});

test('afterCommit runs at once when nothing waits, else after what was recorded before it', async () => {
  const { journal } = setUp();
  const order: string[] = [];
  journal.afterCommit(() => order.push('idle'));
  assert.deepEqual(order, ['idle']);
  journal.record(put('a'), () => order.push('a'));
  journal.afterCommit(() => order.push('behind a'));
  await journal.barrier();
  assert.deepEqual(order, ['idle', 'a', 'behind a']);
});

test('quiet resolves while waiting for a retry; stop gives up what was not taken', async () => {
  const { store, logger, journal } = setUp();
  store.failures = [new Error('disk full')];
  journal.record(put('a'));
  await journal.quiet();
  assert.equal(journal.backlog(), 1);
  journal.stop();
  assert.ok(logger.find('warn', /writes the store has not taken/));
  journal.record(put('b'));
  await tick();
  assert.equal(store.attempts, 1, 'a stopped journal commits nothing more');
});

test('flush tries a failed commit again at once, not after its wait, and settles with that attempt', async () => {
  const { store, journal } = setUp();
  store.failures = [new Error('disk full'), new Error('disk full')];
  let told = 0;
  journal.record(put('a'), () => (told += 1));
  await journal.quiet();
  assert.equal(store.attempts, 1);
  await journal.flush();
  assert.equal(store.attempts, 2, 'tried again without waiting for the retry');
  assert.equal(told, 0, 'it failed again: nothing ran');
  await journal.flush();
  assert.equal(store.attempts, 3);
  assert.deepEqual(store.keys(), [['a']]);
  assert.equal(told, 1);
  assert.deepEqual(journal.health(), { ok: true });
  await journal.flush();
  assert.equal(store.attempts, 3, 'nothing waits: no attempt');
});

test('a commit watcher sees each batch the store took, before the work that waited for it runs', async () => {
  const { store, journal } = setUp();
  const order: string[] = [];
  journal.watchCommits((batch) => order.push(`watched ${batch.keyValues.map((write) => write.key).join()}`));
  store.failures = [new Error('disk full')];
  journal.record(put('a'), () => order.push('after a'));
  await tick();
  assert.equal(order.length, 0, 'a failed commit is not watched');
  await journal.flush();
  journal.afterCommit(() => order.push('nothing to commit'));
  assert.deepEqual(order, ['watched a', 'after a', 'nothing to commit'], 'an empty turn is not watched');
});
