import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ircUser, matrixUser } from '../support/fake-network.js';
import { TestStore } from '../support/test-store.js';
import { testConfig } from '../support/config-fixture.js';
import { coreWorld, MIN, stopWorlds, T0 } from '../support/core-world.js';

// The core on fake IRC, Matrix and shell networks, with a SimulatedClock (see test/support/core-world.ts).
const world = coreWorld;
afterEach(stopWorlds);

const alice = ircUser('alice', 'alice');
const ana = ircUser('ana', 'ana');
const impostor = ircUser('ana');

describe('declaring and announcing', () => {
  test('a declaration is announced on every side of the group, with how to ack and the play book', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident PyPI mirror errors are failing gate jobs');
    await w.settle();
    const expected =
      'Incident #1 declared by alice: PyPI mirror errors are failing gate jobs — take it with !ack 1, close it with !resolved 1 <note> · play book: https://example.org/playbook';
    assert.deepEqual(w.irc.lines(), [`#infra: ${expected}`]);
    assert.deepEqual(w.matrix.lines(), [`#infra:example.org: ${expected}`]);
    assert.deepEqual(w.shell.lines(), [`#infra: ${expected}`]);
    assert.equal(w.firebell.service.get(1)?.phase, 'announced');
    assert.equal(w.irc.sent[0]?.priority, 'normal');
    assert.equal(w.irc.sent[0]?.incidentId, 1);
  });

  test('a repeated declaration within the window joins the open incident', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident PyPI mirror errors are failing gate jobs');
    await w.at(3);
    w.matrix.type(
      '#infra:example.org',
      matrixUser('@cy:example.org', 'Cy'),
      '!declare pypi mirror errors failing the gate jobs!',
    );
    await w.settle();
    assert.equal(w.firebell.service.open().length, 1);
    assert.match(
      w.matrix.lines().at(-1) ?? '',
      /^#infra:example\.org: Cy: That is already incident #1 \(declared by alice 3 min ago\)/,
    );
    assert.equal(w.firebell.service.get(1)?.context.timeline.at(-1)?.kind, 'reported-again');
  });

  test('a different incident in the same group is a second incident', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident PyPI mirror errors');
    w.irc.type('#infra', alice, '!incident Zuul scheduler is not dequeuing');
    await w.settle();
    assert.deepEqual(
      w.firebell.service.open().map((incident) => incident.id),
      [1, 2],
    );
  });

  test('declared in a private message: announced in the primary group, confirmed privately', async () => {
    const w = await world();
    w.irc.type('alice', alice, '!incident gerrit is down', { direct: true });
    await w.settle();
    assert.ok(w.irc.lines().includes('alice: Declared incident #1 and announced it in infra.'));
    assert.ok(
      w.matrix.lines().some((line) => line.startsWith('#infra:example.org: Incident #1 declared by alice')),
    );
  });
});

