/**
 * Edges of monitoring intake found in review: what happens when a person takes the incident while its
 * close is pending, and when an alert the holder was asked about fires again.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { testConfig } from '../support/config-fixture.js';
import { ircUser } from '../support/fake-network.js';
import { intakeWorld, stopIntakeWorlds } from './intake-world.js';

afterEach(stopIntakeWorlds);

const config = testConfig({ intake: { group: 'infra', routes: [], flapWindowMinutes: 5 } });

/** One Alertmanager group with one alert, firing or resolved (payload version 4). */
const group = (status: 'firing' | 'resolved'): Record<string, unknown> => ({
  version: '4',
  groupKey: '{}:{alertname="CephDegraded"}',
  truncatedAlerts: 0,
  status,
  receiver: 'firebell',
  groupLabels: { alertname: 'CephDegraded' },
  commonLabels: { alertname: 'CephDegraded', severity: 'critical' },
  commonAnnotations: { summary: 'ceph is degraded' },
  externalURL: 'http://alertmanager.example.org:9093',
  alerts: [{ status, labels: { alertname: 'CephDegraded' }, annotations: {}, fingerprint: 'c0' }],
});

test('acknowledged while its close is pending: the close does not happen under the person, who is asked', async () => {
  const { w, post } = await world();
  await post('/hooks/alertmanager', group('firing'));
  assert.deepEqual((await post('/hooks/alertmanager', group('resolved'))).json(), {
    action: 'resolve-pending',
    incident: 1,
  });
  await w.at(2);
  w.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await w.settle();
  assert.equal(w.firebell.service.get(1)?.context.assignee?.name, 'Ana');
  await w.at(10);
  assert.equal(w.firebell.service.get(1)?.open, true, 'Ana holds it: monitoring does not close it under her');
  const asks = w.irc.lines().filter((line) => line.includes('confirm with'));
  assert.equal(asks.length, 1, 'she is asked to confirm instead');
  assert.match(asks[0] ?? '', /Monitoring \(alertmanager\) says #1 is resolved\. Ana, you hold it/);
});

test('fires again after its holder was asked to confirm: the channel hears it, and the next resolve asks again', async () => {
  const { w, post } = await world();
  await post('/hooks/alertmanager', group('firing'));
  w.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await w.settle();
  assert.equal((await post('/hooks/alertmanager', group('resolved'))).json().action, 'confirm-asked');
  await w.at(3);
  const again = await post('/hooks/alertmanager', group('firing'));
  assert.deepEqual(again.json(), { action: 'flapping', incident: 1 });
  assert.ok(
    w.irc.lines().some((line) => line.includes('#1 is firing again')),
    'Ana, about to confirm it resolved, hears that it is not',
  );
  await w.at(6);
  await post('/hooks/alertmanager', group('resolved'));
  const asks = w.irc.lines().filter((line) => line.includes('confirm with'));
  assert.equal(asks.length, 2, 'asked again about the new resolve');
});

const world = (): ReturnType<typeof intakeWorld> => intakeWorld(config);
