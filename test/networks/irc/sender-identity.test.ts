import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { ircCaseFold } from '../../../src/core/casemapping.js';
import {
  AccountCache,
  OrderedDelivery,
  senderFor,
  type AccountState,
} from '../../../src/networks/irc/sender-identity.js';

/** A lookup the test answers by hand. */
function manualLookup() {
  const asked: { nick: string; answer: (account: AccountState | undefined) => void }[] = [];
  const lookup = (nick: string) =>
    new Promise<AccountState | undefined>((answer) => asked.push({ nick, answer }));
  return { asked, lookup };
}

const fold = ircCaseFold('rfc1459');

test('senderFor: only a services account verifies; a nick counts only where allowed and there are no services', () => {
  const facts = { nick: 'alice', servicesPresent: true, trustNicksWithoutServices: false };
  assert.deepEqual(senderFor({ ...facts, account: 'alice-acct' }), {
    id: 'alice',
    name: 'alice',
    account: 'alice-acct',
    verification: 'services',
  });
  for (const account of [null, undefined, '']) {
    assert.deepEqual(senderFor({ ...facts, account }), {
      id: 'alice',
      name: 'alice',
      verification: 'none',
      unverified: 'not-identified',
    });
    assert.deepEqual(
      senderFor({ ...facts, account, trustNicksWithoutServices: true }),
      { id: 'alice', name: 'alice', verification: 'none', unverified: 'not-identified' },
      'services present: the nick is never trusted',
    );
  }
  assert.deepEqual(senderFor({ ...facts, account: undefined, servicesPresent: false }), {
    id: 'alice',
    name: 'alice',
    verification: 'none',
    unverified: 'no-services',
  });
  assert.deepEqual(
    senderFor({ ...facts, account: undefined, servicesPresent: false, trustNicksWithoutServices: true }),
    { id: 'alice', name: 'alice', account: 'alice', verification: 'nick-fallback' },
  );
});

test('AccountCache: a lookup fills the cache for its TTL; case folding follows the network', async () => {
  const clock = new SimulatedClock();
  const { asked, lookup } = manualLookup();
  const cache = new AccountCache({ clock, fold, ttlMs: 60_000, lookup });
  const pending = cache.resolve('Alice[1]');
  assert.ok(pending instanceof Promise);
  assert.equal(cache.resolve('alice{1}'), pending, 'one lookup per nick at a time, rfc1459 folding');
  asked[0]?.answer('alice');
  assert.equal(await pending, 'alice');
  assert.equal(cache.resolve('ALICE[1]'), 'alice', 'answered from the cache, synchronously');
  clock.increment(60_000);
  assert.ok(cache.resolve('alice[1]') instanceof Promise, 'expired');
  assert.equal(asked.length, 2);
});

test('AccountCache: durable entries (account-notify) stay until an event says otherwise', () => {
  const clock = new SimulatedClock();
  const cache = new AccountCache({ clock, fold, ttlMs: 1000, lookup: manualLookup().lookup });
  cache.remember('bob', 'bob-acct', true);
  cache.remember('carol', null, false);
  clock.increment(10_000);
  assert.equal(cache.get('bob'), 'bob-acct');
  assert.equal(cache.get('carol'), undefined);
  cache.forget('bob');
  assert.equal(cache.get('bob'), undefined);
  cache.remember('dave', 'dave', true);
  cache.clear();
  assert.equal(cache.get('dave'), undefined);
});

test('AccountCache: an answer that raced a NICK/QUIT is not trusted', async () => {
  const clock = new SimulatedClock();
  const { asked, lookup } = manualLookup();
  const cache = new AccountCache({ clock, fold, ttlMs: 60_000, lookup });
  const pending = cache.resolve('alice');
  cache.forget('alice'); // alice quit and someone else took the nick while we asked
  asked[0]?.answer('alice-acct');
  assert.equal(await pending, undefined);
  assert.equal(cache.get('alice'), undefined, 'and not cached');
  const afterClear = cache.resolve('bob');
  cache.clear();
  asked[1]?.answer('bob');
  assert.equal(await afterClear, undefined);
});

test('AccountCache: an unknown answer (timeout) is not cached; a failing lookup counts as unknown', async () => {
  const clock = new SimulatedClock();
  let calls = 0;
  const cache = new AccountCache({
    clock,
    fold,
    ttlMs: 60_000,
    lookup: async () => {
      calls += 1;
      if (calls === 1) return undefined;
      throw new Error('socket gone');
    },
  });
  assert.equal(await cache.resolve('alice'), undefined);
  assert.equal(await cache.resolve('alice'), undefined);
  assert.equal(calls, 2);
});

test('OrderedDelivery keeps per-conversation order while lookups are pending, and is synchronous otherwise', async () => {
  const errors: unknown[] = [];
  const delivery = new OrderedDelivery((error) => errors.push(error));
  const delivered: string[] = [];
  delivery.run('#a', 'first', (value) => delivered.push(value));
  assert.deepEqual(delivered, ['first'], 'nothing pending: delivered at once');
  let answer: (value: string) => void = () => undefined;
  delivery.run('#a', new Promise<string>((resolve) => (answer = resolve)), (value) => delivered.push(value));
  delivery.run('#a', 'third', (value) => delivered.push(value));
  delivery.run('#b', 'other room', (value) => delivered.push(value));
  assert.deepEqual(delivered, ['first', 'other room'], 'the third waits for the second; #b does not');
  answer('second');
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(delivered, ['first', 'other room', 'second', 'third']);
  delivery.run('#a', 'boom', () => {
    throw new Error('handler failed');
  });
  delivery.run('#a', 'after', (value) => delivered.push(value));
  assert.equal(errors.length, 1);
  assert.deepEqual(delivered.slice(-1), ['after']);
});
