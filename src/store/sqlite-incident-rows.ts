/**
 * The incidents' rows on SQLite: each incident's snapshot, its timeline (keyed by position, so re-saving an
 * overlapping range rewrites the same rows), its pending effects, and the quarantine. The caller (the
 * store's commit) holds the transaction; every statement is prepared once.
 *
 * A row that cannot be read back (its JSON damaged on disk) is logged and reported rather than thrown: an
 * open incident's damaged snapshot comes back with `damage` set (the core quarantines it), a damaged effect
 * is left out. Quarantine copies the snapshot beside the reason and keeps the incident's own row and
 * timeline, so people can still look it up; only the open set and the pending effects leave it out.
 */
import type { SqliteDatabase as Database, SqliteStatement as Statement } from './sqlite-driver.js';
import type { IncidentEffect, TimelineEntry } from '../../machines/incident-types.js';
import type { IncidentPhase } from '../../machines/incident.js';
import type { Logger } from '../core/logger.js';
import type { IncidentRecord, IncidentTransition, PendingEffect } from '../core/store.js';
import { parseJsonColumn, toJsonColumn } from './json-column.js';
import { timelinesByIncident, toTimelineEntry, type TimelineRow } from './row-readers.js';
import { lacksTimeline, withoutTimeline, withTimeline } from './snapshot-timeline.js';

interface IncidentRow {
  id: number;
  group_id: string;
  summary: string;
  phase: string;
  open: number;
  snapshot: string;
  created_at: number;
  updated_at: number;
}

interface EffectRow {
  id: number;
  incident_id: number;
  effect: string;
}

const INCIDENT_COLUMNS = 'id, group_id, summary, phase, open, snapshot, created_at, updated_at';

export class SqliteIncidentRows {
  private readonly s: Statements;

  constructor(
    db: Database,
    private readonly logger: Logger,
  ) {
    this.s = prepare(db);
  }

  /** One transition's rows; effects in `done` were performed in the same batch and are not written. */
  write(t: IncidentTransition, done: ReadonlySet<number>): void {
    const { s } = this;
    const { from } = t.timeline;
    if (!Number.isSafeInteger(from) || from < 0)
      throw new RangeError(`incident #${t.incidentId}: timeline position ${from} is not an index`);
    const row = {
      id: t.incidentId,
      group: t.group,
      summary: t.summary,
      phase: t.phase,
      open: t.open ? 1 : 0,
      snapshot: toJsonColumn(withoutTimeline(t.snapshot), `incident #${t.incidentId}'s snapshot`),
      at: t.at,
    };
    // Nearly every save is of a stored incident whose `open` stays as it is: one plain update. The first
    // save (no row yet) and the closing one (`open` changes) find nothing to update and take the long way.
    if (s.updateIncident.run(row).changes === 0) {
      s.upsertIncident.run(row);
      s.updateOpen.run({ open: row.open, id: t.incidentId });
    }
    t.timeline.entries.forEach((entry, index) => {
      const by = entry.by === undefined ? null : toJsonColumn(entry.by, 'a timeline actor');
      s.upsertTimeline.run(t.incidentId, from + index, entry.at, entry.kind, by, entry.detail ?? null);
    });
    for (const { id, effect } of t.effects) {
      if (done.has(id)) continue;
      const json = toJsonColumn(effect, `incident #${t.incidentId}'s effect ${effect.type}`);
      s.insertEffect.run(id, t.incidentId, json, t.at);
    }
  }

  /** Performed effects leave the table: nothing refers to them any more. */
  completeEffects(ids: readonly number[]): void {
    for (const id of ids) this.s.deleteEffect.run(id);
  }

  quarantine(id: number, reason: string, at: number): void {
    const stored = this.s.selectSnapshot.get(id) as string | undefined;
    if (stored === undefined) throw new RangeError(`there is no incident #${id} to quarantine`);
    // The copy is for people to read: whole, with its timeline (the text as stored when it is damaged).
    const parsed = parseJsonColumn(stored);
    const snapshot = parsed.ok
      ? toJsonColumn(
          withTimeline(parsed.value, () => this.timeline(id)),
          `incident #${id}'s snapshot`,
        )
      : stored;
    this.s.upsertQuarantine.run(id, reason, snapshot, at);
    // Its effects belong to a state nobody can restore: they must never run.
    this.s.retireEffects.run(id);
  }

  lastIncidentId(): number {
    return this.s.selectLastIncidentId.get() as number;
  }

  lastEffectId(): number {
    return this.s.selectLastEffectId.get() as number;
  }

  loadOpen(): IncidentRecord[] {
    const records = (this.s.selectOpen.all() as IncidentRow[]).map((row) => {
      const parsed = parseJsonColumn(row.snapshot);
      if (parsed.ok) return toRecord(row, parsed.value);
      this.logger.error({ incident: row.id, error: parsed.error }, 'the stored snapshot is not valid JSON');
      return { ...toRecord(row, null), damage: `the stored snapshot is not valid JSON: ${parsed.error}` };
    });
    if (!records.some((record) => lacksTimeline(record.snapshot))) return records;
    const timelines = timelinesByIncident(
      this.s.selectOpenTimelines.all() as Array<TimelineRow & { incident_id: number }>,
    );
    for (const record of records) withTimeline(record.snapshot, () => timelines.get(record.id) ?? []);
    return records;
  }

