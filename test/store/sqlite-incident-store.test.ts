import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createActor, type Snapshot } from 'xstate';
import type { IncidentContext, IncidentEffect, TimelineEntry } from '../../machines/incident-types.js';
import { incidentMachine } from '../../machines/incident.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { IncidentTransition } from '../../src/core/store.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { SqliteIncidentStore } from '../../src/store/sqlite-incident-store.js';
import { alice, runIncident, START } from './incident-fixture.js';
import { tempDir } from './temp-dir.js';

const NOW = START + 3_600_000;

interface Opened {
  readonly store: SqliteIncidentStore;
  readonly db: Database;
}

function openStore(t: TestContext, path: string, logger: Logger = silentLogger): Opened {
  const db = openDatabase(path);
  const store = new SqliteIncidentStore(db, { logger, now: () => NOW });
  t.after(() => {
    if (db.open) store.close();
  });
  return { store, db };
}

const contextOf = (snapshot: unknown): IncidentContext => (snapshot as { context: IncidentContext }).context;
const count = (db: Database, table: string): number =>
  db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

function saveAll(store: SqliteIncidentStore, transitions: readonly IncidentTransition[]): void {
  for (const transition of transitions) store.saveTransition(transition);
}

test('a real persisted snapshot and its timeline survive a reopen and restore a live machine', (t) => {
  const path = join(tempDir(t), 'roundtrip.sqlite');
  const run = runIncident(12);
  const first = openStore(t, path);
  saveAll(first.store, run.transitions);
  first.store.close();

  const { store } = openStore(t, path);
  const context = contextOf(run.snapshot);
  const records = store.loadOpen();
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
  assert.deepEqual(store.timeline(12), context.timeline);
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

test('re-saving an overlapping timeline range writes each entry once', (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'timeline.sqlite'));
  const run = runIncident(12);
  saveAll(store, run.transitions);
  const last = run.transitions.at(-1) as IncidentTransition;
  const full = contextOf(run.snapshot).timeline;

  store.saveTransition({ ...last, effects: [], timeline: { from: 3, entries: full.slice(3) } });
  store.saveTransition(last);
  store.saveTransition({ ...last, effects: [], timeline: { from: 0, entries: full } });

  assert.deepEqual(store.timeline(12), full);
  assert.equal(count(db, 'timeline'), full.length);
  assert.throws(
    () => store.saveTransition({ ...last, timeline: { from: -1, entries: [] } }),
    new RangeError('incident #12: timeline position -1 is not an index'),
  );
});

test('the outbox: effects stay pending until completed, across a reopen, and ids are never reused', (t) => {
  const path = join(tempDir(t), 'outbox.sqlite');
  const run = runIncident(12);
  const first = openStore(t, path);
  const stored = run.transitions.flatMap((transition) => first.store.saveTransition(transition));
  const expected = run.transitions.flatMap((transition) => transition.effects);
  assert.deepEqual(
    stored.map((pending) => pending.effect),
    expected,
  );
  assert.deepEqual(
    stored.map((pending) => pending.id),
    expected.map((_, index) => index + 1),
  );
  assert.deepEqual(first.store.pendingEffects(), stored, 'oldest first');

  const [announce, page, ...rest] = stored;
  first.store.completeEffects([announce?.id ?? -1, page?.id ?? -1]);
  first.store.completeEffects([]);
  first.store.close();

  const { store, db } = openStore(t, path);
  assert.deepEqual(store.pendingEffects(), rest, 'what was not completed is still pending after a reopen');
  store.completeEffects(rest.map((pending) => pending.id));
  assert.deepEqual(store.pendingEffects(), []);
  assert.deepEqual(
    db.prepare('SELECT id, done_at FROM effects').all(),
    [{ id: stored.length, done_at: NOW }],
    'completed effects leave the table, but for the newest, kept (done) so its id is not reused',
  );

  const last = run.transitions.at(-1) as IncidentTransition;
  const resolvedEffect: IncidentEffect = { type: 'effect.resolved', at: last.at };
  const [again] = store.saveTransition({
    ...last,
    effects: [resolvedEffect],
    timeline: { from: 11, entries: [] },
  });
  assert.equal(again?.id, stored.length + 1, 'the highest id is not handed out again');
  store.completeEffects([again?.id ?? -1]);
  assert.deepEqual(db.prepare('SELECT id FROM effects').pluck().all(), [stored.length + 1]);
});

