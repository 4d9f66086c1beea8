/** Words that are true (issue 13, item 11). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../support/core-world.js';
import { testConfig } from '../support/config-fixture.js';
import { ircUser } from '../support/fake-network.js';
import { saySameThing } from '../../src/core/incident-dedupe.js';
import { shorten } from '../../src/core/format/shorten.js';

afterEach(stopWorlds);

const alice = ircUser('alice', 'alice');
const ana = ircUser('ana', 'ana');

test('"1 channel or room", not "1 channels"', async () => {
  const base = testConfig();
  const group = base.groups[0];
  assert.ok(group);
  const config = testConfig({ groups: [{ ...group, members: group.members.slice(0, 1) }] });
  const w = await coreWorld({ config });
  w.irc.type('#infra', ana, '#status notice gate recovering');
  await w.settle();
  assert.ok(
    w.irc.lines().includes('#infra: ana: Sending notice to 1 channel or room.'),
    w.irc.lines().join('\n'),
  );
});

test('"paging stopped" only when someone was paged', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', alice, '!incident gate is failing');
  w.irc.type('#infra', alice, '!incident zuul is stuck');
  await w.at(1);
  w.irc.type('#infra', ana, '!ack 1');
  await w.at(6);
  w.irc.type('#infra', ana, '!ack 2');
  w.irc.type('#infra', alice, '!assign bo 2');
  await w.settle();
  const said = w.irc.lines();
  assert.ok(said.includes('#infra: Incident #1 acknowledged by Ana after 1 min; nobody will be paged.'));
  assert.ok(said.includes('#infra: Incident #2 acknowledged by Ana after 6 min; paging stopped.'));
  assert.ok(said.includes('#infra: Incident #2 assigned to Bo by alice.'), 'a reassignment stops nothing');
});

test('summaries that share words but name different things are different incidents', () => {
  const pairs: Array<[string, string, boolean]> = [
    ['PyPI mirror errors are failing gate jobs', 'pypi mirror errors failing the gate jobs!', true],
    ['gate jobs failing: PyPI mirror errors', 'PyPI mirror errors are failing gate jobs', true],
    ['the gerrit server is down', 'gerrit server down again', true],
    ['mirorr errors in the gate', 'mirror errors in the gate', true],
    [
      'mirror errors on ovh nodes are failing jobs in the gate',
      'mirror errors on rax nodes are failing jobs in the gate',
      false,
    ],
    ['host12 unreachable', 'host13 unreachable', false],
    ['zuul scheduler is stuck', 'zuul executors are stuck', false],
    ['gerrit', 'gerrit is slow', false],
  ];
  for (const [a, b, same] of pairs) assert.equal(saySameThing(a, b), same, `${a} / ${b}`);
});

test('an unrelated incident 10 minutes later that shares most words is declared, not joined', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', alice, '!incident mirror errors on ovh nodes are failing jobs in the gate');
  await w.at(10);
  w.irc.type('#infra', alice, '!incident mirror errors on rax nodes are failing jobs in the gate');
  await w.settle();
  assert.equal(w.firebell.service.open().length, 2);
});

test('a long summary is accepted whole, shortened in chat, and kept in full', async () => {
  const w = await coreWorld();
  const long = `The gate is failing because ${'the PyPI mirror returns stale indexes and '.repeat(10)}nobody knows why`;
  assert.ok(long.length > 300);
  w.irc.type('#infra', alice, `!incident ${long}`);
  await w.settle();
  const announcement = w.irc.lines()[0] ?? '';
  assert.ok(announcement.startsWith('#infra: Incident #1 declared by alice: The gate is failing because'));
  assert.ok(announcement.includes('…'), announcement);
  assert.ok(announcement.length < 400, `${announcement.length} characters`);
  assert.equal(w.firebell.service.get(1)?.context.summary, long, 'the full text is kept');
  w.clear();
  w.irc.type('alice', alice, '!status 1', { direct: true });
  await w.settle();
  assert.ok(w.irc.lines()[0]?.includes(long), 'a private !status shows it whole');
  w.clear();
  w.irc.type('#infra', alice, '!status 1');
  await w.settle();
  assert.match(w.irc.lines()[0] ?? '', /The whole summary: !status 1 in a private message\.$/);
});

test('shorten cuts at a word, with an ellipsis, and leaves short text alone', () => {
  assert.equal(shorten('gate is failing'), 'gate is failing');
  assert.equal(shorten('alpha beta gamma delta epsilon zeta', 25), 'alpha beta gamma delta…');
  assert.equal([...shorten('x'.repeat(500))].length, 200);
});
