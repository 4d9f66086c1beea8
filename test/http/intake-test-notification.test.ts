/**
 * Grafana's "Test" button on a contact point sends a made-up alert (grafana/alerting notify/testing.go):
 * firebell answers 200, says in the channel that a test arrived, and declares nothing, so nobody is paged.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { testConfig } from '../support/config-fixture.js';
import { GRAFANA_TOKEN, intakeWorld, stopIntakeWorlds } from './intake-world.js';

afterEach(stopIntakeWorlds);

const config = testConfig({ intake: { group: 'infra', routes: [], flapWindowMinutes: 5 } });

/** What Grafana sends for the test, its default alert (the receiver is empty in some versions). */
const grafanaTest = (
  receiver: string,
  labels = { alertname: 'TestAlert', instance: 'Grafana' },
): unknown => ({
  receiver,
  status: 'firing',
  orgId: 1,
  alerts: [
    {
      status: 'firing',
      labels,
      annotations: { summary: 'Notification test' },
      startsAt: '2026-12-07T02:09:54.917072407Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: '',
      fingerprint: '57c6d9296de2ad39',
      silenceURL: 'https://grafana.example.org/alerting/silence/new',
      dashboardURL: '',
      panelURL: '',
      values: null,
      valueString: "[ metric='foo' labels={instance=bar} value=10 ]",
    },
  ],
  groupLabels: {},
  commonLabels: labels,
  commonAnnotations: { summary: 'Notification test' },
  externalURL: 'https://grafana.example.org/',
  version: '1',
  groupKey: '{alertname="TestAlert", instance="Grafana"}2026-12-07 02:09:54.917072407 +0000 UTC m=+1.1',
  truncatedAlerts: 0,
  title: '[FIRING:1]  (TestAlert Grafana)',
  state: 'alerting',
  message: '**Firing**\n\nValue: [no value]\nLabels:\n - alertname = TestAlert\n - instance = Grafana\n',
});

test("Grafana's contact point test: 200, the channel hears a test arrived, nobody is paged", async () => {
  const { w, post } = await intakeWorld(config);
  const named = await post('/hooks/grafana', grafanaTest('firebell-contact-point'), GRAFANA_TOKEN);
  assert.equal(named.status, 200, named.text);
  assert.deepEqual(named.json(), { action: 'test' });
  const unnamed = await post('/hooks/grafana', grafanaTest(''), GRAFANA_TOKEN);
  assert.equal(unnamed.status, 200, unnamed.text);
  const custom = await post(
    '/hooks/grafana',
    grafanaTest('cp', { alertname: 'Mine', instance: 'x' }),
    GRAFANA_TOKEN,
  );
  assert.deepEqual(
    custom.json(),
    { action: 'test' },
    'custom labels in the test dialog: still the test value',
  );
  await w.settle();
  assert.equal(w.firebell.service.open().length, 0, 'no incident, so no page');
  const said = w.irc.lines().filter((line) => line.includes('Test notification from grafana'));
  assert.equal(said.length, 3, w.irc.lines().join('\n'));
  assert.match(
    said[0] ?? '',
    /#infra.*\(firebell-contact-point\) arrived: the hook to firebell works\. No incident, nobody paged\./,
  );
});
