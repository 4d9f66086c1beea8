/**
 * Monitoring intake on the real HTTP listener: tokens, bad and oversized payloads, Alertmanager's and
 * Grafana's documented payloads re-sent as their senders do, updates without re-announcing, resolve
 * (held for the flap window; a person's incident is left to them), flapping, and the generic hook's group
 * and severity routing.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreWorld } from '../support/core-world.js';
import { testConfig, testPolicy } from '../support/config-fixture.js';
import { ircUser } from '../support/fake-network.js';
import { GENERIC_TOKEN, GRAFANA_TOKEN, intakeWorld, stopIntakeWorlds } from './intake-world.js';
import { makePolicy } from '../support/builders.js';

afterEach(stopIntakeWorlds);

const config = testConfig({
  groups: [
    ...testConfig().groups,
    {
      id: 'storage',
      members: [{ network: 'libera', conversation: '#storage', topic: false, status: false }],
      relay: false,
      relayJoinsAndParts: false,
    },
  ],
  policies: { default: testPolicy, urgent: makePolicy({ tiers: [{ tier: 1, afterMinutes: 1 }] }) },
  intake: {
    group: 'infra',
    routes: [{ match: { severity: 'page-now' }, policy: 'urgent' }],
    flapWindowMinutes: 5,
  },
});

const world = (): ReturnType<typeof intakeWorld> => intakeWorld(config);

/** Alertmanager's webhook payload, version 4, as its documentation gives it. */
function alertmanager(status: 'firing' | 'resolved', instances = ['mirror01']): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="PypiMirrorDown"}',
    truncatedAlerts: 0,
    status,
    receiver: 'firebell',
    groupLabels: { alertname: 'PypiMirrorDown' },
    commonLabels: { alertname: 'PypiMirrorDown', severity: 'critical', job: 'mirror' },
    commonAnnotations: { summary: 'PyPI mirror is returning errors' },
    externalURL: 'http://alertmanager.example.org:9093',
    alerts: instances.map((instance, index) => ({
      status,
      labels: { alertname: 'PypiMirrorDown', severity: 'critical', job: 'mirror', instance },
      annotations: { summary: 'PyPI mirror is returning errors' },
      startsAt: '2026-11-25T15:00:00Z',
      endsAt: status === 'resolved' ? '2026-11-25T15:20:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org/graph?g0.expr=up%3D%3D0',
      fingerprint: `f${index}`,
    })),
  };
}

/** Grafana alerting's webhook contact point, as its documentation gives it. */
const grafana = {
  receiver: 'firebell-contact-point',
  status: 'firing',
  orgId: 1,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'Disk almost full', grafana_folder: 'Storage', host: 'ceph03' },
      annotations: {},
      startsAt: '2026-11-25T15:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'https://grafana.example.org/alerting/grafana/abc/view',
      fingerprint: '57c6d9296de2ad39',
      silenceURL: 'https://grafana.example.org/alerting/silence/new',
      dashboardURL: '',
      panelURL: '',
      values: { B: 97.2 },
      valueString: "[ var='B' labels={host=ceph03} value=97.2 ]",
    },
  ],
  groupLabels: { alertname: 'Disk almost full' },
  commonLabels: { alertname: 'Disk almost full', grafana_folder: 'Storage', host: 'ceph03' },
  commonAnnotations: {},
  externalURL: 'https://grafana.example.org/',
  version: '1',
  groupKey: '{}/{alertname="Disk almost full"}:{alertname="Disk almost full"}',
  truncatedAlerts: 0,
  title: '[FIRING:1] Disk almost full Storage (ceph03)',
  state: 'alerting',
  message: '**Firing**\n\nValue: B=97.2',
};

const announcements = (w: CoreWorld): string[] => w.irc.lines().filter((line) => line.includes('Incident #'));

test('a wrong or missing token is refused before the body is read, logged without the body', async () => {
  const { w, post, logger } = await world();
  const missing = await post('/hooks/alertmanager', alertmanager('firing'), null);
  assert.equal(missing.status, 401);
  assert.equal(missing.text, 'unauthorized\n');
  const wrong = await post('/hooks/alertmanager', { secret: 'do not echo me' }, 'not-the-token-at-all');
  assert.equal(wrong.status, 401);
  assert.doesNotMatch(wrong.text, /echo/);
  const crossed = await post('/hooks/alertmanager', alertmanager('firing'), GRAFANA_TOKEN);
  assert.equal(crossed.status, 401, "one source's token does not open another's hook");
  const refusals = logger.entries.filter((entry) => entry.message === 'intake request refused: bad token');
  assert.equal(refusals.length, 3);
  assert.doesNotMatch(JSON.stringify(logger.entries), /do not echo me|not-the-token-at-all/);
  assert.equal(w.firebell.service.open().length, 0, 'nothing was declared');
});

test('a bad payload gets 400 with the reason, an oversized one 413, another content type 415', async () => {
  const { w, post } = await world();
  const bad = await post('/hooks/alertmanager', { ...alertmanager('firing'), status: 'on fire' });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /body\/status must be equal to one of the allowed values/);
  const missing = await post('/hooks/generic', { summary: 'no key' }, GENERIC_TOKEN);
  assert.equal(missing.status, 400);
  assert.match(missing.text, /must have required property 'dedupKey'/);
  const big = await post('/hooks/generic', { summary: 'x', dedupKey: 'y'.repeat(70_000) }, GENERIC_TOKEN);
  assert.equal(big.status, 413);
  const text = await post('/hooks/generic', 'summary=x', GENERIC_TOKEN, 'application/x-www-form-urlencoded');
  assert.equal(text.status, 415);
  assert.equal(w.firebell.service.open().length, 0);
});

