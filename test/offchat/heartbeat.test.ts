/**
 * The heartbeat calls its URL while firebell is healthy and stops when the store fails (the outside
 * service then raises the alarm), calling again once commits succeed; with no network connected it is
 * silent too, and a tick far later than due counts as timers not running.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../support/until.js';
import { createServer, type Server } from 'node:http';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { HeartbeatPinger, unhealthyBecause } from '../../src/offchat/heartbeat-pinger.js';
import { coreWorld, stopWorlds } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await stopWorlds();
});

/** A dead-man's-switch endpoint that counts the calls it gets. */
async function monitor(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/ping/check-uuid') calls += 1;
    response.end('OK');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/ping/check-uuid`, calls: () => calls };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('the heartbeat stops when the store fails and resumes when it works again', async () => {
  const w = await coreWorld();
  const { url, calls } = await monitor();
  const pinger = new HeartbeatPinger({
    url,
    everyMs: 40,
    readiness: w.firebell,
    clock: systemClock,
    logger: silentLogger,
  });
  cleanups.push(() => pinger.stop());
  pinger.start();
  await until(() => calls() >= 3, 'three calls while healthy');

  w.store.failCommits = 1_000;
  w.irc.type('#infra', ircUser('alice', 'alice'), '!incident database down');
  await w.firebell.idle();
  assert.equal(w.firebell.storeHealth().ok, false);
  await sleep(100);
  const whenFailing = calls();
  await sleep(300);
  assert.equal(calls(), whenFailing, 'no call while the store fails');

  w.store.failCommits = 0;
  await w.at(1);
  await w.firebell.idle();
  assert.equal(w.firebell.storeHealth().ok, true);
  await until(() => calls() > whenFailing, 'a call once the store works again');
});

test('not healthy: no network connected, or timers running late', () => {
  const store = { ok: true } as const;
  assert.equal(
    unhealthyBecause(
      { storeHealth: () => store, networkStates: () => ({ libera: 'disconnected' }) },
      0,
      60_000,
    ),
    'no chat network is connected',
  );
  const up = { storeHealth: () => store, networkStates: () => ({ libera: 'connected' as const }) };
  assert.equal(unhealthyBecause(up, 5_000, 60_000), undefined);
  assert.equal(unhealthyBecause(up, 120_000, 60_000), 'timers run late (120 s behind)');
});
