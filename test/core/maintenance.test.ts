/**
 * Maintenance windows: whitelisted people start and end them, verified; during one, alerts from monitoring
 * for the group are recorded but page nobody, while incidents declared in chat still page; windows are
 * announced at start and end, listed by `!maintenance` and `!status`, survive a restart with their end,
 * and can be planned in the config.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds, MIN, T0 } from '../support/core-world.js';
import { testConfig } from '../support/config-fixture.js';
import { ircUser } from '../support/fake-network.js';
import { TestStore } from '../support/test-store.js';
import type { IntakeAlert } from '../../src/core/intake/intake-alert.js';
import { parseCommand, parseDuration } from '../../src/core/commands/parse.js';

afterEach(stopWorlds);

const ana = ircUser('ana', 'ana'); // whitelisted
const alice = ircUser('alice', 'alice'); // verified, not whitelisted
const config = testConfig({ intake: { group: 'infra', routes: [], flapWindowMinutes: 0 } });

const alert = (firing = 1): IntakeAlert => ({
  source: 'alertmanager',
  key: 'alertmanager:firebell:{}:{alertname="MirrorDown"}',
  receiver: 'firebell',
  status: 'firing',
  summary: 'mirror down',
  labels: {},
  firing,
});

test('durations and usage: 30m, 2h, 1h30m; a missing reason or a bad duration gets the usage', () => {
  assert.equal(parseDuration('30m'), 30 * MIN);
  assert.equal(parseDuration('2h'), 120 * MIN);
  assert.equal(parseDuration('1h30m'), 90 * MIN);
  assert.equal(parseDuration('1d'), 24 * 60 * MIN);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration('0m'), undefined);
  const usage = (line: string): string => {
    const result = parseCommand(line);
    return result.kind === 'usage' ? result.problem : result.kind;
  };
  assert.equal(usage('!maintenance infra 2h'), 'say why, so that people know what is going on');
  assert.equal(usage('!maintenance infra soon upgrade'), '"soon" is not a duration');
  assert.equal(usage('!maintenance infra 8d upgrade'), 'at most 7 days at once');
  assert.deepEqual(parseCommand('!maintenance end'), {
    kind: 'command',
    command: { name: 'maintenance', action: 'end', group: 'all' },
  });
});

test('only whitelisted, verified people start one; it holds alerts, not people, and ends on time', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!maintenance infra 1h zuul upgrade');
  await w.settle();
  assert.ok(w.irc.lines().some((line) => line.includes('Not done') && line.includes('whitelist')));
  w.irc.type('#infra', ircUser('ana', undefined), '!maintenance infra 1h zuul upgrade');
  await w.settle();
  assert.equal(w.firebell.maintenance.open().length, 0, 'an unverified "ana" is refused');

  w.irc.type('#infra', ana, '!maintenance infra 1h zuul upgrade');
  await w.settle();
  assert.ok(
    w.irc
      .lines()
      .some((line) =>
        line.includes('Maintenance on group infra until 2026-11-25 16:00 UTC (1 h), by Ana: zuul upgrade'),
      ),
    w.irc.lines().join('\n'),
  );
  const intake = w.firebell.intake;
  assert.ok(intake);
  assert.deepEqual(intake.receive(alert()), { action: 'held' });
  assert.deepEqual(intake.receive(alert()), { action: 'held' });
  assert.deepEqual(intake.receive(alert(3)), { action: 'held' });
  await w.settle();
  assert.equal(w.firebell.service.open().length, 0, 'the alert declared nothing');
  const logged = (await w.status.history(10)).filter((entry) => entry.text.includes('not paged'));
  assert.deepEqual(
    logged.map((entry) => entry.text),
    [
      'during maintenance of infra (zuul upgrade), not paged: mirror down (3 alerts)',
      'during maintenance of infra (zuul upgrade), not paged: mirror down',
    ],
    'recorded once, and again when more fired',
  );

  w.irc.type('#infra', alice, '!incident the gate is down too');
  await w.settle();
  assert.equal(w.firebell.service.open().length, 1, 'a human-declared incident still runs');
  w.clear();
  w.irc.type('#infra', alice, '!status');
  await w.settle();
  assert.ok(
    w.irc.lines().some((line) => line.includes('Maintenance on group infra for 1 h more: zuul upgrade.')),
  );

  await w.at(61);
  assert.ok(
    w.irc.lines().some((line) => line.includes('Maintenance on group infra is over: alerts page again.')),
  );
  assert.equal(w.firebell.service.get(2)?.open, true, 'the window ended: the alert still firing pages');
  assert.deepEqual(intake.receive(alert(3)), { action: 'repeated', incident: 2 });
});

test('a window survives a restart with its end; !maintenance end ends it early', async () => {
  const store = new TestStore();
  const first = await coreWorld({ config, store });
  first.irc.type('#infra', ana, '!maintenance all 2h network move');
  await first.settle();
  await first.firebell.stop();

  const second = await coreWorld({ config, store, startAt: T0 + 30 * MIN });
  assert.equal(second.firebell.maintenance.holding('infra')?.reason, 'network move');
  assert.deepEqual(second.firebell.intake?.receive(alert()), { action: 'held' });
  second.irc.type('#infra', ana, '!maintenance end');
  await second.settle();
  assert.ok(second.irc.lines().some((line) => line.includes('Maintenance on every group ended early')));
  assert.equal(second.firebell.maintenance.open().length, 0);
  second.irc.type('#infra', ana, '!maintenance');
  await second.settle();
  assert.ok(second.irc.lines().some((line) => line.includes('No maintenance window is open.')));
});

test('a planned window from the config is announced at its start and its end, and holds alerts between', async () => {
  const planned = testConfig({
    intake: { group: 'infra', routes: [], flapWindowMinutes: 0 },
    maintenance: [
      { group: 'infra', startsAt: T0 + 10 * MIN, endsAt: T0 + 20 * MIN, reason: 'kernel updates' },
    ],
  });
  const w = await coreWorld({ config: planned });
  assert.deepEqual(w.firebell.intake?.receive({ ...alert(), key: 'before' }), {
    action: 'declared',
    incident: 1,
  });
  await w.at(11);
  assert.ok(
    w.irc
      .lines()
      .some((line) =>
        line.includes('Planned maintenance on group infra until 2026-11-25 15:20 UTC: kernel updates'),
      ),
  );
  assert.deepEqual(w.firebell.intake?.receive({ ...alert(), key: 'during' }), { action: 'held' });
  await w.at(21);
  assert.ok(w.irc.lines().some((line) => line.includes('Planned maintenance on group infra is over')));
  assert.equal(w.firebell.service.get(2)?.open, true, 'the alert held during it, still firing, is declared');
  assert.deepEqual(w.firebell.intake?.receive({ ...alert(), key: 'after' }), {
    action: 'declared',
    incident: 3,
  });
});

test('an alert still firing when its window ends is declared then, not at the next re-send hours later', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', ana, '!maintenance infra 1h zuul upgrade');
  await w.settle();
  const intake = w.firebell.intake;
  assert.ok(intake);
  assert.deepEqual(intake.receive(alert(2)), { action: 'held' });
  const gone = { ...alert(), key: 'gone', summary: 'resolved during the window' };
  assert.deepEqual(intake.receive(gone), { action: 'held' });
  assert.deepEqual(intake.receive({ ...gone, status: 'resolved', firing: 0 }), { action: 'ignored' });
  await w.at(61);
  const open = w.firebell.service.open();
  assert.deepEqual(
    open.map((incident) => incident.context.summary),
    ['mirror down (2 alerts)'],
    'the one still firing is declared when the window ends; the resolved one is not',
  );
  assert.deepEqual(intake.receive(alert(2)), { action: 'repeated', incident: open[0]?.id });
});

test('held alerts are declared when the window is ended early, and after a restart past its end', async () => {
  const store = new TestStore();
  const first = await coreWorld({ config, store });
  first.irc.type('#infra', ana, '!maintenance all 2h network move');
  await first.settle();
  assert.deepEqual(first.firebell.intake?.receive(alert()), { action: 'held' });
  first.irc.type('#infra', ana, '!maintenance end');
  await first.settle();
  assert.equal(first.firebell.service.open().length, 1, 'declared when ended early');

  first.irc.type('#infra', ana, '!maintenance all 1h network move');
  await first.settle();
  assert.deepEqual(first.firebell.intake?.receive({ ...alert(), key: 'other' }), { action: 'held' });
  await first.firebell.stop();
  const second = await coreWorld({ config, store, startAt: T0 + 3 * 60 * MIN });
  await second.settle();
  assert.equal(second.firebell.service.open().length, 2, 'the window ended while firebell was down');
});

test('an alert not heard of for hours before its window ends (silenced, maybe resolved) pages nobody then', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', ana, '!maintenance infra 8h kernel updates');
  await w.settle();
  assert.deepEqual(w.firebell.intake?.receive(alert()), { action: 'held' });
  await w.at(2 * 60);
  assert.deepEqual(w.firebell.intake?.receive({ ...alert(), key: 'heard-late' }), { action: 'held' });
  await w.at(8 * 60 + 1);
  assert.deepEqual(
    w.firebell.service.open().map((incident) => incident.context.summary),
    [],
    'the first was last heard 8 h ago (its re-sends would have come by now), the second 6 h ago',
  );
  const notPaged = (await w.status.history(10)).filter((entry) => entry.text.includes('not heard of since'));
  assert.equal(notPaged.length, 2, 'the status log says why they did not page');
});
