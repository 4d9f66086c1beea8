/**
 * The PostgreSQL side of the soak's two-instance mode: a fresh database per run on the server of
 * FIREBELL_TEST_DATABASE_URL (the tests' server), dropped at the end, and the incidents it holds after the
 * run, read as the SQLite mode reads its file (stored-incidents.ts).
 */
import pg from 'pg';
import { adminQuery, freshDatabase } from '../test/support/postgres.js';
import type { StoredIncident } from './demands.js';
import {
  INCIDENTS_SQL,
  storedIncidentsOf,
  TIMELINE_SQL,
  type IncidentRow,
  type TimelineRow,
} from './stored-incidents.js';

export interface SoakDatabase {
  readonly name: string;
  readonly url: string;
}

/**
 * Rejects with one line naming the `postgresql` package when no server answers (test/support/postgres.ts),
 * else creates a database of its own for this run.
 */
export function freshSoakDatabase(): Promise<SoakDatabase> {
  return freshDatabase('fb_soak');
}

export async function dropSoakDatabase(database: SoakDatabase): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
}

export async function readStoredIncidentsPg(database: SoakDatabase): Promise<StoredIncident[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    // bigint columns come back as strings.
    const incidents = (await client.query(INCIDENTS_SQL)).rows.map(
      (row: { id: string; group_id: string }): IncidentRow => ({
        id: Number(row.id),
        group_id: row.group_id,
      }),
    );
    const entries = (await client.query(TIMELINE_SQL)).rows.map(
      (row: { incident_id: string; at: string; kind: string; detail: string | null }): TimelineRow => ({
        incident_id: Number(row.incident_id),
        at: Number(row.at),
        kind: row.kind,
        detail: row.detail,
      }),
    );
    return storedIncidentsOf(incidents, entries);
  } finally {
    await client.end();
  }
}
