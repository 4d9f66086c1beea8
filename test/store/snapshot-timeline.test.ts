/**
 * Both back ends store an incident's snapshot without its timeline (its timeline rows hold the entries)
 * and give it back whole on every read: the rows are read below the port to prove what is stored.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, type Snapshot } from 'xstate';
import type { IncidentContext } from '../../machines/incident-types.js';
import { incidentMachine } from '../../machines/incident.js';
import { BACKENDS, commitParts as commit } from './backends.js';
import { alice, runIncident } from './incident-fixture.js';

const contextOf = (snapshot: unknown): IncidentContext => (snapshot as { context: IncidentContext }).context;

for (const backend of BACKENDS)
  describe(`the snapshot's timeline on ${backend.name}`, () => {
    test('is stored in the rows only; every read gives the snapshot back whole, after a restart too', async (t) => {
      const storage = await backend.storage(t);
      const first = await storage.open();
      const twelve = runIncident(12);
      const thirteen = runIncident(13, 'dns failing', 100);
      // Interleaved, one transition per commit: each incident's rows must come back to it alone.
      for (let index = 0; index < twelve.transitions.length; index += 1)
        for (const run of [twelve, thirteen]) {
          const transition = run.transitions[index];
          if (transition) await commit(first, { transitions: [transition] });
        }

      const stored = JSON.parse((await storage.snapshotText('incidents', 12)) ?? 'null') as {
        context: Record<string, unknown>;
      } & Record<string, unknown>;
      assert.equal('timeline' in stored.context, false, 'each commit does not rewrite the entries before it');
      assert.equal(stored['firebell$timelineInRows'], true);
      assert.ok(contextOf(twelve.snapshot).timeline.length > 5, 'the fixture has a timeline to leave out');

      assert.deepEqual((await first.incident(12))?.snapshot, twelve.snapshot);
      assert.deepEqual(
        (await first.recentIncidents(5)).map((record) => record.snapshot),
        [thirteen.snapshot, twelve.snapshot],
      );
      await first.close();

      // A restart: the open incidents' snapshots are whole and restore a live machine.
      const store = await storage.open();
      const loaded = await store.load();
      assert.deepEqual(
        loaded.openIncidents.map((record) => record.snapshot),
        [twelve.snapshot, thirteen.snapshot],
      );
      const context = contextOf(twelve.snapshot);
      const actor = createActor(incidentMachine, {
        snapshot: loaded.openIncidents[0]?.snapshot as Snapshot<unknown>,
        input: { ...context, at: context.detectedAt },
      });
      actor.start();
      assert.deepEqual(actor.getSnapshot().context, context);
      actor.send({ type: 'incident.resolve', at: context.lastEventAt + 1, by: alice, note: 'fixed' });
      assert.equal(actor.getSnapshot().context.timeline.length, context.timeline.length + 1);
      actor.stop();
    });

    test('a snapshot stored whole by an earlier version keeps its own timeline; a quarantine copies it whole', async (t) => {
      const storage = await backend.storage(t);
      const store = await storage.open();
      const twelve = runIncident(12);
      const thirteen = runIncident(13, 'dns failing', 100);
      for (const transition of [...twelve.transitions, ...thirteen.transitions])
        await commit(store, { transitions: [transition] });
      const lean = (await storage.snapshotText('incidents', 12)) ?? '';

      // As an earlier version stored it: whole, its timeline differing from the rows'. It is read as stored.
      const older = {
        ...(twelve.snapshot as object),
        context: { ...contextOf(twelve.snapshot), timeline: [] },
      };
      await storage.writeSnapshotText(12, JSON.stringify(older));
      assert.deepEqual((await store.load()).openIncidents[0]?.snapshot, older);
      assert.deepEqual((await store.incident(12))?.snapshot, older);
      assert.deepEqual((await store.recentIncidents(2))[1]?.snapshot, older);
      // Damaged into lacking its timeline (not marked as stored without it): it stays without one.
      const damaged = { status: 'active', context: { id: 12 } };
      await storage.writeSnapshotText(12, JSON.stringify(damaged));
      assert.deepEqual((await store.incident(12))?.snapshot, damaged);

      // The quarantine's copy is for people to read: whole, with its timeline; damaged text as it is.
      await storage.writeSnapshotText(12, lean);
      await storage.writeSnapshotText(13, '{"status": "act');
      await commit(store, {
        quarantines: [
          { incidentId: 12, reason: 'cannot restore' },
          { incidentId: 13, reason: 'not JSON' },
        ],
      });
      assert.deepEqual(JSON.parse((await storage.snapshotText('quarantine', 12)) ?? 'null'), twelve.snapshot);
      assert.equal(await storage.snapshotText('quarantine', 13), '{"status": "act');
      assert.deepEqual((await store.incident(12))?.snapshot, twelve.snapshot, 'still there to look at');
    });
  });