test('a transition that fails midway writes nothing of itself', async (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'atomic.sqlite'));
  const run = runIncident(12);
  const before = run.transitions.slice(0, 3);
  saveAll(store, before);
  const snapshotOf = (): unknown => store.get(12);
  const state = (): unknown => [
    snapshotOf(),
    store.timeline(12),
    store.pendingEffects(),
    count(db, 'effects'),
  ];
  const saved = state();
  const next = run.transitions[3] as IncidentTransition;
  const entry = next.timeline.entries[0] as TimelineEntry;

  await t.test('an effect that cannot be serialized, after the snapshot and timeline were written', () => {
    const unserializable = { type: 'effect.announce', at: 10n } as unknown as IncidentEffect;
    assert.throws(
      () => store.saveTransition({ ...next, effects: [{ type: 'effect.announce', at: 1 }, unserializable] }),
      new TypeError(
        "incident #12's effect effect.announce cannot be stored as JSON: Do not know how to serialize a BigInt",
      ),
    );
    assert.deepEqual(state(), saved);
  });

  await t.test('a constraint violation on the second timeline entry', () => {
    const broken = { at: entry.at, kind: null } as unknown as TimelineEntry;
    assert.throws(
      () =>
        store.saveTransition({
          ...next,
          timeline: { from: next.timeline.from, entries: [entry, broken] },
        }),
      { code: 'SQLITE_CONSTRAINT_NOTNULL', message: 'NOT NULL constraint failed: timeline.kind' },
    );
    assert.deepEqual(state(), saved);
  });

  await t.test('a snapshot that is not JSON at all', () => {
    assert.throws(
      () => store.saveTransition({ ...next, snapshot: undefined }),
      new TypeError("incident #12's snapshot cannot be stored as JSON: it is undefined"),
    );
    assert.deepEqual(state(), saved);
  });

  store.saveTransition(next);
  assert.notDeepEqual(state(), saved, 'the same transition, intact, is stored');
});

test('a quarantined incident is not loaded as open and its pending effects never run', (t) => {
  const path = join(tempDir(t), 'quarantine.sqlite');
  const first = openStore(t, path);
  const twelve = runIncident(12);
  const thirteen = runIncident(13, 'matrix bridge lagging');
  saveAll(first.store, twelve.transitions);
  saveAll(first.store, thirteen.transitions);
  first.store.quarantine(12, 'snapshot does not match the machine: unknown state "triaging"');
  first.store.close();

  const { store, db } = openStore(t, path);
  assert.deepEqual(
    store.loadOpen().map((record) => record.id),
    [13],
  );
  assert.deepEqual(new Set(store.pendingEffects().map((pending) => pending.incidentId)), new Set([13]));
  assert.deepEqual(db.prepare('SELECT incident_id, reason, snapshot, at FROM quarantine').all(), [
    {
      incident_id: 12,
      reason: 'snapshot does not match the machine: unknown state "triaging"',
      snapshot: JSON.stringify(twelve.snapshot),
      at: NOW,
    },
  ]);
  assert.equal(store.get(12)?.summary, 'mirror sync failing on all eu nodes', 'kept for people to look at');
  assert.deepEqual(store.timeline(12), contextOf(twelve.snapshot).timeline);
  assert.throws(() => store.quarantine(99, 'x'), new RangeError('there is no incident #99 to quarantine'));
});

