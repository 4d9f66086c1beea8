/** The status history can be read in chat, and only what reached people counts as a status posted (item 3). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../support/core-world.js';
import { testConfig, testPolicy } from '../support/config-fixture.js';
import { ircUser } from '../support/fake-network.js';
import { countsAsStatusPosted } from '../../machines/incident.js';

afterEach(stopWorlds);

const ana = ircUser('ana', 'ana'); // on the whitelist
const alice = ircUser('alice', 'alice');
const reminding = testConfig({
  policies: { default: { ...testPolicy, statusReminder: { afterMinutes: 10, repeatMinutes: null } } },
});

test('which kinds count as "a status was posted"', () => {
  assert.equal(countsAsStatusPosted('alert', 'mirror down'), true);
  assert.equal(countsAsStatusPosted('notice', 'recovering'), true);
  assert.equal(countsAsStatusPosted('ok', 'fixed'), true);
  assert.equal(countsAsStatusPosted('ok', ''), false);
  assert.equal(countsAsStatusPosted('log', 'restarted the job'), false);
});

test('a #status log is recorded but does not silence the reminder; a notice does', async () => {
  const w = await coreWorld({ config: reminding });
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.at(2);
  w.irc.type('#infra', ana, '#status log restarted the mirror job');
  await w.at(10);
  const reminders = (): string[] =>
    w.irc.lines().filter((line) => line.includes('no status update was posted'));
  assert.equal(reminders().length, 1, 'the reminder still came at 10 min');
  assert.ok(
    w.firebell.service
      .get(1)
      ?.context.timeline.some((entry) => entry.detail === 'log: restarted the mirror job'),
    'the log is in the timeline',
  );

  w.irc.type('#infra', alice, '!incident zuul is stuck');
  await w.at(12);
  w.irc.type('#infra', ana, '#status notice zuul is being restarted');
  await w.at(30);
  assert.equal(reminders().length, 1, 'the notice silenced the second incident’s reminder');
});

test('!status shows the alert that is up and the latest entries; !log reads the history', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', ana, '#status alert PyPI mirror problems causing gate failures');
  await w.at(3);
  w.irc.type('#infra', ana, '#status log restarted the mirror job');
  w.irc.type('#infra', alice, '#success the new mirror held up');
  await w.at(5);
  w.clear();

  w.irc.type('#infra', alice, '!status');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: alice: There is no open incident here. Status alert up (Ana, 5 min ago): PyPI mirror problems causing gate failures. Latest: success (alice, 2 min ago): the new mirror held up; log (Ana, 2 min ago): restarted the mirror job. !log shows the history.',
  ]);

  w.clear();
  w.irc.type('#infra', alice, '!log');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: alice: 2026-11-25 15:00 UTC (5 min ago) #status alert by Ana: PyPI mirror problems causing gate failures\n2026-11-25 15:03 UTC (2 min ago) #status log by Ana: restarted the mirror job\n2026-11-25 15:03 UTC (2 min ago) #success by alice: the new mirror held up',
  ]);
});

test('!status with an incident open adds the status line after the incident', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', alice, '!incident gate is failing');
  w.irc.type('#infra', ana, '#status alert gate failures, please stand by');
  await w.at(1);
  w.clear();
  w.irc.type('#infra', alice, '!status');
  await w.settle();
  const lines = w.irc.lines();
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^#infra: alice: #1 gate is failing — announced, not acknowledged/);
  assert.equal(
    lines[1],
    '#infra: alice: Status alert up (Ana, 1 min ago): gate failures, please stand by. !log shows the history.',
  );
});

test('!log with more entries than a channel should hear sends them privately; an empty history says so', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', alice, '!log');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: alice: The status history is empty: nothing was posted with #status or #success yet.',
  ]);
  for (let i = 1; i <= 12; i += 1) w.irc.type('#infra', ana, `#status log step ${i}`);
  await w.settle();
  w.clear();
  w.irc.type('#infra', alice, '!log 10');
  await w.settle();
  const lines = w.irc.lines();
  assert.equal(lines[0], '#infra: alice: Sent you the last 10 status entries in a private message.');
  const privately = w.irc.sent.find((message) => 'person' in message.to);
  assert.ok(privately, 'a private message');
  assert.equal(privately.priority, 'bulk', 'the long list never holds back pages');
  assert.deepEqual(privately.to, {
    network: 'libera',
    person: { name: 'alice', irc: { nick: 'alice', account: 'alice' } },
  });
  assert.equal(lines[1]?.split('\n').length, 10);
  assert.match(lines[1] ?? '', /#status log by Ana: step 3\n/);
  assert.match(lines[1] ?? '', /step 12$/);
  w.clear();
  w.irc.type('#infra', alice, '!log deployed the new mirror');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [], '"!log <message>" belongs to another bot');
});
