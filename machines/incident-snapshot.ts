/**
 * An incident actor's snapshot in the form the store keeps, as xstate's `getPersistedSnapshot()` gives it.
 *
 * Why not that call itself: it walks the whole context, object by object, looking for actor references to
 * replace with their ids, and an incident's context is mostly its timeline, so the walk grew with the
 * incident and was a tenth of a committed transition's CPU. The incident machine spawns and invokes
 * nothing, so its context never holds an actor reference, and it has no history states. What xstate keeps
 * of such a snapshot is built here directly: its own fields but the runtime ones (the same list xstate
 * leaves out), the context as it is, no children, and the history value in xstate's form. Handing xstate a
 * copy with an empty context instead cost two copies of the snapshot object per transition, nine tenths
 * of this function's time. incident-snapshot.test.ts holds the result to xstate's own at every step of an
 * incident's life, so an xstate that persists another way fails there. An actor that does hold children
 * (it cannot today) gets xstate's own walk.
 */
import type { SnapshotFrom } from 'xstate';
import type { IncidentMachine } from './incident.js';

type IncidentSnapshot = SnapshotFrom<IncidentMachine>;

/** What xstate's getPersistedSnapshot leaves out of a machine snapshot (or writes itself: context, children). */
const RUNTIME_FIELDS: ReadonlySet<string> = new Set([
  '_nodes',
  'tags',
  'machine',
  'children',
  'context',
  'can',
  'hasTag',
  'matches',
  'getMeta',
  'toJSON',
]);

export function persistedIncidentSnapshot(machine: IncidentMachine, snapshot: IncidentSnapshot): unknown {
  if (Object.keys(snapshot.children).length > 0) return machine.getPersistedSnapshot(snapshot);
  const fields = snapshot as unknown as Record<string, unknown>;
  const persisted: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) if (!RUNTIME_FIELDS.has(key)) persisted[key] = fields[key];
  persisted.context = snapshot.context;
  persisted.children = {};
  persisted.historyValue = persistedHistory(fields.historyValue);
  return persisted;
}

/** xstate's form of a history value: each remembered state node by its id. */
function persistedHistory(history: unknown): Record<string, Array<{ id: string }>> {
  const persisted: Record<string, Array<{ id: string }>> = {};
  if (typeof history !== 'object' || history === null) return persisted;
  for (const [key, nodes] of Object.entries(history as Record<string, unknown>))
    if (Array.isArray(nodes)) persisted[key] = nodes.map((node: { id: string }) => ({ id: node.id }));
  return persisted;
}