describe('escalation through the networks', () => {
  test('tier 1 is paged after 5 minutes: highlights where each person can be pinged, private messages on every network', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    [w.irc, w.matrix, w.shell].forEach((network) => network.clear());
    await w.at(4);
    assert.deepEqual(w.all(), []);
    await w.at(5);
    const pageLine =
      'paging you (tier 1) for incident #1: gate is failing — unacknowledged for 5 min. Acknowledge with !ack 1 · play book: https://example.org/playbook';
    assert.deepEqual(
      w.irc.lines().filter((line) => line.startsWith('#infra')),
      [`#infra: Ana and Bo: ${pageLine}`],
    );
    assert.deepEqual(
      w.matrix.lines().filter((line) => line.startsWith('#infra')),
      [`#infra:example.org: Ana: ${pageLine}`],
      'Bo has no Matrix id',
    );
    assert.deepEqual(
      w
        .all()
        .filter((line) => line.startsWith('@'))
        .map((line) => line.split(':')[0]),
      ['@Ana', '@Ana', '@Ana'],
      'Ana (reach: both) gets a private page on IRC, Matrix and the shell; Bo (highlight) none',
    );
    assert.ok(w.irc.sent.every((message) => message.priority === 'urgent'));
    // The private pages go first (they need no channel); the room's highlight carries the mention.
    const highlight = w.matrix.sent.find((message) => 'conversation' in message.to);
    const mentions = highlight?.body.filter((segment) => segment.kind === 'mention');
    assert.equal(mentions?.length, 1);
    assert.equal(w.firebell.service.get(1)?.context.timeline.at(-1)?.detail, 'tier 1: Ana, Bo');
  });

  test('tier 2 after 10 more minutes; a private-only contact is messaged, not highlighted', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.at(14);
    [w.irc, w.matrix, w.shell].forEach((network) => network.clear());
    await w.at(15);
    const note =
      'Incident #1: nobody in tier 2 is within their working hours; paging Cy, whose day starts soonest.';
    assert.deepEqual(
      w.matrix.lines().map((line) => line.slice(0, 120)),
      [
        `#infra:example.org: ${note}`,
        '@Cy: You are paged (tier 2) for incident #1 in infra: gate is failing — declared 15 min ago by alice, nobody has acknowl',
      ],
      'Cy is asleep in Kolkata (20:45): the policy pages the one whose day starts soonest, and says so',
    );
    assert.deepEqual(w.irc.lines(), [`#infra: ${note}`], 'Cy has no IRC account and reach: private');
  });

  test('with IRC down the page still reaches Ana on Matrix at once; IRC delivers its share when back', async () => {
    const w = await world();
    w.matrix.type('#infra:example.org', matrixUser('@cy:example.org', 'Cy'), '!incident gate is failing');
    await w.at(1);
    w.irc.down();
    await w.at(5);
    assert.ok(
      w.matrix.lines().some((line) => line.startsWith('#infra:example.org: Ana: paging you (tier 1)')),
    );
    assert.ok(w.matrix.lines().some((line) => line.startsWith('@Ana: You are paged (tier 1)')));
    assert.equal(
      w.irc.lines().filter((line) => line.includes('paging you')).length,
      0,
      'nothing reached IRC while down',
    );
    w.irc.up();
    assert.equal(
      w.irc.lines().filter((line) => line.includes('paging you (tier 1)')).length,
      1,
      'delivered once when back',
    );
  });

  test('a verified ack stops paging; an unverified one is refused with how to identify', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.at(2);
    w.irc.type('#infra', impostor, '!ack');
    await w.settle();
    assert.match(
      w.irc.lines().at(-1) ?? '',
      /^#infra: ana: to acknowledge an incident firebell needs to know who you are, and your IRC services account is unknown: identify to NickServ/,
    );
    assert.equal(w.firebell.service.get(1)?.phase, 'announced');
    w.irc.type('#infra', ana, '!ack');
    await w.settle();
    assert.ok(
      // Before the first page (due at 5 min) nobody was paged, so "paging stopped" would not be true.
      w
        .all()
        .includes('#infra:example.org: Incident #1 acknowledged by Ana after 2 min; nobody will be paged.'),
    );
    [w.irc, w.matrix, w.shell].forEach((network) => network.clear());
    await w.at(60);
    assert.deepEqual(w.all(), []);
    const ack = w.firebell.service.get(1)?.context.timeline.find((entry) => entry.kind === 'acknowledged');
    assert.deepEqual(ack?.by, { name: 'Ana', network: 'libera', contactId: 'ana', account: 'ana' });
  });

  test('a command is answered once on every side of the group, addressed to the asker', async () => {
    const w = await world();
    w.matrix.type('#infra:example.org', matrixUser('@cy:example.org', 'Cy'), '!incidents');
    await w.settle();
    assert.deepEqual(w.all(), [
      '#infra: Cy: No open incidents.',
      '#infra:example.org: Cy: No open incidents.',
      '#infra: Cy: No open incidents.',
    ]);
  });

  test('with two open incidents a bare !ack asks which one', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident PyPI mirror errors');
    w.irc.type('#infra', alice, '!incident Zuul scheduler stuck');
    await w.settle();
    w.irc.clear();
    w.irc.type('#infra', ana, '!ack');
    await w.settle();
    assert.deepEqual(w.irc.lines(), [
      '#infra: ana: Several incidents are open here: #1 (PyPI mirror errors), #2 (Zuul scheduler stuck). Say which, e.g. !ack 1',
    ]);
    w.irc.type('#infra', ana, '!ack #2');
    await w.settle();
    assert.equal(w.firebell.service.get(2)?.phase, 'assigned');
    assert.equal(w.firebell.service.get(1)?.phase, 'announced');
  });

  test('explaining commands that do not apply', async () => {
    const w = await world();
    w.irc.type('#infra', ana, '!ack 9');
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    w.irc.type('#infra', ana, '!unack');
    w.irc.type('#infra', ana, '!ack');
    w.irc.type('#infra', alice, '!ack');
    w.irc.type('#infra', alice, '!resolved 1 fixed');
    w.irc.type('#infra', alice, '!resolved 1');
    await w.settle();
    const replies = w.irc.lines().filter((line) => /^#infra: (ana|alice): /.test(line));
    assert.deepEqual(replies, [
      '#infra: ana: There is no incident #9.',
      '#infra: ana: Incident #1 is not acknowledged, so there is nothing to give back.',
      '#infra: alice: Incident #1 is already acknowledged by Ana; to take it over: !assign me 1',
      '#infra: alice: Incident #1 is already resolved.',
    ]);
  });

  test('assign to a contact mentions them; resolve announces the note', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.at(6);
    w.irc.type('#infra', alice, '!assign bo');
    await w.at(31);
    w.irc.type('#infra', ana, '!resolved mirror resynced');
    await w.settle();
    const lines = w.irc.lines();
    assert.ok(lines.includes('#infra: Incident #1 assigned to Bo by alice; paging stopped.'));
    assert.ok(
      lines.includes('#infra: Incident #1 (gate is failing) resolved by Ana after 31 min: mirror resynced'),
    );
    assert.equal(w.firebell.service.open().length, 0);
  });

  test('!status shows state, age, the next step and the latest timeline entries', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    await w.at(7);
    w.irc.clear();
    w.irc.type('#infra', alice, '!status');
    await w.settle();
    assert.deepEqual(w.irc.lines(), [
      '#infra: alice: #1 gate is failing — announced, not acknowledged; declared 7 min ago by alice; tier 2 is paged in 8 min unless someone acks. Latest: detected by alice 7 min ago; announced 7 min ago; paged (tier 1: Ana, Bo) 2 min ago.',
    ]);
  });
});

