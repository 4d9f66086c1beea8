/**
 * The intake's bookkeeping (one row per alert group key ever seen) is forgotten once its incident is no
 * longer open and the row is past its retention; rows of open incidents are kept however old.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds, MIN, T0 } from '../support/core-world.js';
import { testConfig } from '../support/config-fixture.js';
import { TestStore } from '../support/test-store.js';
import type { IntakeAlert } from '../../src/core/intake/intake-alert.js';

afterEach(stopWorlds);

const DAY = 24 * 60 * MIN;
const config = testConfig({ intake: { group: 'infra', routes: [], flapWindowMinutes: 0 } });

const alert = (key: string, status: 'firing' | 'resolved'): IntakeAlert => ({
  source: 'alertmanager',
  key,
  receiver: 'firebell',
  status,
  summary: key,
  labels: {},
  firing: status === 'firing' ? 1 : 0,
});

test("a closed incident's intake rows are pruned after their retention; an open one's are kept", async () => {
  const store = new TestStore();
  const first = await coreWorld({ config, store });
  const intake = first.firebell.intake;
  assert.ok(intake);
  intake.receive(alert('gone', 'firing'));
  intake.receive(alert('gone', 'resolved'));
  intake.receive(alert('still-firing', 'firing'));
  await first.settle();
  await first.firebell.stop();

  const soon = await coreWorld({ config, store, startAt: T0 + 10 * DAY });
  const keysOf = (world: typeof soon): string[] =>
    world.durable.keyValues
      .entries('intake')
      .map(([key]) => key)
      .sort();
  assert.deepEqual(keysOf(soon), ['gone', 'still-firing'], 'within the retention both are kept');
  await soon.firebell.stop();

  const later = await coreWorld({ config, store, startAt: T0 + 41 * DAY });
  await later.settle();
  assert.deepEqual(keysOf(later), ['still-firing'], "the closed incident's row is gone");
  await later.firebell.stop();
  const again = await coreWorld({ config, store, startAt: T0 + 41 * DAY + MIN });
  assert.deepEqual(keysOf(again), ['still-firing'], 'and gone from the store');
  assert.deepEqual(again.firebell.intake?.receive(alert('still-firing', 'firing')), {
    action: 'repeated',
    incident: 2,
  });
});