  pendingEffects(): PendingEffect[] {
    const pending: PendingEffect[] = [];
    for (const row of this.s.selectPendingEffects.all() as EffectRow[]) {
      const parsed = parseJsonColumn(row.effect);
      if (parsed.ok)
        pending.push({ id: row.id, incidentId: row.incident_id, effect: parsed.value as IncidentEffect });
      else
        this.logger.error(
          { incident: row.incident_id, effectId: row.id, error: parsed.error },
          'a stored effect is damaged and will not be performed',
        );
    }
    return pending;
  }

  get(id: number): IncidentRecord | undefined {
    const row = this.s.selectIncident.get(id) as IncidentRow | undefined;
    return row && this.readRow(row);
  }

  timeline(id: number): TimelineEntry[] {
    return (this.s.selectTimeline.all(id) as TimelineRow[]).map((row) => toTimelineEntry(row));
  }

  recent(limit: number): IncidentRecord[] {
    return (this.s.selectRecent.all(limit) as IncidentRow[]).map((row) => this.readRow(row));
  }

  /** For display (`!status`, listings): a damaged snapshot reads as null rather than failing the list. */
  private readRow(row: IncidentRow): IncidentRecord {
    const parsed = parseJsonColumn(row.snapshot);
    if (!parsed.ok)
      this.logger.error({ incident: row.id, error: parsed.error }, 'the stored snapshot is not valid JSON');
    return toRecord(row, parsed.ok ? withTimeline(parsed.value, () => this.timeline(row.id)) : null);
  }
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database) {
  const statement = (sql: string): Statement => db.prepare(sql);
  return {
    upsertIncident: statement(
      `INSERT INTO incidents (${INCIDENT_COLUMNS})
       VALUES (@id, @group, @summary, @phase, @open, @snapshot, @at, @at)
       ON CONFLICT (id) DO UPDATE SET
         group_id = excluded.group_id, summary = excluded.summary, phase = excluded.phase,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
    ),
    // Leaves `open` alone (see updateOpen), and a row whose `open` differs, to the upsert.
    updateIncident: statement(
      `UPDATE incidents SET group_id = @group, summary = @summary, phase = @phase, snapshot = @snapshot,
         updated_at = @at
       WHERE id = @id AND open = @open`,
    ),
    // Not part of the upsert: naming `open` there rewrites its partial index entry on every save (one more
    // page per commit); this writes only when the value changes, once in an incident's life.
    updateOpen: statement('UPDATE incidents SET open = @open WHERE id = @id AND open <> @open'),
    // The latest save wins on overlap: it carries the same entries as the snapshot it was saved with.
    upsertTimeline: statement(
      `INSERT INTO timeline (incident_id, seq, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (incident_id, seq) DO UPDATE SET
         at = excluded.at, kind = excluded.kind, actor = excluded.actor, detail = excluded.detail`,
    ),
    insertEffect: statement('INSERT INTO effects (id, incident_id, effect, created_at) VALUES (?, ?, ?, ?)'),
    deleteEffect: statement('DELETE FROM effects WHERE id = ?'),
    retireEffects: statement('DELETE FROM effects WHERE incident_id = ?'),
    selectPendingEffects: statement(
      'SELECT id, incident_id, effect FROM effects WHERE done_at IS NULL ORDER BY id',
    ),
    // The counter of migration 001 still counts: numbers it handed out are not handed out again.
    selectLastIncidentId: statement(
      `SELECT max((SELECT coalesce(max(id), 0) FROM incidents),
                  (SELECT coalesce(max(value), 0) FROM counters WHERE name = 'incident'))`,
    ).pluck(),
    selectLastEffectId: statement('SELECT coalesce(max(id), 0) FROM effects').pluck(),
    selectOpen: statement(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i
       WHERE open = 1 AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.incident_id = i.id)
       ORDER BY id`,
    ),
    selectOpenTimelines: statement(
      `SELECT t.incident_id, t.at, t.kind, t.actor, t.detail FROM incidents i JOIN timeline t ON t.incident_id = i.id
       WHERE i.open = 1 ORDER BY t.incident_id, t.seq`,
    ),
    selectIncident: statement(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`),
    selectRecent: statement(`SELECT ${INCIDENT_COLUMNS} FROM incidents ORDER BY id DESC LIMIT ?`),
    selectTimeline: statement(
      'SELECT at, kind, actor, detail FROM timeline WHERE incident_id = ? ORDER BY seq',
    ),
    selectSnapshot: statement('SELECT snapshot FROM incidents WHERE id = ?').pluck(),
    upsertQuarantine: statement(
      `INSERT INTO quarantine (incident_id, reason, snapshot, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (incident_id) DO UPDATE SET
         reason = excluded.reason, snapshot = excluded.snapshot, at = excluded.at`,
    ),
  };
}

function toRecord(row: IncidentRow, snapshot: unknown): IncidentRecord {
  return {
    id: row.id,
    group: row.group_id,
    summary: row.summary,
    phase: row.phase as IncidentPhase,
    open: row.open === 1,
    snapshot,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
