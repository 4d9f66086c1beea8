/**
 * Edges of monitoring intake found in review: what happens when a person takes the incident while its
 * close is pending, and when an alert the holder was asked about fires again.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { testConfig } from '../support/config-fixture.js';
import { ircUser } from '../support/fake-network.js';
import { GENERIC_TOKEN, GRAFANA_TOKEN, intakeWorld, stopIntakeWorlds } from './intake-world.js';

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

test('acknowledged and resolved by hand within the flap window: nobody is asked about it afterwards', async () => {
  const { w, post } = await world();
  await post('/hooks/alertmanager', group('firing'));
  await post('/hooks/alertmanager', group('resolved'));
  await w.at(2);
  w.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await w.settle();
  w.irc.type('#infra', ircUser('ana', 'ana'), '!resolved 1');
  await w.settle();
  assert.equal(w.firebell.service.get(1)?.open ?? false, false, 'resolved by Ana');
  await w.at(10);
  assert.deepEqual(
    w.irc.lines().filter((line) => line.includes('confirm with')),
    [],
    'no question about an incident already resolved',
  );
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

/**
 * Grafana's webhook for one rule firing on `hosts` hosts, its `message` rendered by Grafana's default
 * template (`__text_alert_list`: each alert's value, labels, annotations and links), which grows with the group.
 */
function grafanaGroup(hosts: number): Record<string, unknown> {
  const alerts = Array.from({ length: hosts }, (_, index) => {
    const host = `node${String(index).padStart(3, '0')}.dc1.example.org`;
    const labels = {
      alertname: 'DiskFull',
      grafana_folder: 'Storage',
      host,
      mountpoint: '/var',
      team: 'storage',
    };
    return {
      status: 'firing',
      labels,
      annotations: { summary: `disk on ${host} is almost full` },
      generatorURL: `https://grafana.example.org/alerting/grafana/disk-full/view?orgId=1`,
      fingerprint: index.toString(16).padStart(16, '0'),
      silenceURL: `https://grafana.example.org/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DDiskFull&matcher=host%3D${host}&orgId=1`,
      dashboardURL: 'https://grafana.example.org/d/disks?orgId=1',
      panelURL: 'https://grafana.example.org/d/disks?orgId=1&viewPanel=2',
      values: { B: 97.2 },
      valueString: `[ var='B' labels={host=${host}} value=97.2 ]`,
    };
  });
  const message = alerts
    .map(
      (alert) =>
        `Value: B=97.2\nLabels:\n${Object.entries(alert.labels)
          .map(([key, value]) => ` - ${key} = ${value}\n`)
          .join(
            '',
          )}Annotations:\n - summary = ${alert.annotations.summary}\nSource: ${alert.generatorURL}\n` +
        `Silence: ${alert.silenceURL}\nDashboard: ${alert.dashboardURL}\nPanel: ${alert.panelURL}\n`,
    )
    .join('\n');
  return {
    receiver: 'firebell',
    status: 'firing',
    orgId: 1,
    alerts,
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', grafana_folder: 'Storage', mountpoint: '/var', team: 'storage' },
    commonAnnotations: {},
    externalURL: 'https://grafana.example.org/',
    version: '1',
    groupKey: '{}/{alertname="DiskFull"}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    title: `[FIRING:${hosts}] DiskFull Storage (/var storage)`,
    state: 'alerting',
    message: `**Firing**\n\n${message}`,
  };
}

test('Grafana: a rule firing on 150 hosts, its default message past 64 KiB, still declares its incident', async () => {
  const { w, post } = await intakeWorld(config, 1024 * 1024);
  const payload = grafanaGroup(150);
  assert.ok(String(payload.message).length > 65_536, 'the default message of 150 alerts is over 64 KiB');
  assert.ok(JSON.stringify(payload).length < 1024 * 1024, 'the body is within the listener limit');
  const answer = await post('/hooks/grafana', payload, GRAFANA_TOKEN);
  assert.equal(answer.status, 202, answer.text);
  assert.deepEqual(answer.json(), { action: 'declared', incident: 1 });
  assert.equal(w.firebell.service.get(1)?.context.summary, 'DiskFull Storage (/var storage) (150 alerts)');
});

