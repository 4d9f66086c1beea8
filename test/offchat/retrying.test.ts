/**
 * The retry loop the ways off chat share, on the simulated clock: a server's Retry-After is followed, but
 * one of 0, or an HTTP date already past by our clock (the server's clock behind ours), must not turn the
 * loop into a tight one that hammers a rate-limiting server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { delivered } from '../../src/core/delivery.js';
import { RetryLoop, retryAfterMs, type Attempt } from '../../src/offchat/retrying.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a Retry-After of 0, or a date already past, waits at least the first delay', async () => {
  const clock = new SimulatedClock();
  clock.set(Date.UTC(2026, 11, 7, 3, 0));
  const past = retryAfterMs(new Date(clock.now() - 30_000).toUTCString(), clock.now());
  assert.equal(past, 0, 'a date before our now reads as 0');
  const loop = new RetryLoop({ firstMs: 1_000, maxMs: 60_000 }, clock, () => {});
  let attempts = 0;
  const outcome = loop.run(async (): Promise<Attempt> => {
    attempts += 1;
    return attempts < 5
      ? { kind: 'transient', reason: 'ntfy answered 429', afterMs: past }
      : { kind: 'settled', outcome: delivered(clock.now()) };
  }, new AbortController().signal);
  for (let turn = 0; turn < 10; turn += 1) {
    await flush();
    clock.increment(0);
  }
  assert.equal(attempts, 1, 'no second attempt in the same instant');
  for (let second = 0; second < 4; second += 1) {
    clock.increment(1_000);
    await flush();
  }
  assert.equal((await outcome).status, 'delivered');
  assert.equal(attempts, 5, 'one attempt a second, as the first delay says');
});