test('a damaged snapshot or effect is set aside while loading and does not stop the others', (t) => {
  const warnings: unknown[] = [];
  const errors: unknown[] = [];
  const logger: Logger = {
    ...silentLogger,
    child: () => logger,
    warn: (object: unknown) => warnings.push(object),
    error: (object: unknown) => errors.push(object),
  };
  const { store, db } = openStore(t, join(tempDir(t), 'damaged.sqlite'), logger);
  for (const id of [12, 13, 14]) saveAll(store, runIncident(id).transitions);
  db.prepare('UPDATE incidents SET snapshot = \'{"status": "act\' WHERE id = 13').run();

  assert.deepEqual(
    store.loadOpen().map((record) => record.id),
    [12, 14],
  );
  const reason = db.prepare('SELECT reason FROM quarantine WHERE incident_id = 13').pluck().get() as string;
  assert.match(reason, /^the stored snapshot is not valid JSON: /);
  assert.deepEqual(warnings, [{ incident: 13, reason }]);
  assert.equal(store.get(13)?.snapshot, null, 'a listing still shows it');
  assert.equal(errors.length, 1, 'and says the snapshot is damaged');
  errors.length = 0;

  db.prepare("UPDATE effects SET effect = 'not json' WHERE id = 1").run();
  const perIncident = runIncident(12).transitions.flatMap((transition) => transition.effects).length;
  const idsOf = (incident: number): number[] =>
    Array.from({ length: perIncident }, (_, index) => (incident - 12) * perIncident + index + 1);
  assert.deepEqual(
    store.pendingEffects().map((pending) => pending.id),
    [...idsOf(12).slice(1), ...idsOf(14)],
    "13's effects were retired by the quarantine; 12's damaged one is skipped",
  );
  assert.deepEqual(
    errors.map((error) => (error as { effectId: number }).effectId),
    [1],
  );
  assert.deepEqual(
    store.loadOpen().map((record) => record.id),
    [12, 14],
  );
});

test('allocateId counts up, never reuses a number across reopens, and stays above stored ids', (t) => {
  const path = join(tempDir(t), 'ids.sqlite');
  const first = openStore(t, path);
  assert.deepEqual([first.store.allocateId(), first.store.allocateId(), first.store.allocateId()], [1, 2, 3]);
  first.store.close();

  const { store } = openStore(t, path);
  assert.equal(store.allocateId(), 4, 'numbers allocated but never saved are not handed out again');
  saveAll(store, runIncident(40).transitions);
  assert.equal(store.allocateId(), 41);
});

test('loadOpen leaves out resolved incidents; recent lists newest first; get finds one', (t) => {
  const { store } = openStore(t, join(tempDir(t), 'listing.sqlite'));
  const resolved = runIncident(12);
  const last = resolved.transitions.at(-1) as IncidentTransition;
  saveAll(store, resolved.transitions);
  store.saveTransition({
    ...last,
    phase: 'resolved',
    open: false,
    at: last.at + 1,
    effects: [],
    timeline: { from: 11, entries: [{ at: last.at + 1, kind: 'resolved', by: alice }] },
  });
  saveAll(store, runIncident(13, 'irc relay down').transitions);

  assert.deepEqual(
    store.loadOpen().map((record) => record.id),
    [13],
  );
  assert.deepEqual(
    store.recent(10).map((record) => [record.id, record.phase, record.open]),
    [
      [13, 'assigned', true],
      [12, 'resolved', false],
    ],
  );
  assert.deepEqual(
    store.recent(1).map((record) => record.id),
    [13],
  );
  assert.equal(store.get(12)?.updatedAt, last.at + 1);
  assert.equal(store.get(12)?.createdAt, START, 'an update keeps the creation time');
  assert.deepEqual(store.timeline(12).at(-1), { at: last.at + 1, kind: 'resolved', by: alice });
  assert.equal(store.get(99), undefined);
  assert.deepEqual(store.timeline(99), []);
});

test('saveTransitions commits several incidents together, or none of them', (t) => {
  const { store, db } = openStore(t, join(tempDir(t), 'group-commit.sqlite'));
  const [twelve, thirteen] = [runIncident(12).transitions, runIncident(13).transitions];
  const first = [twelve[0], thirteen[0]] as IncidentTransition[];
  const stored = store.saveTransitions(first);
  assert.deepEqual(stored, [
    [{ id: 1, incidentId: 12, effect: twelve[0]?.effects[0] }],
    [{ id: 2, incidentId: 13, effect: thirteen[0]?.effects[0] }],
  ]);
  assert.deepEqual(store.saveTransitions([]), []);

  const badPosition = { ...(thirteen[1] as IncidentTransition), timeline: { from: -5, entries: [] } };
  assert.throws(
    () => store.saveTransitions([twelve[1] as IncidentTransition, badPosition]),
    new RangeError('incident #13: timeline position -5 is not an index'),
  );
  assert.deepEqual(
    [store.timeline(12).length, store.timeline(13).length, count(db, 'effects')],
    [1, 1, 2],
    'the valid first transition was rolled back with the invalid second',
  );
});
