/**
 * A storm of 1,000 distinct alert groups through the real HTTP listener: the first ten are announced one
 * by one, the rest join one storm incident told in one line a minute, the status site lists every group,
 * re-sends change nothing, and the storm closes when its last member resolves. The storm and its untold
 * members survive a restart.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, T0 } from '../support/core-world.js';
import { testConfig } from '../support/config-fixture.js';
import { GENERIC_TOKEN, intakeWorld, stopIntakeWorlds } from './intake-world.js';
import { startSite } from './site-server.js';

afterEach(stopIntakeWorlds);

const GROUPS = 1_000;
const THRESHOLD = 10;

const config = testConfig({
  intake: {
    group: 'infra',
    routes: [],
    flapWindowMinutes: 5,
    storm: { groups: THRESHOLD, windowMinutes: 5 },
  },
});

const generic = (index: number, status: 'firing' | 'resolved' = 'firing'): Record<string, unknown> => ({
  summary: `storm group ${index} down`,
  dedupKey: `group-${index}`,
  status,
});

const infraLines = (lines: readonly string[]): string[] => lines.filter((line) => line.includes('#infra'));

test('a storm of 1,000 alert groups: ten announced, the rest in one storm incident, told in one line', async () => {
  const { w, post } = await intakeWorld(config);
  const actions = new Map<string, number>();
  for (let index = 0; index < GROUPS; index += 1) {
    const answer = await post('/hooks/generic', generic(index), GENERIC_TOKEN);
    assert.equal(answer.status, 202);
    const action = String(answer.json().action);
    actions.set(action, (actions.get(action) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(actions), {
    declared: THRESHOLD,
    'storm-declared': 1,
    'joined-storm': GROUPS - THRESHOLD - 1,
  });
  const storm = THRESHOLD + 1;
  assert.match(
    w.firebell.service.get(storm)?.context.summary ?? '',
    /^alert storm: more than 10 new alert groups/,
  );
  assert.equal(w.firebell.service.open().length, storm, 'eleven incidents for a thousand groups');
  const beforeSummary = infraLines(w.irc.lines()).length;
  assert.ok(beforeSummary <= storm + 2, `the channel heard ${beforeSummary} lines, not one per group`);

  await w.at(1);
  const told = infraLines(w.irc.lines()).filter((line) => line.includes('(alert storm)'));
  assert.equal(told.length, 1, 'one summary line for the members that joined');
  assert.match(told[0] ?? '', /989 more alert groups joined \(990 in all, 990 firing\)/);

  const site = await startSite(w, { publicUrl: 'http://127.0.0.1/', playbookHtml: '' });
  try {
    const page = await (await fetch(`${site.url}/incidents/${storm}`)).text();
    for (let index = THRESHOLD; index < GROUPS; index += 1)
      assert.ok(page.includes(`storm group ${index} down`), `the storm's page lists group ${index}`);
  } finally {
    await site.close();
  }

  w.clear();
  for (let index = 0; index < GROUPS; index += 1)
    assert.equal((await post('/hooks/generic', generic(index), GENERIC_TOKEN)).json().action, 'repeated');
  await w.at(3);
  assert.deepEqual(infraLines(w.all()), [], 're-sends say nothing');

  for (let index = THRESHOLD; index < GROUPS - 1; index += 1)
    assert.equal(
      (await post('/hooks/generic', generic(index, 'resolved'), GENERIC_TOKEN)).json().action,
      'member-resolved',
    );
  assert.equal(w.firebell.service.get(storm)?.open, true, 'open while one member still fires');
  const last = await post('/hooks/generic', generic(GROUPS - 1, 'resolved'), GENERIC_TOKEN);
  assert.deepEqual(last.json(), { action: 'resolve-pending', incident: storm });
  await w.at(9);
  assert.equal(w.firebell.service.get(storm), undefined, 'the storm closed with its last member');
  assert.equal(w.firebell.service.open().length, THRESHOLD, 'the ten announced one by one stay open');
});

test('a member that fires again during the storm close keeps the storm open', async () => {
  const { w, post } = await intakeWorld(config);
  for (let index = 0; index < THRESHOLD + 2; index += 1)
    await post('/hooks/generic', generic(index), GENERIC_TOKEN);
  const storm = THRESHOLD + 1;
  await post('/hooks/generic', generic(THRESHOLD, 'resolved'), GENERIC_TOKEN);
  const pending = await post('/hooks/generic', generic(THRESHOLD + 1, 'resolved'), GENERIC_TOKEN);
  assert.deepEqual(pending.json(), { action: 'resolve-pending', incident: storm });
  await w.at(2);
  assert.equal((await post('/hooks/generic', generic(THRESHOLD), GENERIC_TOKEN)).json().action, 'updated');
  assert.ok(w.irc.lines().some((line) => line.includes(`#${storm} is firing again`)));
  await w.at(10);
  assert.equal(w.firebell.service.get(storm)?.open, true, 'its member fires again');
});

test('after the window a new group is announced on its own; a storm needs the threshold again', async () => {
  const { w, post } = await intakeWorld(config);
  for (let index = 0; index < THRESHOLD; index += 1)
    await post('/hooks/generic', generic(index), GENERIC_TOKEN);
  await w.at(6);
  assert.equal((await post('/hooks/generic', generic(500), GENERIC_TOKEN)).json().action, 'declared');
});

test('groups: 0 turns storms off: every group is its own incident', async () => {
  const { w, post } = await intakeWorld(
    testConfig({
      intake: { group: 'infra', routes: [], flapWindowMinutes: 5, storm: { groups: 0, windowMinutes: 5 } },
    }),
  );
  for (let index = 0; index < 30; index += 1)
    assert.equal((await post('/hooks/generic', generic(index), GENERIC_TOKEN)).json().action, 'declared');
  assert.equal(w.firebell.service.open().length, 30);
});

test('a restart keeps the storm: members that had not been told are told, new groups still join', async () => {
  const first = await intakeWorld(config);
  for (let index = 0; index < THRESHOLD + 5; index += 1)
    await first.post('/hooks/generic', generic(index), GENERIC_TOKEN);
  const store = first.w.store;
  await first.w.firebell.stop();
  const again = await coreWorld({ config, store, startAt: T0 + 30_000 });
  await again.at(2);
  const told = again.irc.lines().filter((line) => line.includes('(alert storm)'));
  assert.equal(told.length, 1, 'the untold members are told once after the restart');
  assert.match(told[0] ?? '', /4 more alert groups joined \(5 in all, 5 firing\)/);
  const intake = again.firebell.intake;
  assert.ok(intake);
  const joined = intake.receive({
    source: 'generic',
    key: 'generic:group-900',
    receiver: 'generic',
    status: 'firing',
    summary: 'storm group 900 down',
    labels: {},
    firing: 1,
  });
  assert.deepEqual(joined, { action: 'joined-storm', incident: THRESHOLD + 1 });
});