test('an authenticated payload refused (too large, invalid, not JSON) is logged with why, never its body', async () => {
  const { post, logger } = await world();
  const big = await post('/hooks/alertmanager', { ...group('firing'), receiver: 'x'.repeat(70_000) });
  assert.equal(big.status, 413);
  const invalid = await post('/hooks/alertmanager', { ...group('firing'), status: 'on fire' });
  assert.equal(invalid.status, 400);
  const broken = await post('/hooks/generic', '{"summary": "secret-ish body', GENERIC_TOKEN);
  assert.equal(broken.status, 400);
  const form = await post('/hooks/generic', 'summary=x', GENERIC_TOKEN, 'application/x-www-form-urlencoded');
  assert.equal(form.status, 415);
  const refused = logger.entries.filter((entry) => entry.message === 'intake payload refused');
  assert.deepEqual(
    refused.map((entry) => [entry.fields.source, entry.fields.status]),
    [
      ['alertmanager', 413],
      ['alertmanager', 400],
      ['generic', 400],
      ['generic', 415],
    ],
    'the sender does not retry a 4xx: the alert is lost unless someone reads this',
  );
  assert.match(String(refused[1]?.fields.reason), /body\/status must be equal to one of the allowed values/);
  assert.doesNotMatch(JSON.stringify(logger.entries), /secret-ish|xxxxxxxx/);
});

test('Alertmanager: a long description annotation (a runbook, a templated table) does not refuse the group', async () => {
  const { w, post } = await world();
  const description = `ceph health is HEALTH_WARN:\n${'  osd.12 is near full (87%)\n'.repeat(60)}`;
  assert.ok(description.length > 1024);
  const payload = group('firing');
  const answer = await post('/hooks/alertmanager', {
    ...payload,
    commonAnnotations: { summary: 'ceph is degraded', description },
    alerts: [{ status: 'firing', labels: { alertname: 'CephDegraded' }, annotations: { description } }],
  });
  assert.equal(answer.status, 202, answer.text);
  assert.equal(w.firebell.service.get(1)?.context.summary, '[critical] ceph is degraded');
});

test('a summary templated from outside data cannot reorder or hide the text around it in chat', async () => {
  const { w, post } = await world();
  // An annotation such as "5xx on {{ $labels.path }}", where the path came from a stranger's request.
  const summary = '5xx on /\u202e21 kca! \u2066x\u2069\u200b\ufeff';
  const answer = await post('/hooks/alertmanager', {
    ...group('firing'),
    commonAnnotations: { summary },
  });
  assert.equal(answer.status, 202);
  assert.equal(w.firebell.service.get(1)?.context.summary, '[critical] 5xx on /21 kca! x');
  assert.ok(
    !w.irc.lines().some((line) => /[\u200b\u2066-\u2069\u202a-\u202e\ufeff]/.test(line)),
    'no bidi override, isolate or invisible character reaches IRC',
  );
});

test('a long label value (a log line a Loki rule extracted) does not refuse the group', async () => {
  const { w, post } = await world();
  const msg = `panic: runtime error: index out of range\n${'\tgoroutine 1 [running]: main.handle(...)\n'.repeat(40)}`;
  assert.ok(msg.length > 1024);
  const answer = await post('/hooks/alertmanager', {
    ...group('firing'),
    alerts: [{ status: 'firing', labels: { alertname: 'CephDegraded', msg }, annotations: {} }],
  });
  assert.equal(answer.status, 202, answer.text);
  assert.equal(w.firebell.service.open().length, 1);
});

test("a group key past 2 KiB (group_by: ['...'] over long labels) is one incident, not a 400", async () => {
  const { w, post } = await world();
  const msg = 'x'.repeat(3_000);
  const payload = {
    ...group('firing'),
    groupKey: `{}:{alertname="CephDegraded", msg="${msg}"}`,
    alerts: [{ status: 'firing', labels: { alertname: 'CephDegraded', msg }, annotations: {} }],
  };
  assert.deepEqual((await post('/hooks/alertmanager', payload)).json(), { action: 'declared', incident: 1 });
  assert.deepEqual((await post('/hooks/alertmanager', payload)).json(), { action: 'repeated', incident: 1 });
  const other = { ...payload, groupKey: `{}:{alertname="CephDegraded", msg="${msg}y"}` };
  assert.deepEqual((await post('/hooks/alertmanager', other)).json(), { action: 'declared', incident: 2 });
  assert.equal(w.firebell.service.open().length, 2);
});

const world = (): ReturnType<typeof intakeWorld> => intakeWorld(config);
