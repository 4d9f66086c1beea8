/** `!assign`: a typo must never stop paging (issue 13, item 1). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../../support/core-world.js';
import { contacts, testConfig } from '../../support/config-fixture.js';
import { hours } from '../../support/builders.js';
import { ircUser, matrixUser } from '../../support/fake-network.js';
import type { Contact } from '../../../src/config/config.js';

afterEach(stopWorlds);

const alice = ircUser('alice', 'alice');
const mara: Contact = {
  id: 'mara',
  name: 'Mara Quillfeather',
  irc: { account: 'mquill', nick: 'mquill' },
  timezone: 'America/Chicago',
  hours: hours({ 'mon-fri': '08:00-17:00' }),
  roles: [],
  tier: 2,
  reach: 'both',
};
/** Reachable by e-mail only: firebell has no network to tell her on. */
const dee: Contact = {
  id: 'dee',
  name: 'Dee Offline',
  email: 'dee@example.org',
  timezone: 'UTC',
  hours: hours({ daily: '00:00-24:00' }),
  roles: [],
  reach: 'both',
};
const config = testConfig({ contacts: [...contacts, mara, dee] });

test('!assign with a name that is no contact is refused with the nearest one and the list; paging goes on', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.at(1);
  w.clear();
  w.irc.type('#infra', alice, '!assign marra');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: alice: Nobody called "marra" is a contact; did you mean mara? Contacts: ana, bo, cy, mara, dee. !assign <contact> [id], or !assign me.',
  ]);
  assert.equal(w.firebell.service.get(1)?.phase, 'announced', 'not assigned');
  await w.at(5);
  assert.ok(
    w.irc.lines().some((line) => line.includes('paging you (tier 1) for incident #1')),
    'tier 1 is still paged on time',
  );
});

test('a name far from every contact gets the list without a guess', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.settle();
  w.clear();
  w.irc.type('#infra', alice, '!assign zebedee');
  await w.settle();
  assert.match(
    w.irc.lines()[0] ?? '',
    /^#infra: alice: Nobody called "zebedee" is a contact\. Contacts: ana, /,
  );
});

test('contacts are found whatever the case, by id, first name or nick; "me" is the sender', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!incident gate is failing');
  w.irc.type('#infra', alice, '!incident zuul is stuck');
  w.irc.type('#infra', alice, '!incident gerrit is slow');
  await w.settle();
  w.irc.type('#infra', alice, '!assign Mara 1');
  w.irc.type('#infra', alice, '!assign MQUILL 2');
  w.irc.type('#infra', alice, '!assign me 3');
  await w.settle();
  assert.equal(w.firebell.service.get(1)?.context.assignee?.contactId, 'mara');
  assert.equal(w.firebell.service.get(2)?.context.assignee?.contactId, 'mara');
  assert.equal(w.firebell.service.get(3)?.context.assignee?.name, 'alice');
  assert.ok(w.irc.lines().includes('#infra: Incident #3 assigned to alice by alice; nobody will be paged.'));
});

test('assigning someone firebell cannot reach on any network warns, with how to page again', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.settle();
  w.clear();
  w.irc.type('#infra', alice, '!assign dee');
  await w.settle();
  assert.ok(
    w.irc
      .lines()
      .includes(
        '#infra: alice: Assigned #1 to Dee Offline, but firebell cannot reach them on any network it is connected to, so they may not know: tell them yourself, or !unack 1 to page the tiers again.',
      ),
    w.irc.lines().join('\n'),
  );
});

test('!ack on a taken incident suggests the takeover that assigns the sender: !assign me, never their nick', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.settle();
  w.irc.type('#infra', alice, '!ack');
  await w.settle();
  w.clear();
  // Nick "bo", identified as robert: "!assign bo 1" would hand the incident to the contact Bo.
  w.irc.type('#infra', ircUser('bo', 'robert'), '!ack');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: bo: Incident #1 is already acknowledged by alice; to take it over: !assign me 1',
  ]);
});

test('!ack by the person who already holds the incident says it is theirs, not how to take it over', async () => {
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.settle();
  w.irc.type('#infra', alice, '!assign ana');
  await w.settle();
  w.clear();
  w.matrix.type('#infra:example.org', matrixUser('@ana:example.org', 'Ana'), '!ack');
  await w.settle();
  assert.deepEqual(w.matrix.lines(), [
    '#infra:example.org: Ana: Incident #1 is already yours; paging is stopped.',
  ]);
});
