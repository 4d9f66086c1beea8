import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createActor, type Snapshot } from 'xstate';
import type { IncidentContext, IncidentEffect, TimelineEntry } from '../../machines/incident-types.js';
import { incidentMachine } from '../../machines/incident.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import { emptyBatch, type IncidentTransition, type PendingEffect } from '../../src/core/store.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import { alice, runIncident, START } from './incident-fixture.js';
import { commit, count, NOW, openStore } from './store-fixture.js';
import { tempDir } from './temp-dir.js';

const contextOf = (snapshot: unknown): IncidentContext => (snapshot as { context: IncidentContext }).context;

/** Each transition in its own commit, as a service with one transition per tick writes them. */
function saveAll(store: SqliteStore, transitions: readonly IncidentTransition[]): void {
  for (const transition of transitions) commit(store, { transitions: [transition] });
}

test('a real persisted snapshot and its timeline survive a reopen and restore a live machine', async (t) => {
  const path = join(tempDir(t), 'roundtrip.sqlite');
  const run = runIncident(12);
  const first = openStore(t, path);
  saveAll(first.store, run.transitions);
  await first.store.close();

  const { store } = openStore(t, path);
  const context = contextOf(run.snapshot);
  const records = (await store.load()).openIncidents;
  assert.deepEqual(records, [
    {
      id: 12,
      group: 'infra',
      summary: 'mirror sync failing on all eu nodes',
      phase: 'assigned',
      open: true,
      snapshot: run.snapshot,
      createdAt: START,
      updatedAt: context.lastEventAt,
    },
  ]);
  assert.deepEqual(await store.timeline(12), context.timeline);
  assert.equal(context.timeline.length, 11, 'the fixture is as long as the test assumes');

  // xstate's types demand `input` even when restoring; it is ignored then.
  const input = { ...context, at: context.detectedAt };
  const actor = createActor(incidentMachine, { snapshot: records[0]?.snapshot as Snapshot<unknown>, input });
  assert.equal(actor.getSnapshot().status, 'active');
  assert.deepEqual(actor.getSnapshot().context, context);
  const effects: IncidentEffect[] = [];
  actor.on('*', (effect) => effects.push(effect));
  actor.start();
  actor.send({ type: 'incident.resolve', at: context.lastEventAt + 1, by: alice, note: 'fixed' });
  actor.stop();
  assert.deepEqual(
    effects.map((effect) => effect.type),
    ['effect.resolved', 'effect.prompt-status'],
    'the restored machine resolves, and asks for #status ok because an alert is up',
  );
});

test('the snapshot is stored without its timeline (the rows hold it); one stored whole still reads whole', async (t) => {
  const path = join(tempDir(t), 'lean.sqlite');
  const { store, db } = openStore(t, path);
  const run = runIncident(12);
  saveAll(store, run.transitions);
  const stored = JSON.parse(
    db.prepare('SELECT snapshot FROM incidents WHERE id = 12').pluck().get() as string,
  ) as { context: Record<string, unknown> };
  assert.equal('timeline' in stored.context, false, 'each save does not rewrite the entries before it');
  assert.equal((stored as Record<string, unknown>)['firebell$timelineInRows'], true);
  assert.deepEqual((await store.incident(12))?.snapshot, run.snapshot);
  assert.deepEqual((await store.recentIncidents(1))[0]?.snapshot, run.snapshot);
  assert.deepEqual((await store.load()).openIncidents[0]?.snapshot, run.snapshot);

  // As an earlier version stored it: whole. Its own timeline is read, not the rows'.
  const older = { ...(run.snapshot as object), context: { ...contextOf(run.snapshot), timeline: [] } };
  db.prepare('UPDATE incidents SET snapshot = ? WHERE id = 12').run(JSON.stringify(older));
  assert.deepEqual((await store.load()).openIncidents[0]?.snapshot, older);
  assert.deepEqual((await store.incident(12))?.snapshot, older);
  // Damaged into lacking its timeline (not marked as stored without it): it stays without one.
  const damaged = { status: 'active', context: { id: 12 } };
  db.prepare('UPDATE incidents SET snapshot = ? WHERE id = 12').run(JSON.stringify(damaged));
  assert.deepEqual((await store.incident(12))?.snapshot, damaged);
});

