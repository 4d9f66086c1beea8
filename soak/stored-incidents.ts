/**
 * The soak's incidents as firebell's SQLite store holds them after the run: what was committed, and when
 * each transition happened (declared, announced, each tier paged, escalation exhausted, status prompt).
 */
import { openDatabase } from '../src/store/database.js';
import type { StoredIncident } from './demands.js';

export function readStoredIncidents(path: string): StoredIncident[] {
  const db = openDatabase(path);
  try {
    const incidents = db.prepare('SELECT id, group_id FROM incidents ORDER BY id').all() as Array<{
      id: number;
      group_id: string;
    }>;
    const entries = db
      .prepare('SELECT incident_id, at, kind, detail FROM timeline ORDER BY incident_id, seq')
      .all() as Array<{ incident_id: number; at: number; kind: string; detail: string | null }>;
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
      };
    });
  } finally {
    db.close();
  }
}
