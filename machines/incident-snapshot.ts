/**
 * An incident actor's snapshot in the form the store keeps, as xstate's `getPersistedSnapshot()` gives it.
 *
 * Why not that call itself: it walks the whole context, object by object, looking for actor references to
 * replace with their ids, and an incident's context is mostly its timeline, so the walk grew with the
 * incident and was a tenth of a committed transition's CPU. The incident machine spawns and invokes
 * nothing, so its context never holds an actor reference: the walk is given an empty context, and the
 * context is put back as it is. xstate still decides everything else (which fields persist, how history
 * is written). An actor that does hold children (it cannot today) gets xstate's own walk.
 */
import type { SnapshotFrom } from 'xstate';
import type { IncidentMachine } from './incident.js';

type IncidentSnapshot = SnapshotFrom<IncidentMachine>;

const NO_CONTEXT = Object.freeze({});

export function persistedIncidentSnapshot(machine: IncidentMachine, snapshot: IncidentSnapshot): unknown {
  if (Object.keys(snapshot.children).length > 0) return machine.getPersistedSnapshot(snapshot);
  const light = { ...snapshot, context: NO_CONTEXT } as unknown as IncidentSnapshot;
  const persisted = machine.getPersistedSnapshot(light) as unknown as { context: unknown };
  persisted.context = snapshot.context;
  return persisted;
}