test('re-saving an overlapping timeline range writes each entry once', async (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'timeline.sqlite'));
  const run = runIncident(12);
  saveAll(store, run.transitions);
  const last = run.transitions.at(-1) as IncidentTransition;
  const full = contextOf(run.snapshot).timeline;

  saveAll(store, [
    { ...last, effects: [], timeline: { from: 3, entries: full.slice(3) } },
    { ...last, effects: [] },
    { ...last, effects: [], timeline: { from: 0, entries: full } },
  ]);

  assert.deepEqual(await store.timeline(12), full);
  assert.equal(count(db, 'timeline'), full.length);
  assert.throws(
    () => commit(store, { transitions: [{ ...last, timeline: { from: -1, entries: [] } }] }),
    new RangeError('incident #12: timeline position -1 is not an index'),
  );
});

test('effects stay pending until done, across a reopen; those done in their own batch are never written', async (t) => {
  const path = join(tempDir(t), 'effects.sqlite');
  const run = runIncident(12);
  const first = openStore(t, path);
  saveAll(first.store, run.transitions);
  const stored: PendingEffect[] = run.transitions.flatMap((transition) => transition.effects);
  assert.deepEqual(
    stored.map((pending) => pending.id),
    stored.map((_, index) => index + 1),
  );
  assert.deepEqual((await first.store.load()).pendingEffects, stored, 'oldest first');

  const [announce, page, ...rest] = stored;
  commit(first.store, { effectsDone: [announce?.id ?? -1, page?.id ?? -1] });
  commit(first.store, { effectsDone: [] });
  await first.store.close();

  const { store, db } = openStore(t, path);
  const loaded = await store.load();
  assert.deepEqual(loaded.pendingEffects, rest, 'what was not done is still pending after a reopen');
  assert.equal(loaded.lastEffectId, stored.length, 'the core numbers new effects above every stored one');
  commit(store, { effectsDone: rest.map((pending) => pending.id) });
  assert.deepEqual((await store.load()).pendingEffects, []);
  assert.equal(count(db, 'effects'), 0, 'done effects leave the table');

  // The usual case: a transition whose effects were performed before its batch committed.
  const last = run.transitions.at(-1) as IncidentTransition;
  const resolved: PendingEffect = {
    id: 99,
    incidentId: 12,
    effect: { type: 'effect.resolved', at: last.at },
  };
  commit(store, {
    transitions: [{ ...last, effects: [resolved], timeline: { from: 11, entries: [] } }],
    effectsDone: [99],
  });
  assert.equal(count(db, 'effects'), 0, 'an effect done in the batch that stores it is not written');
});

test('a batch that fails midway writes nothing of itself', async (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'atomic.sqlite'));
  const run = runIncident(12);
  const before = run.transitions.slice(0, 3);
  saveAll(store, before);
  const state = async (): Promise<unknown> => [
    await store.incident(12),
    await store.timeline(12),
    (await store.load()).pendingEffects,
    count(db, 'effects'),
    count(db, 'deliveries'),
  ];
  const saved = await state();
  const next = run.transitions[3] as IncidentTransition;
  const entry = next.timeline.entries[0] as TimelineEntry;
  const effect = (type: IncidentEffect): PendingEffect => ({ id: 50, incidentId: 12, effect: type });

  await t.test(
    'an effect that cannot be serialized, after the snapshot and timeline were written',
    async () => {
      const unserializable = { type: 'effect.announce', at: 10n } as unknown as IncidentEffect;
      assert.throws(
        () =>
          commit(store, {
            transitions: [
              {
                ...next,
                effects: [effect({ type: 'effect.announce', at: 1 }), { ...effect(unserializable), id: 51 }],
              },
            ],
          }),
        new TypeError(
          "incident #12's effect effect.announce cannot be stored as JSON: Do not know how to serialize a BigInt",
        ),
      );
      assert.deepEqual(await state(), saved);
    },
  );

  await t.test('a constraint violation on the second timeline entry', async () => {
    const broken = { at: entry.at, kind: null } as unknown as TimelineEntry;
    assert.throws(
      () =>
        commit(store, {
          transitions: [{ ...next, timeline: { from: next.timeline.from, entries: [entry, broken] } }],
        }),
      { code: 'SQLITE_CONSTRAINT_NOTNULL', message: 'NOT NULL constraint failed: timeline.kind' },
    );
    assert.deepEqual(await state(), saved);
  });

  await t.test('a snapshot that is not JSON at all', async () => {
    assert.throws(
      () => commit(store, { transitions: [{ ...next, snapshot: undefined }] }),
      new TypeError("incident #12's snapshot cannot be stored as JSON: it is undefined"),
    );
    assert.deepEqual(await state(), saved);
  });

  await t.test('an outbox row that breaks a constraint, after the transition was written', async () => {
    const row = {
      id: 'd-1',
      channel: 'libera',
      lane: 'urgent' as const,
      content: { kind: 'topic' as const, conversation: '#infra', topic: 'x' },
      createdAt: NOW,
      attempts: -1,
      state: 'pending' as const,
      receipt: [],
    };
    assert.throws(() => commit(store, { transitions: [next], deliveries: [row] }), {
      code: 'SQLITE_CONSTRAINT_CHECK',
    });
    assert.deepEqual(await state(), saved);
    await assert.rejects(
      store.commit({ ...emptyBatch(NOW), deliveries: [row] }),
      { code: 'SQLITE_CONSTRAINT_CHECK' },
      'the port rejects rather than throws',
    );
  });

  commit(store, { transitions: [next] });
  assert.notDeepEqual(await state(), saved, 'the same transition, intact, is stored');
});

