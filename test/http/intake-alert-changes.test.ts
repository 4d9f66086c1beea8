/**
 * What the channel hears when the alerts of an open group change without their count growing, and when
 * Alertmanager left some alerts out of the payload (max_alerts, counted in truncatedAlerts).
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { testConfig } from '../support/config-fixture.js';
import { intakeWorld, stopIntakeWorlds } from './intake-world.js';

afterEach(stopIntakeWorlds);

const config = testConfig({ intake: { group: 'infra', routes: [], flapWindowMinutes: 5 } });

/** One Alertmanager group (payload version 4) with these hosts firing, each its own fingerprint. */
const group = (hosts: string[], truncatedAlerts = 0): Record<string, unknown> => ({
  version: '4',
  groupKey: '{}:{alertname="DiskFull"}',
  truncatedAlerts,
  status: 'firing',
  receiver: 'firebell',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull' },
  commonAnnotations: { summary: 'disk full' },
  alerts: hosts.map((host) => ({
    status: 'firing',
    labels: { alertname: 'DiskFull', host },
    annotations: {},
    fingerprint: `fp-${host}`,
  })),
});

test('one alert resolves and another fires, the count unchanged: the channel hears the alerts changed', async () => {
  const { w, post } = await intakeWorld(config);
  await post('/hooks/alertmanager', group(['db1', 'db2']));
  assert.deepEqual((await post('/hooks/alertmanager', group(['db2', 'db1']))).json(), {
    action: 'repeated',
    incident: 1,
  });
  w.clear();
  const swapped = await post('/hooks/alertmanager', group(['db1', 'db3']));
  assert.deepEqual(swapped.json(), { action: 'updated', incident: 1 });
  assert.ok(
    w.irc
      .lines()
      .some((line) => line.includes('#1: other alerts fire now: some resolved, as many new (2 in all).')),
    w.irc.lines().join('\n'),
  );
  assert.deepEqual((await post('/hooks/alertmanager', group(['db3', 'db1']))).json(), {
    action: 'repeated',
    incident: 1,
  });
});

test('alerts Alertmanager left out of the payload (truncatedAlerts) are said, not passed off as listed', async () => {
  const { w, post } = await intakeWorld(config);
  assert.deepEqual((await post('/hooks/alertmanager', group(['db1', 'db2'], 5))).json(), {
    action: 'declared',
    incident: 1,
  });
  assert.equal(
    w.firebell.service.get(1)?.context.summary,
    'disk full (2 alerts firing and 5 more that alertmanager left out)',
  );
  w.clear();
  await post('/hooks/alertmanager', group(['db1', 'db2', 'db3'], 9));
  assert.ok(
    w.irc
      .lines()
      .some((line) =>
        line.includes('#1: 5 more alerts firing (12 in all, 9 of them left out by alertmanager).'),
      ),
    w.irc.lines().join('\n'),
  );
});
