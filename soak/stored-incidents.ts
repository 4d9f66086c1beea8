/**
 * The soak's incidents as firebell's SQLite store holds them (soak/pg-store.ts: PostgreSQL's) after the run: what was committed, and when
 * each transition happened (declared, announced, each tier paged, escalation exhausted, status prompt).
 */
import { openDatabase } from '../src/store/database.js';
import type { StoredIncident } from './demands.js';

/** One incident's row and one timeline entry, as either store returns them (ids and times as numbers). */
export interface IncidentRow {
  readonly id: number;
  readonly group_id: string;
}
export interface TimelineRow {
  readonly incident_id: number;
  readonly at: number;
  readonly kind: string;
  readonly detail: string | null;
}

/** The incidents (by id) with their timelines (by incident and sequence) as the demands need them. */
export function storedIncidentsOf(
  incidents: readonly IncidentRow[],
  entries: readonly TimelineRow[],
): StoredIncident[] {
  return incidents.map((row) => {
    const own = entries.filter((entry) => entry.incident_id === row.id);
    const first = (kind: string): number | undefined => own.find((entry) => entry.kind === kind)?.at;
    const pagedAt = new Map<number, number>();
    for (const entry of own) {
      const tier = entry.kind === 'paged' ? /^tier (\d+):/.exec(entry.detail ?? '')?.[1] : undefined;
      if (tier !== undefined && !pagedAt.has(Number(tier))) pagedAt.set(Number(tier), entry.at);
    }
    return {
      id: row.id,
      group: row.group_id,
      detectedAt: first('detected') ?? 0,
      announcedAt: first('announced'),
      pagedAt,
      exhaustedAt: first('escalation-exhausted'),
      remindedAt: first('status-reminder'),
      ackedAt: first('acknowledged'),
    };
  });
}

export const INCIDENTS_SQL = 'SELECT id, group_id FROM incidents ORDER BY id';
export const TIMELINE_SQL = 'SELECT incident_id, at, kind, detail FROM timeline ORDER BY incident_id, seq';

export function readStoredIncidents(path: string): StoredIncident[] {
  const db = openDatabase(path);
  try {
    return storedIncidentsOf(
      db.prepare(INCIDENTS_SQL).all() as unknown as IncidentRow[],
      db.prepare(TIMELINE_SQL).all() as unknown as TimelineRow[],
    );
  } finally {
    db.close();
  }
}