test('a quarantined incident is not loaded as open and its pending effects never run', async (t) => {
  const path = join(tempDir(t), 'quarantine.sqlite');
  const first = openStore(t, path);
  const twelve = runIncident(12);
  const thirteen = runIncident(13, 'matrix bridge lagging', 100);
  saveAll(first.store, twelve.transitions);
  saveAll(first.store, thirteen.transitions);
  commit(first.store, {
    quarantines: [
      { incidentId: 12, reason: 'snapshot does not match the machine: unknown state "triaging"' },
    ],
  });
  await first.store.close();

  const { store, db } = openStore(t, path);
  const loaded = await store.load();
  assert.deepEqual(
    loaded.openIncidents.map((record) => record.id),
    [13],
  );
  assert.deepEqual(new Set(loaded.pendingEffects.map((pending) => pending.incidentId)), new Set([13]));
  const quarantined = db.prepare('SELECT incident_id, reason, snapshot, at FROM quarantine').all() as Array<{
    snapshot: string;
  }>;
  assert.deepEqual(
    quarantined.map((row) => ({ ...row, snapshot: JSON.parse(row.snapshot) as unknown })),
    [
      {
        incident_id: 12,
        reason: 'snapshot does not match the machine: unknown state "triaging"',
        snapshot: twelve.snapshot,
        at: NOW,
      },
    ],
    'the copy is whole, its timeline included',
  );
  assert.equal(
    (await store.incident(12))?.summary,
    'mirror sync failing on all eu nodes',
    'kept for people to look at',
  );
  assert.deepEqual(await store.timeline(12), contextOf(twelve.snapshot).timeline);
  assert.throws(
    () => commit(store, { quarantines: [{ incidentId: 99, reason: 'x' }] }),
    new RangeError('there is no incident #99 to quarantine'),
  );
});

test('a damaged snapshot or effect is reported while loading and does not stop the others', async (t) => {
  const errors: unknown[] = [];
  const logger: Logger = {
    ...silentLogger,
    child: () => logger,
    error: (object: unknown) => errors.push(object),
  };
  const { store, db } = openStore(t, join(tempDir(t), 'damaged.sqlite'), logger);
  const perIncident = runIncident(12).transitions.flatMap((transition) => transition.effects).length;
  const firstIdOf = (incident: number): number => (incident - 12) * perIncident + 1;
  for (const id of [12, 13, 14]) saveAll(store, runIncident(id, undefined, firstIdOf(id)).transitions);
  db.prepare('UPDATE incidents SET snapshot = \'{"status": "act\' WHERE id = 13').run();

  const open = (await store.load()).openIncidents;
  assert.deepEqual(
    open.map((record) => [record.id, record.damage !== undefined]),
    [
      [12, false],
      [13, true],
      [14, false],
    ],
    'the damaged one is handed to the core to quarantine, the others load',
  );
  const reason = open[1]?.damage ?? '';
  assert.match(reason, /^the stored snapshot is not valid JSON: /);
  assert.equal(open[1]?.snapshot, null);
  assert.equal((await store.incident(13))?.snapshot, null, 'a listing still shows it');
  assert.equal(errors.length, 2, 'and says the snapshot is damaged, each time it is read');
  errors.length = 0;

  db.prepare("UPDATE effects SET effect = 'not json' WHERE id = 1").run();
  const idsOf = (incident: number): number[] =>
    Array.from({ length: perIncident }, (_, index) => firstIdOf(incident) + index);
  assert.deepEqual(
    (await store.load()).pendingEffects.map((pending) => pending.id),
    [...idsOf(12).slice(1), ...idsOf(13), ...idsOf(14)],
    "12's damaged effect is skipped",
  );
  assert.deepEqual(
    errors.map((error) => (error as { effectId?: number }).effectId).filter((id) => id !== undefined),
    [1],
  );

  commit(store, { quarantines: [{ incidentId: 13, reason }] });
  const after = await store.load();
  assert.deepEqual(
    after.openIncidents.map((record) => record.id),
    [12, 14],
  );
  assert.deepEqual(
    after.pendingEffects.map((pending) => pending.id),
    [...idsOf(12).slice(1), ...idsOf(14)],
    "13's effects were retired by the quarantine",
  );
  assert.equal(db.prepare('SELECT reason FROM quarantine WHERE incident_id = 13').pluck().get(), reason);
});

