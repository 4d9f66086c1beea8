/** After a restart the channels hear how long firebell was away and which pages went out late (item 8). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { coreWorld, MIN, stopWorlds, T0 } from '../support/core-world.js';
import { MemoryKeyValueStore } from '../support/memory-kv.js';
import { MemoryIncidentStore } from '../support/memory-incident-store.js';
import { ircUser } from '../support/fake-network.js';
import { downtimeNotice, Heartbeat, HEARTBEAT_MS } from '../../src/core/downtime.js';
import { rich, toPlainText } from '../../src/core/rich-text.js';

afterEach(stopWorlds);

test('the heartbeat keeps "last alive" and marks a clean stop', () => {
  const kv = new MemoryKeyValueStore();
  const clock = new SimulatedClock();
  clock.set(T0);
  const first = new Heartbeat(kv, clock);
  assert.equal(first.begin(), undefined, 'nothing before the very first start');
  for (let beat = 0; beat < 3; beat += 1) clock.increment(HEARTBEAT_MS);
  clock.increment(5_000);
  // Crashed here: the last beat was at T0 + 90 s.
  const second = new Heartbeat(kv, new SimulatedClock());
  assert.deepEqual(second.begin(), { lastAlive: T0 + HEARTBEAT_MS * 3, clean: false });
  const clock3 = new SimulatedClock();
  clock3.set(T0 + 10 * MIN);
  const third = new Heartbeat(kv, clock3);
  third.begin();
  clock3.increment(20_000);
  third.end();
  assert.deepEqual(new Heartbeat(kv, clock3).begin(), { lastAlive: T0 + 10 * MIN + 20_000, clean: true });
});

test('the notice: how long, how, what resumed, which pages were late', () => {
  const notice = downtimeNotice({
    previous: { lastAlive: T0 + 2 * MIN, clean: false },
    startedAt: T0 + 47 * MIN,
    botName: 'firebell',
    resumed: [3, 5],
    late: [{ incidentId: 3, group: 'infra', tier: 2, dueAt: T0 + 20 * MIN }],
  });
  assert.equal(
    toPlainText(rich(notice)),
    'firebell was away from about 15:02 to 15:47 UTC (45 min; it stopped unexpectedly): nothing said to it meanwhile was seen, so repeat any command. Resumed with their timers: incidents #3, #5. Paged late because of it, now: #3 tier 2 (due 15:20 UTC, 27 min late).',
  );
});

test('a restart mid-escalation is announced in the incident’s channels, with the page that went out late', async () => {
  const store = new MemoryIncidentStore();
  const heartbeat = new MemoryKeyValueStore();
  const first = await coreWorld({ store, heartbeat });
  first.irc.type('#infra', ircUser('alice', 'alice'), '!incident gate is failing');
  await first.at(2);
  // firebell dies here without stopping (the last beat was at 2 min); it comes back at 9 min.
  const second = await coreWorld({ store, heartbeat, startAt: T0 + 9 * MIN });
  await second.at(10);
  const said = second.irc.lines();
  assert.equal(
    said[0],
    '#infra: firebell was away from about 15:02 to 15:09 UTC (7 min; it stopped unexpectedly): nothing said to it meanwhile was seen, so repeat any command. Resumed with their timers: incident #1. Paged late because of it, now: #1 tier 1 (due 15:05 UTC, 4 min late).',
  );
  assert.ok(
    said.some((line) => line.includes('paging you (tier 1) for incident #1')),
    'and the page itself',
  );
  assert.equal(second.matrix.lines()[0]?.startsWith('#infra:example.org: firebell was away'), true);
});

test('a short restart with nothing open says nothing; a long one tells every channel', async () => {
  const heartbeat = new MemoryKeyValueStore();
  const first = await coreWorld({ heartbeat });
  await first.at(1);
  await first.firebell.stop();
  const quick = await coreWorld({ heartbeat, startAt: T0 + 3 * MIN });
  await quick.settle();
  assert.deepEqual(quick.all(), [], 'a two-minute restart with no incident is not worth a line');
  await quick.firebell.stop();
  const late = await coreWorld({ heartbeat, startAt: T0 + 60 * MIN });
  await late.settle();
  assert.equal(
    late.irc.lines()[0],
    '#infra: firebell was away from about 15:03 to 16:00 UTC (57 min; it was stopped): nothing said to it meanwhile was seen, so repeat any command.',
  );
});
