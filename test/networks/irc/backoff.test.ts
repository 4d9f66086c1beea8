import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, reconnectBackoff } from '../../../src/networks/irc/backoff.js';

test('reconnect waits double from 1 s up to a 5 min cap, with jitter in the upper half', () => {
  const highest = reconnectBackoff(() => 0.999999);
  const waits = Array.from({ length: 12 }, () => highest.next());
  assert.deepEqual(
    waits,
    [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000],
  );
  const lowest = reconnectBackoff(() => 0);
  assert.deepEqual(
    Array.from({ length: 11 }, () => lowest.next()),
    [1000, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 150_000, 150_000],
    'never below 1 s, never below half the cap once there',
  );
});

test('the waits keep coming forever, and reset starts over', () => {
  const backoff = reconnectBackoff(() => 0.5);
  for (let attempt = 0; attempt < 10_000; attempt += 1) {
    const wait = backoff.next();
    assert.ok(wait >= 1000 && wait <= 300_000 && Number.isFinite(wait));
  }
  assert.equal(backoff.attempts, 10_000);
  backoff.reset();
  assert.equal(backoff.attempts, 0);
  assert.equal(backoff.next(), 1000);
});

test('other schedules', () => {
  const backoff = new Backoff({ initialMs: 15_000, maxMs: 60_000, random: () => 0.999999 });
  assert.deepEqual(
    Array.from({ length: 4 }, () => backoff.next()),
    [15_000, 30_000, 60_000, 60_000],
  );
});