test('the last incident number counts every stored incident and the old counter, across reopens', async (t) => {
  const path = join(tempDir(t), 'ids.sqlite');
  const first = openStore(t, path);
  assert.equal((await first.store.load()).lastIncidentId, 0);
  // Numbers handed out by the counter of migration 001 (a firebell before the journal) are not reused.
  first.db.prepare("UPDATE counters SET value = 3 WHERE name = 'incident'").run();
  await first.store.close();

  const { store } = openStore(t, path);
  assert.equal(
    (await store.load()).lastIncidentId,
    3,
    'numbers allocated but never saved are not handed out again',
  );
  saveAll(store, runIncident(40).transitions);
  assert.equal((await store.load()).lastIncidentId, 40);
});

test('open incidents leave out resolved ones; recent lists newest first; incident finds one', async (t) => {
  const { store } = openStore(t, join(tempDir(t), 'listing.sqlite'));
  const resolved = runIncident(12);
  const last = resolved.transitions.at(-1) as IncidentTransition;
  saveAll(store, resolved.transitions);
  saveAll(store, [
    {
      ...last,
      phase: 'resolved',
      open: false,
      at: last.at + 1,
      effects: [],
      timeline: { from: 11, entries: [{ at: last.at + 1, kind: 'resolved', by: alice }] },
    },
  ]);
  saveAll(store, runIncident(13, 'irc relay down', 100).transitions);

  assert.deepEqual(
    (await store.load()).openIncidents.map((record) => record.id),
    [13],
  );
  assert.deepEqual(
    (await store.recentIncidents(10)).map((record) => [record.id, record.phase, record.open]),
    [
      [13, 'assigned', true],
      [12, 'resolved', false],
    ],
  );
  assert.deepEqual(
    (await store.recentIncidents(1)).map((record) => record.id),
    [13],
  );
  assert.equal((await store.incident(12))?.updatedAt, last.at + 1);
  assert.equal((await store.incident(12))?.createdAt, START, 'an update keeps the creation time');
  assert.deepEqual((await store.timeline(12)).at(-1), { at: last.at + 1, kind: 'resolved', by: alice });
  assert.equal(await store.incident(99), undefined);
  assert.deepEqual(await store.timeline(99), []);
});

test('one batch commits several incidents together, or none of them', async (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'group-commit.sqlite'));
  const [twelve, thirteen] = [runIncident(12).transitions, runIncident(13, undefined, 100).transitions];
  commit(store, { transitions: [twelve[0], thirteen[0]] as IncidentTransition[] });
  assert.deepEqual((await store.load()).pendingEffects, [
    { id: 1, incidentId: 12, effect: twelve[0]?.effects[0]?.effect },
    { id: 100, incidentId: 13, effect: thirteen[0]?.effects[0]?.effect },
  ]);
  commit(store, {});

  const badPosition = { ...(thirteen[1] as IncidentTransition), timeline: { from: -5, entries: [] } };
  assert.throws(
    () => commit(store, { transitions: [twelve[1] as IncidentTransition, badPosition] }),
    new RangeError('incident #13: timeline position -5 is not an index'),
  );
  assert.deepEqual(
    [(await store.timeline(12)).length, (await store.timeline(13)).length, count(db, 'effects')],
    [1, 1, 2],
    'the valid first transition was rolled back with the invalid second',
  );
});