describe('input that is not a command', () => {
  test('malformed commands get a usage line; unknown !words, notices and edits are ignored', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!ack soon');
    w.irc.type('#infra', alice, '!deploy everything');
    w.irc.type('#infra', alice, '!incident from a notice', { style: 'notice' });
    await w.settle();
    assert.deepEqual(w.irc.lines(), ['#infra: alice: "soon" is not an incident number. Usage: !ack [id]']);
    assert.equal(w.firebell.service.open().length, 0);
  });
});

describe('restart', () => {
  test('restored incidents page at their original due time, once', async () => {
    const store = new TestStore();
    const first = await world({ store });
    first.irc.type('#infra', alice, '!incident gate is failing');
    await first.at(7);
    assert.equal(first.irc.lines().filter((line) => line.includes('paging you (tier 1)')).length, 1);
    await first.firebell.stop();

    const second = await world({ store, startAt: T0 + 9 * MIN });
    await second.settle();
    assert.deepEqual(second.all(), [], 'nothing is repeated at restart');
    await second.at(14);
    assert.deepEqual(second.all(), []);
    await second.at(15);
    assert.equal(
      second.matrix.lines().filter((line) => line.startsWith('@Cy')).length,
      1,
      'tier 2 at its original due time',
    );
    const kinds = second.firebell.service.get(1)?.context.timeline.map((entry) => entry.kind);
    assert.deepEqual(kinds, ['detected', 'announced', 'paged', 'paged']);
    assert.deepEqual(
      (await second.store.timeline(1)).map((entry) => entry.kind),
      kinds,
      'the stored timeline matches',
    );
  });

  test('a snapshot that cannot be restored is quarantined and the others go on', async () => {
    const store = new TestStore();
    const first = await world({ store });
    first.irc.type('#infra', alice, '!incident one');
    first.irc.type('#infra', alice, '!incident two, unrelated');
    await first.settle();
    await first.firebell.stop();
    assert.ok(await store.incident(1));
    store.run(
      'UPDATE incidents SET snapshot = ? WHERE id = 1',
      JSON.stringify({ status: 'active', value: { lifecycle: 'nonsense' }, context: { id: 1 } }),
    );

    const second = await world({ store, startAt: T0 + MIN });
    await second.settle();
    const quarantined = store.rows('SELECT incident_id, reason FROM quarantine') as Array<{
      incident_id: number;
      reason: string;
    }>;
    assert.deepEqual(
      quarantined.map((row) => row.incident_id),
      [1],
    );
    assert.match(quarantined[0]?.reason ?? '', /lacks its timeline|could not restore|not an incident/);
    assert.deepEqual(
      second.firebell.service.open().map((incident) => incident.id),
      [2],
    );
    await second.at(6);
    assert.ok(second.irc.lines().some((line) => line.includes('paging you (tier 1) for incident #2')));
    second.irc.type('#infra', alice, '!status 1');
    await second.settle();
    assert.equal(
      second.irc.lines().at(-1),
      '#infra: alice: There is no incident #1.',
      'asking about it does not break anything',
    );
  });

  test('effects stored but not performed before a crash are performed at the next start', async () => {
    const store = new TestStore();
    const first = await world({ store });
    first.irc.type('#infra', alice, '!incident gate is failing');
    await first.settle();
    await first.firebell.stop();
    // Simulate the crash window: the announcement was stored, and never performed or marked done.
    store.run(
      'INSERT INTO effects (id, incident_id, effect, created_at) VALUES (100, 1, ?, ?)',
      JSON.stringify({ type: 'effect.announce', at: T0 }),
      T0,
    );

    const second = await world({ store, startAt: T0 + MIN });
    await second.settle();
    assert.equal(second.irc.lines().filter((line) => line.includes('Incident #1 declared')).length, 1);
    assert.equal((await store.load()).pendingEffects.length, 0);
  });

  test('a transition that cannot be stored holds back what it says until a retry stores it', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.at(4);
    w.irc.clear();
    w.store.failCommits = 1;
    await w.at(5);
    assert.deepEqual(w.irc.lines(), [], 'the tier 1 page is not sent while its transition is not stored');
    assert.deepEqual(
      { ...w.firebell.storeHealth(), since: undefined },
      { ok: false, since: undefined, reason: 'disk full (simulated)', attempts: 1 },
    );
    w.irc.type('#infra', ana, '!ack');
    await w.settle();
    assert.deepEqual(w.irc.lines(), [], 'nor the ack, recorded after it');
    w.clock.increment(100);
    await w.settle();
    const lines = w.irc.lines();
    assert.ok(
      lines.some((line) => line.includes('paging you (tier 1)')),
      'stored and sent when the retry succeeded, 100 ms later',
    );
    assert.ok(lines.some((line) => line.includes('acknowledged by Ana')));
    assert.deepEqual(w.firebell.storeHealth(), { ok: true });
  });

  test('a stop while a failed commit waits for its retry tries it once more: a store that works again keeps the ack', async () => {
    const store = new TestStore();
    const first = await world({ store });
    first.irc.type('#infra', alice, '!incident gate is failing');
    await first.at(2);
    store.failCommits = 4;
    first.irc.type('#infra', ana, '!ack');
    await first.settle();
    for (const wait of [100, 200, 400]) {
      first.clock.increment(wait);
      await first.settle();
    }
    // The fourth attempt failed; the store works again, but the journal waits 800 ms to try again.
    assert.equal(store.failCommits, 0);
    assert.equal(first.firebell.storeHealth().ok, false);
    await first.firebell.stop();

    const second = await world({ store, startAt: T0 + 3 * MIN });
    await second.settle();
    assert.equal(second.firebell.service.get(1)?.phase, 'assigned', 'the ack was stored at the stop');
    assert.ok(
      second.irc.lines().some((line) => line.includes('acknowledged by Ana')),
      'and its confirmation, never sent, goes out at the next start',
    );
    await second.at(10);
    assert.deepEqual(
      second.all().filter((line) => line.includes('paging you')),
      [],
      'nobody is paged for an acknowledged incident',
    );
  });

  test('a stop with the store still failing does not count what was never stored as left for the next start', async () => {
    const store = new TestStore();
    const first = await world({ store });
    first.irc.type('#infra', alice, '!incident gate is failing');
    await first.at(4);
    store.failCommits = 1_000;
    await first.at(5);
    const report = await first.firebell.stop();
    const count = (entries: readonly { count: number }[]): number =>
      entries.reduce((sum, entry) => sum + entry.count, 0);
    assert.equal(count(report.left), 0, 'the pages were never stored: the next start has none of them');
    assert.ok(count(report.notStored) > 0, 'the report says they were not stored');
    store.failCommits = 0;
    assert.deepEqual((await store.load()).pendingDeliveries, [], 'nothing of them is in the store');
  });

  test('a failing store is retried with growing waits, forever, on its own; nothing is said meanwhile', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    w.irc.clear();
    w.store.failCommits = 6;
    w.irc.type('#infra', ana, '!ack');
    await w.settle();
    // 100, 200, 400, 800, 1600 ms: five retries fail, the sixth (3.2 s later) succeeds.
    for (const wait of [100, 200, 400, 800, 1600]) {
      w.clock.increment(wait - 1);
      await w.settle();
      assert.deepEqual(w.irc.lines(), [], `nothing said ${wait - 1} ms into the wait`);
      w.clock.increment(1);
      await w.settle();
    }
    assert.equal(w.store.failCommits, 0, 'six attempts made');
    assert.equal(w.firebell.storeHealth().ok, false);
    w.clock.increment(3199);
    await w.settle();
    assert.deepEqual(w.irc.lines(), []);
    w.clock.increment(1);
    await w.settle();
    assert.ok(w.irc.lines().some((line) => line.includes('acknowledged by Ana')));
    assert.deepEqual(w.firebell.storeHealth(), { ok: true });
  });
});

