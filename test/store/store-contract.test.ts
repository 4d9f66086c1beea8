/**
 * The store port's promises, run against every back end in backends.ts (SQLite and PostgreSQL): what a
 * commit writes, what a reopen (a restart, or a standby taking over) loads, and that a failed batch writes
 * nothing of itself.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncidentEffect, TimelineEntry } from '../../machines/incident-types.js';
import type { IncidentTransition, PendingEffect, StatusEntry, StoredDelivery } from '../../src/core/store.js';
import { BACKENDS, commitParts as commit } from './backends.js';
import { alice, runIncident, START } from './incident-fixture.js';
import { deliveryRow, NOW } from './store-fixture.js';

const DAY = 86_400_000;
const row = (id: string, overrides: Partial<StoredDelivery> = {}): StoredDelivery =>
  deliveryRow(id, `page ${id}`, overrides);

for (const backend of BACKENDS)
  describe(`the store on ${backend.name}`, () => {
    test('the announcements that still matter are loaded from their delivered rows: open incidents, and closed ones with rows pending', async (t) => {
      const storage = await backend.storage(t);
      const first = await storage.open();
      const announcement = (id: string, incidentId: number, conversation: string): StoredDelivery => {
        const base = deliveryRow(id, `Incident #${incidentId} declared`, { incidentId, channel: 'matrix' });
        const message = base.content.kind === 'message' ? base.content.message : undefined;
        if (!message) throw new Error('a message row');
        return {
          ...base,
          content: {
            kind: 'message',
            message: { ...message, to: { network: 'matrix', conversation }, incidentThread: 'root' },
          },
        };
      };
      for (const id of [21, 22, 23])
        for (const transition of runIncident(id, undefined, id * 100).transitions)
          await commit(first, { transitions: [transition] });
      await commit(first, {
        deliveries: [
          announcement('a21', 21, '#infra:x.org'),
          announcement('b21', 21, '#ops:x.org'),
          row('p21', { incidentId: 21, channel: 'matrix' }),
          announcement('a22', 22, '#infra:x.org'),
          announcement('a23', 23, '#infra:x.org'),
          {
            ...row('e22', { incidentId: 22, channel: 'matrix' }),
            content: { kind: 'edit', conversation: '#infra:x.org', incidentId: 22, body: [] },
          },
        ],
      });
      const delivered = (id: string, eventId: string) =>
        ({ id, kind: 'outcome', state: 'delivered', at: NOW, receipt: [eventId] }) as const;
      await commit(first, {
        deliveryUpdates: [
          delivered('a21', '$a21'),
          delivered('b21', '$b21'),
          delivered('p21', '$p21'),
          delivered('a22', '$a22'),
          delivered('a23', '$a23'),
        ],
      });
      // #22 and #23 are resolved; #22 still has its edit pending, #23 has nothing left.
      for (const id of [22, 23]) {
        const last = runIncident(id, undefined, id * 100).transitions.at(-1) as IncidentTransition;
        await commit(first, {
          transitions: [
            { ...last, open: false, phase: 'resolved', effects: [], timeline: { from: 99, entries: [] } },
          ],
        });
      }
      await first.close();

      const store = await storage.open();
      const loaded = await store.load();
      assert.deepEqual(
        [...loaded.announcements].sort((a, b) => a.eventId.localeCompare(b.eventId)),
        [
          { incidentId: 21, channel: 'matrix', conversation: '#infra:x.org', eventId: '$a21' },
          { incidentId: 22, channel: 'matrix', conversation: '#infra:x.org', eventId: '$a22' },
          { incidentId: 21, channel: 'matrix', conversation: '#ops:x.org', eventId: '$b21' },
        ],
        'a page is no announcement; a resolved incident with nothing pending is forgotten',
      );
    });

    test('an incident, its timeline and effects survive a reopen; done effects leave', async (t) => {
      const storage = await backend.storage(t);
      const first = await storage.open();
      const run = runIncident(12);
      for (const transition of run.transitions) await commit(first, { transitions: [transition] });
      const stored: PendingEffect[] = run.transitions.flatMap((transition) => transition.effects);
      const [announce, ...rest] = stored;
      await commit(first, { effectsDone: [announce?.id ?? -1] });
      await first.close();

      const store = await storage.open();
      const loaded = await store.load();
      assert.equal(loaded.openIncidents.length, 1);
      assert.deepEqual(loaded.openIncidents[0]?.snapshot, run.snapshot);
      assert.equal(loaded.openIncidents[0]?.createdAt, START);
      assert.equal(loaded.lastIncidentId, 12);
      assert.deepEqual(loaded.pendingEffects, rest);
      assert.equal(loaded.lastEffectId, stored.length);
      const last = run.transitions.at(-1) as IncidentTransition;
      const snapshotTimeline = (run.snapshot as { context: { timeline: TimelineEntry[] } }).context.timeline;
      assert.deepEqual(await store.timeline(12), snapshotTimeline);
      assert.equal((await store.incident(12))?.updatedAt, last.at);
      assert.equal(await store.incident(13), undefined);

      // Re-saving an overlapping range writes each entry once; an effect done in its own batch is never written.
      const resolved: PendingEffect = {
        id: 99,
        incidentId: 12,
        effect: { type: 'effect.resolved', at: last.at },
      };
      await commit(store, {
        transitions: [
          {
            ...last,
            open: false,
            phase: 'resolved',
            effects: [resolved],
            timeline: { from: 2, entries: snapshotTimeline.slice(2) },
          },
        ],
        effectsDone: [99, ...rest.map((pending) => pending.id)],
      });
      assert.deepEqual(await store.timeline(12), snapshotTimeline);
      const after = await store.load();
      assert.deepEqual(after.pendingEffects, []);
      assert.deepEqual(after.openIncidents, [], 'a resolved incident is not loaded as open');
      const closed = await store.incident(12);
      assert.deepEqual(
        [closed?.open, closed?.phase, closed?.updatedAt, closed?.createdAt],
        [false, 'resolved', last.at, START],
        'the closing save changes the row (its phase, and open) and keeps when it was created',
      );
      assert.deepEqual(
        (await store.recentIncidents(5)).map((incident) => incident.id),
        [12],
      );
    });

    // With a key-value beside them, PostgreSQL sends the same writes as one query string of literals
    // instead of one prepared call (postgres-store.ts): both ways are held to the same result.
    for (const keyValues of [[], [{ namespace: 'n', key: 'k', value: 'v' }]])
      test(`one batch that changes a row several times leaves it as the changes one by one would${keyValues.length > 0 ? ', beside a key-value' : ''}`, async (t) => {
        const storage = await backend.storage(t);
        const first = await storage.open();
        // A whole incident's life in one batch (a tick where it moved several times), and each new outbox
        // row updated more than once: attempts then the outcome, an attempt after the outcome, two outcomes.
        const run = runIncident(12);
        const rowsOf12 = ['x', 'y', 'z'].map((id) => row(id, { incidentId: 12 }));
        await commit(first, {
          transitions: run.transitions,
          deliveries: rowsOf12,
          deliveryUpdates: [
            { id: 'x', kind: 'attempt', attempts: 1 },
            { id: 'x', kind: 'attempt', attempts: 2 },
            { id: 'x', kind: 'outcome', state: 'delivered', at: NOW + 1, receipt: ['$x'] },
            { id: 'y', kind: 'outcome', state: 'refused', at: NOW + 2, receipt: [], reason: 'no' },
            { id: 'y', kind: 'attempt', attempts: 5 },
            { id: 'z', kind: 'outcome', state: 'delivered', at: NOW + 3, receipt: ['$z'] },
            { id: 'z', kind: 'outcome', state: 'timed-out', at: NOW + 4, receipt: [] },
          ],
          handled: [
            { durableId: 'twice', at: NOW },
            { durableId: 'twice', at: NOW + 1 },
          ],
          keyValues,
        });
        await first.close();
        const store = await storage.open();
        const loaded = await store.load();
        const last = run.transitions.at(-1) as IncidentTransition;
        assert.deepEqual(loaded.openIncidents[0]?.snapshot, run.snapshot);
        assert.equal(loaded.openIncidents[0]?.createdAt, START, 'created by the first transition');
        assert.equal((await store.incident(12))?.updatedAt, last.at);
        const snapshotTimeline = (run.snapshot as { context: { timeline: TimelineEntry[] } }).context
          .timeline;
        assert.deepEqual(await store.timeline(12), snapshotTimeline);
        assert.deepEqual(loaded.pendingDeliveries, []);
        assert.ok(await store.handled('twice'));
        const rows = (await store.deliveries(12)).map((stored) => [
          stored.attempts,
          stored.state,
          stored.outcomeAt,
          stored.receipt,
          stored.reason,
        ]);
        assert.deepEqual(rows, [
          [2, 'delivered', NOW + 1, ['$x'], undefined],
          [0, 'refused', NOW + 2, [], 'no'],
          [0, 'timed-out', NOW + 4, [], undefined],
        ]);
      });

    test('a batch that fails midway writes nothing of itself, and the port rejects', async (t) => {
      const store = await (await backend.storage(t)).open();
      const run = runIncident(12);
      await commit(store, { transitions: run.transitions.slice(0, 3) });
      const state = async (): Promise<unknown> => [
        await store.incident(12),
        await store.timeline(12),
        (await store.load()).pendingEffects,
        (await store.load()).pendingDeliveries,
      ];
      const saved = await state();
      const next = run.transitions[3] as IncidentTransition;
      const unserializable = { type: 'effect.announce', at: 10n } as unknown as IncidentEffect;
      await assert.rejects(
        commit(store, {
          transitions: [{ ...next, effects: [{ id: 50, incidentId: 12, effect: unserializable }] }],
        }),
        /cannot be stored as JSON/,
      );
      assert.deepEqual(await state(), saved);
      await assert.rejects(
        commit(store, { transitions: [next], deliveries: [row('d-1', { attempts: -1 })] }),
      );
      assert.deepEqual(await state(), saved);
      await commit(store, { transitions: [next] });
      assert.notDeepEqual(await state(), saved, 'the same transition, intact, is stored');
    });

    test('outbox rows come back pending in creation order until their outcome; finished ones are pruned', async (t) => {
      const storage = await backend.storage(t);
      const first = await storage.open();
      const incident = runIncident(12).transitions[0];
      assert.ok(incident);
      await commit(first, {
        transitions: [incident],
        deliveries: [row('c'), row('a', { incidentId: 12 }), row('b', { lane: 'bulk', channel: 'matrix' })],
      });
      await commit(first, { deliveries: [row('d'), row('old')] });
      await commit(first, {
        deliveryUpdates: [
          { id: 'a', kind: 'outcome', state: 'delivered', at: NOW + 5, receipt: ['$event1'] },
          { id: 'b', kind: 'attempt', attempts: 1 },
          { id: 'd', kind: 'outcome', state: 'refused', at: NOW + 6, receipt: [], reason: 'cannot send' },
          { id: 'old', kind: 'outcome', state: 'delivered', at: NOW - 40 * DAY, receipt: [] },
        ],
      });
      await first.close();
      const store = await storage.open();
      const pending = (await store.load()).pendingDeliveries;
      assert.deepEqual(
        pending.map((delivery) => [delivery.id, delivery.attempts]),
        [
          ['c', 0],
          ['b', 1],
        ],
      );
      assert.deepEqual(pending[0], row('c'), 'the row as it was stored');
      assert.deepEqual(await store.deliveries(12), [
        { ...row('a', { incidentId: 12 }), state: 'delivered', outcomeAt: NOW + 5, receipt: ['$event1'] },
      ]);
      await commit(store, {
        prune: {
          handledBefore: 0,
          incidentDeliveriesBefore: NOW - 365 * DAY,
          otherDeliveriesBefore: NOW - 30 * DAY,
        },
      });
      await commit(store, {
        deliveryUpdates: [{ id: 'c', kind: 'outcome', state: 'delivered', at: NOW, receipt: [] }],
      });
      assert.deepEqual(
        (await store.load()).pendingDeliveries.map((delivery) => delivery.id),
        ['b'],
      );
    });

    test('key-values, handled marks, the alert, topics, history and long messages survive a reopen', async (t) => {
      const storage = await backend.storage(t);
      const first = await storage.open();
      const put = (namespace: string, key: string, value: string | null) => ({ namespace, key, value });
      const alert: StatusEntry = { kind: 'alert', text: 'eu mirrors stale', by: alice, at: NOW };
      await commit(first, {
        keyValues: [
          put('matrix', 'sync', 's1'),
          put('matrix', 'sync', 's2'),
          put('irc', 'sync', 'x'),
          put('m', 'gone', 'y'),
        ],
        handled: [
          { durableId: 'matrix:m:$a', at: 1_000 },
          { durableId: 'matrix:m:$a', at: 5_000 },
          { durableId: 'matrix:m:$b', at: 3_000 },
        ],
        alert,
        savedTopics: [
          { network: 'libera', conversation: '#infra', topic: 'all good', at: NOW },
          { network: 'libera', conversation: '#infra', topic: 'ALERT text', at: NOW + 1 },
          { network: 'libera', conversation: '#ops', topic: 'ops', at: NOW },
        ],
        statusHistory: [alert, { ...alert, kind: 'notice', text: 'second', at: NOW + 1 }],
        longMessages: [{ slot: 3, id: 'L1', message: '{"text":"one"}' }],
      });
      await commit(first, {
        keyValues: [put('m', 'gone', null)],
        savedTopics: [{ network: 'libera', conversation: '#ops', topic: null, at: NOW }],
        longMessages: [{ slot: 3, id: 'L2', message: '{"text":"two"}' }],
        prune: { handledBefore: 2_000, incidentDeliveriesBefore: 0, otherDeliveriesBefore: 0 },
      });
      await first.close();
      const store = await storage.open();
      const loaded = await store.load();
      const values = new Map(
        loaded.keyValues.map(({ namespace, key, value }) => [`${namespace} ${key}`, value]),
      );
      assert.deepEqual([...values].sort(), [
        ['irc sync', 'x'],
        ['matrix sync', 's2'],
      ]);
      assert.equal(await store.handled('matrix:m:$a'), false, 'pruned by its first handling time');
      assert.equal(await store.handled('matrix:m:$b'), true);
      assert.deepEqual(loaded.alert, alert);
      assert.deepEqual(loaded.savedTopics, [
        { network: 'libera', conversation: '#infra', topic: 'all good' },
      ]);
      assert.deepEqual(
        (await store.statusHistory(5)).map((entry) => entry.text),
        ['second', 'eu mirrors stale'],
      );
      assert.deepEqual(await store.longMessage(3), { slot: 3, id: 'L2', message: '{"text":"two"}' });
      assert.equal(await store.longMessage(4), undefined);
      await commit(store, { alert: null });
      assert.equal((await store.load()).alert, undefined);
    });

    test('a used ack link is remembered across a reopen, once, until pruned with the handled marks', async (t) => {
      const storage = await backend.storage(t);
      const first = await storage.open();
      const used = (linkId: string, at: number) => ({ linkId, incidentId: 3, contactId: 'mara', at });
      assert.equal(await first.ackLinkUsed('link-a'), false);
      await commit(first, { usedAckLinks: [used('link-a', 1_000), used('link-b', 5_000)] });
      // A batch retried after a failure writes the same mark again: harmless, the first stands.
      await commit(first, { usedAckLinks: [used('link-a', 9_000)] });
      await first.close();
      const store = await storage.open();
      assert.equal(await store.ackLinkUsed('link-a'), true);
      assert.equal(await store.ackLinkUsed('link-b'), true);
      assert.equal(await store.ackLinkUsed('link-c'), false);
      await commit(store, {
        prune: { handledBefore: 2_000, incidentDeliveriesBefore: 0, otherDeliveriesBefore: 0 },
      });
      assert.equal(await store.ackLinkUsed('link-a'), false, 'pruned by its first use time');
      assert.equal(await store.ackLinkUsed('link-b'), true);
    });

    test('a quarantined incident is not loaded as open and its effects never run', async (t) => {
      const store = await (await backend.storage(t)).open();
      const twelve = runIncident(12).transitions.slice(0, 3);
      const thirteen = runIncident(13, 'dns', 100).transitions.slice(0, 3);
      await commit(store, { transitions: [...twelve, ...thirteen] });
      await commit(store, { quarantines: [{ incidentId: 12, reason: 'cannot restore' }] });
      const loaded = await store.load();
      assert.deepEqual(
        loaded.openIncidents.map((incident) => incident.id),
        [13],
      );
      assert.ok(loaded.pendingEffects.every((pending) => pending.incidentId === 13));
      assert.equal((await store.incident(12))?.id, 12, 'still there for people to look at');
      await assert.rejects(
        commit(store, { quarantines: [{ incidentId: 77, reason: 'x' }] }),
        /no incident #77/,
      );
    });
  });
