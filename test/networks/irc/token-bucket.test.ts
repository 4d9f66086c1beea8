import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/networks/irc/token-bucket.js';

test('a full bucket gives its burst at once, then refills at the configured rate', () => {
  let now = 0;
  const bucket = new TokenBucket(4, 2, () => now);
  for (let line = 0; line < 4; line += 1) assert.equal(bucket.tryTake(), true, `burst line ${line}`);
  assert.equal(bucket.tryTake(), false);
  assert.equal(bucket.msUntil(), 500);
  now = 499;
  assert.equal(bucket.tryTake(), false);
  now = 500;
  assert.equal(bucket.tryTake(), true);
  now = 10_000;
  assert.equal(bucket.available(), 4, 'never more than the burst');
});

test('lines written by the library are charged and can take the bucket below zero', () => {
  let now = 0;
  const bucket = new TokenBucket(2, 1, () => now);
  bucket.charge(5);
  assert.equal(bucket.available(), -3);
  assert.equal(bucket.msUntil(), 4000);
  now = 4000;
  assert.equal(bucket.tryTake(), true);
  bucket.refillFully();
  assert.equal(bucket.available(), 2);
});

test('costs above one and sustained rate over a long run', () => {
  let now = 0;
  const bucket = new TokenBucket(5, 20, () => now);
  assert.equal(bucket.tryTake(2), true);
  let sent = 0;
  for (now = 0; now <= 10_000; now += 1) while (bucket.tryTake()) sent += 1;
  // 3 left of the burst, then 20 per second for 10 s
  assert.equal(sent, 3 + 200);
});

test('nonsense settings are refused', () => {
  assert.throws(() => new TokenBucket(0, 1, () => 0), /burst >= 1/);
  assert.throws(() => new TokenBucket(1, 0, () => 0), /linesPerSecond > 0/);
});
