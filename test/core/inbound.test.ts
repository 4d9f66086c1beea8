/**
 * Inbound messages are handled, then marked handled, in one commit: a command runs once, never twice and
 * never zero times, across replays and crashes (SPINE.md contract 6).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { Firebell } from '../../src/core/firebell.js';
import { HANDLED_RETENTION_MS } from '../../src/core/inbound.js';
import { silentLogger } from '../../src/core/logger.js';
import type { InboundMessage } from '../../src/core/messages.js';
import { FakeNetwork, matrixUser } from '../support/fake-network.js';
import { testConfig } from '../support/config-fixture.js';
import { openDurable, TestStore } from '../support/test-store.js';

const T0 = Date.UTC(2026, 10, 25, 15, 0);
const ROOM = '#infra:example.org';
const cy = matrixUser('@cy:example.org', 'Cy');

const running: Firebell[] = [];
afterEach(async () => {
  for (const firebell of running.splice(0)) await firebell.stop();
});

async function world(store: TestStore, at = T0) {
  const clock = new SimulatedClock();
  clock.set(at);
  const matrix = new FakeNetwork('matrix', 'matrix', () => clock.now());
  const firebell = new Firebell({
    config: testConfig(),
    durable: await openDurable(store, clock),
    networks: [matrix, new FakeNetwork('libera', 'irc', () => clock.now())],
    clock,
    logger: silentLogger,
  });
  running.push(firebell);
  await firebell.start();
  const event = (id: string, text: string): InboundMessage => ({
    conversation: { network: 'matrix', id: ROOM, direct: false },
    sender: cy,
    text,
    style: 'message',
    at: clock.now(),
    messageId: id,
    durableId: `matrix:matrix:${id}`,
  });
  const declared = () => matrix.lines().filter((line) => line.includes('declared by Cy')).length;
  return { clock, matrix, firebell, event, declared };
}

test('a command resolves once it and its mark are committed; a second copy is skipped, now and after a restart', async () => {
  const store = new TestStore();
  const w = await world(store);
  const first = w.firebell.router.handleMessage(w.event('$1', '!incident gate is failing'));
  const copy = w.firebell.router.handleMessage(w.event('$1', '!incident gate is failing'));
  assert.equal(await store.handled('matrix:matrix:$1'), false, 'not marked before it is handled');
  await Promise.all([first, copy]);
  assert.equal(await store.handled('matrix:matrix:$1'), true, 'marked by the time the promise resolved');
  assert.ok(await store.incident(1), 'in the same commit as the incident it declared');
  await w.firebell.idle();
  assert.equal(w.declared(), 1, 'the copy that came meanwhile was not handled');
  await w.firebell.stop();

  const again = await world(store, T0 + 60_000);
  await again.firebell.router.handleMessage(again.event('$1', '!incident gate is failing'));
  await again.firebell.idle();
  assert.equal(again.declared(), 0, 'a replay after a restart is skipped before any work');
  assert.equal(again.firebell.service.open().length, 1);
});

test('a crash before the commit: the command was never answered, and runs once at the next start', async () => {
  const store = new TestStore();
  const w = await world(store);
  store.failCommits = 1_000;
  const handling = w.firebell.router.handleMessage(w.event('$2', '!incident gate is failing'));
  let settled = false;
  void handling.then(() => (settled = true));
  await w.firebell.idle();
  assert.equal(settled, false, 'not resolved: an adapter does not move past it');
  assert.equal(w.declared(), 0, 'and nothing was said');
  // The process dies here: the journal's writes are lost with it.
  await w.firebell.stop();
  store.failCommits = 0;

  const restarted = await world(store, T0 + 60_000);
  await restarted.firebell.router.handleMessage(restarted.event('$2', '!incident gate is failing'));
  await restarted.firebell.idle();
  assert.equal(restarted.declared(), 1, 'the replayed command ran, once');
  assert.equal(await store.handled('matrix:matrix:$2'), true);
});

test('a stopping firebell handles nothing more and leaves the message unmarked', async () => {
  const store = new TestStore();
  const w = await world(store);
  await w.firebell.stop();
  let settled = false;
  void w.firebell.router.handleMessage(w.event('$3', '!incident late')).then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false);
  assert.equal(w.declared(), 0);
  assert.equal(await store.handled('matrix:matrix:$3'), false);
});

test('handled marks are kept for seven days, then forgotten by the daily housekeeping', async () => {
  const store = new TestStore();
  const w = await world(store);
  await w.firebell.router.handleMessage(w.event('$4', '!help'));
  assert.equal(HANDLED_RETENTION_MS, 7 * 86_400_000);
  for (let day = 1; day <= 7; day += 1) {
    w.clock.increment(86_400_000);
    await w.firebell.idle();
  }
  assert.equal(await store.handled('matrix:matrix:$4'), true, 'still there after seven days');
  w.clock.increment(86_400_000);
  await w.firebell.idle();
  assert.equal(await store.handled('matrix:matrix:$4'), false, 'forgotten on the eighth');
});
