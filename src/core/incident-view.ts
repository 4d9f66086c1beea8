/** What the core and the commands see of an incident: a view of its snapshot, from memory or the store. */
import type { SnapshotFrom } from 'xstate';
import { phaseOf, type IncidentMachine, type IncidentPhase } from '../../machines/incident.js';
import type { IncidentContext } from '../../machines/incident-types.js';
import type { IncidentRecord } from './store.js';

export interface IncidentView {
  readonly id: number;
  readonly phase: IncidentPhase;
  readonly open: boolean;
  readonly context: IncidentContext;
}

export function viewOf(id: number, snapshot: SnapshotFrom<IncidentMachine>): IncidentView {
  return {
    id,
    phase: phaseOf(snapshot.value),
    open: snapshot.status === 'active',
    context: snapshot.context,
  };
}

/** A stored incident as a view; undefined when its snapshot is damaged (unreadable, or not an incident's). */
export function viewOfRecord(record: IncidentRecord): IncidentView | undefined {
  const context = (record.snapshot as { context?: IncidentContext } | null)?.context;
  if (!context || !Array.isArray(context.timeline)) return undefined;
  return { id: record.id, phase: record.phase, open: record.open, context };
}