test('on an IRC network without services, a refusal says so rather than asking to identify', async () => {
  const w = await world();
  w.irc.type('#infra', { id: 'ana', name: 'ana', verification: 'none', unverified: 'no-services' }, '!ack');
  await w.settle();
  assert.match(
    w.irc.lines().at(-1) ?? '',
    /this IRC network has no services accounts, so nobody can be verified on it: do it from Matrix/,
  );
});

test('a tier whose people have no handle on the group’s networks reached nobody, and the channel is told', async () => {
  const config = testConfig();
  const matrixOnly = {
    ...config,
    groups: [
      { ...config.groups[0]!, members: config.groups[0]!.members.filter((m) => m.network === 'matrix') },
    ],
  };
  // Tier 1 (Ana on IRC and Matrix, Bo on IRC only): Bo cannot be reached in a Matrix-only group.
  const w = await world({
    config: { ...matrixOnly, contacts: matrixOnly.contacts.filter((contact) => contact.id !== 'ana') },
  });
  w.matrix.type('#infra:example.org', matrixUser('@cy:example.org', 'Cy'), '!incident gate is failing');
  await w.at(5);
  assert.ok(
    w.matrix
      .lines()
      .includes(
        "#infra:example.org: Incident #1: nobody in tier 1 can be paged (none of them has a handle on this group's networks). Paging tier 2 now.",
      ),
    w.matrix.lines().join('\n'),
  );
  assert.equal(
    w.firebell.service.get(1)?.context.timeline.find((entry) => entry.kind === 'paged')?.detail,
    'tier 1: nobody could be reached',
  );
});