test('Alertmanager: one group, one incident, however often it is re-sent; more alerts update it quietly', async () => {
  const { w, post } = await world();
  const first = await post('/hooks/alertmanager', alertmanager('firing'));
  assert.equal(first.status, 202);
  assert.deepEqual(first.json(), { action: 'declared', incident: 1 });
  assert.equal(w.firebell.service.get(1)?.context.summary, '[critical] PyPI mirror is returning errors');
  assert.equal(announcements(w).length, 1);
  for (let repeat = 0; repeat < 3; repeat += 1)
    assert.deepEqual((await post('/hooks/alertmanager', alertmanager('firing'))).json(), {
      action: 'repeated',
      incident: 1,
    });
  const more = await post(
    '/hooks/alertmanager',
    alertmanager('firing', ['mirror01', 'mirror02', 'mirror03']),
  );
  assert.deepEqual(more.json(), { action: 'updated', incident: 1 });
  await w.settle();
  assert.equal(w.firebell.service.open().length, 1);
  assert.equal(announcements(w).length, 1, 'announced once');
  assert.ok(w.irc.lines().some((line) => line.includes('#1: 2 more alerts firing (3 in all).')));
});

test('resolved: held for the flap window, then closed by its source; a flap within it keeps the incident', async () => {
  const { w, post } = await world();
  await post('/hooks/alertmanager', alertmanager('firing'));
  assert.deepEqual((await post('/hooks/alertmanager', alertmanager('resolved'))).json(), {
    action: 'resolve-pending',
    incident: 1,
  });
  assert.ok(w.irc.lines().some((line) => line.includes('closes in 5 min unless it fires again')));
  await w.at(2);
  assert.deepEqual((await post('/hooks/alertmanager', alertmanager('firing'))).json(), {
    action: 'flapping',
    incident: 1,
  });
  assert.equal(announcements(w).length, 1, 'the flap did not announce it again');
  await w.at(10);
  assert.equal(w.firebell.service.get(1)?.open, true, 'still open: it fired again');
  await post('/hooks/alertmanager', alertmanager('resolved'));
  await w.at(14);
  assert.equal(w.firebell.service.get(1)?.open, true, 'not yet: 5 min from the resolve');
  await w.at(16);
  assert.equal(w.firebell.service.get(1), undefined, 'closed');
  const timeline = await w.store.timeline(1);
  assert.equal(timeline.at(-1)?.kind, 'resolved-by-source');
  const again = await post('/hooks/alertmanager', alertmanager('firing'));
  assert.deepEqual(
    again.json(),
    { action: 'declared', incident: 2 },
    'a new firing after the close is a new incident',
  );
});

test('resolved while a person holds the incident: they are asked to confirm, it stays open', async () => {
  const { w, post } = await world();
  await post('/hooks/alertmanager', alertmanager('firing'));
  w.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await w.settle();
  assert.deepEqual((await post('/hooks/alertmanager', alertmanager('resolved'))).json(), {
    action: 'confirm-asked',
    incident: 1,
  });
  await post('/hooks/alertmanager', alertmanager('resolved'));
  const asks = w.irc.lines().filter((line) => line.includes('confirm with'));
  assert.equal(asks.length, 1, 'asked once');
  assert.match(
    asks[0] ?? '',
    /Monitoring \(alertmanager\) says #1 is resolved\. Ana, you hold it: confirm with !resolved 1/,
  );
  await w.at(30);
  assert.equal(w.firebell.service.get(1)?.open, true);
});

test('Grafana: its documented payload declares an incident named from its title', async () => {
  const { w, post } = await world();
  const response = await post('/hooks/grafana', grafana, GRAFANA_TOKEN);
  assert.deepEqual(response.json(), { action: 'declared', incident: 1 });
  assert.equal(w.firebell.service.get(1)?.context.summary, 'Disk almost full Storage (ceph03)');
  assert.deepEqual((await post('/hooks/grafana', grafana, GRAFANA_TOKEN)).json(), {
    action: 'repeated',
    incident: 1,
  });
});

test('the generic hook: its group and its severity choose where it goes and how it escalates', async () => {
  const { w, post } = await world();
  const stored = await post(
    '/hooks/generic',
    {
      summary: 'ceph is degraded\r\nPRIVMSG #x :injected',
      dedupKey: 'ceph-health',
      group: 'storage',
      severity: 'page-now',
    },
    GENERIC_TOKEN,
  );
  assert.deepEqual(stored.json(), { action: 'declared', incident: 1 });
  const incident = w.firebell.service.get(1);
  assert.equal(incident?.context.group, 'storage');
  assert.equal(
    incident?.context.summary,
    '[page-now] ceph is degraded PRIVMSG #x :injected',
    'one line, whatever was sent',
  );
  assert.deepEqual(
    incident?.context.policy.tiers.map((tier) => tier.afterMinutes),
    [1],
    'the urgent policy',
  );
  const unknown = await post(
    '/hooks/generic',
    { summary: 'x', dedupKey: 'k2', group: 'no-such-group' },
    GENERIC_TOKEN,
  );
  assert.deepEqual(unknown.json(), { action: 'declared', incident: 2 });
  assert.equal(
    w.firebell.service.get(2)?.context.group,
    'infra',
    'an unknown group falls back to intake.group',
  );
  const resolved = await post(
    '/hooks/generic',
    { summary: 'x', dedupKey: 'never-fired', status: 'resolved' },
    GENERIC_TOKEN,
  );
  assert.deepEqual(resolved.json(), { action: 'ignored' });
});
