/**
 * `IncidentStore` on SQLite (better-sqlite3, synchronous). Every statement is prepared once, here; a
 * transition is one transaction of one upsert, one row per new timeline entry and one per effect. With
 * synchronous=FULL each commit waits for an fsync, so `saveTransitions` offers group commit on top.
 *
 * A row that cannot be read back (its JSON damaged on disk) is logged and skipped, and an open incident's
 * damaged snapshot is quarantined on the spot: one bad row never blocks the others from loading.
 *
 * Quarantine copies the snapshot beside the reason and keeps the incident's own row and timeline, so
 * people can still look it up (`get`, `recent`, `timeline`); only `loadOpen` and the outbox leave it out.
 */
import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { Actor, IncidentEffect, TimelineEntry, TimelineKind } from '../../machines/incident-types.js';
import type { IncidentPhase } from '../../machines/incident.js';
import { systemClock } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { IncidentRecord, IncidentStore, IncidentTransition, PendingEffect } from '../core/store.js';
import { parseJsonColumn, toJsonColumn } from './json-column.js';

export interface SqliteIncidentStoreOptions {
  readonly logger?: Logger;
  /** Stamps quarantines and completed effects. */
  readonly now?: () => number;
}

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

interface TimelineRow {
  at: number;
  kind: string;
  actor: string | null;
  detail: string | null;
}

interface EffectRow {
  id: number;
  incident_id: number;
  effect: string;
}

const INCIDENT_COLUMNS = 'id, group_id, summary, phase, open, snapshot, created_at, updated_at';

export class SqliteIncidentStore implements IncidentStore {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly statements: Statements;
  private readonly saveInTransaction: (transition: IncidentTransition) => PendingEffect[];
  private readonly saveManyInTransaction: (
    transitions: readonly IncidentTransition[],
    completed: readonly number[],
    at: number,
  ) => PendingEffect[][];
  private readonly completeInTransaction: (ids: readonly number[], at: number) => void;
  private readonly quarantineInTransaction: Transaction<(id: number, reason: string, at: number) => void>;

  /** The store closes `db` on `close()`; share it with a `SqliteKeyValueStore` freely until then. */
  constructor(
    private readonly db: Database,
    options: SqliteIncidentStoreOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? systemClock.now;
    const s = prepare(db);
    this.statements = s;

    this.saveInTransaction = db.transaction((transition: IncidentTransition) => write(s, transition));
    this.saveManyInTransaction = db.transaction(
      (transitions: readonly IncidentTransition[], completed: readonly number[], at: number) => {
        const stored = transitions.map((transition) => write(s, transition));
        if (completed.length > 0) {
          for (const id of completed) s.markEffectDone.run(at, id);
          s.sweepDoneEffects.run();
        }
        return stored;
      },
    );

    this.completeInTransaction = db.transaction((ids: readonly number[], at: number) => {
      for (const id of ids) s.markEffectDone.run(at, id);
      s.sweepDoneEffects.run();
    });

    this.quarantineInTransaction = db.transaction((id: number, reason: string, at: number) => {
      const snapshot = s.selectSnapshot.get(id) as string | undefined;
      if (snapshot === undefined) throw new RangeError(`there is no incident #${id} to quarantine`);
      s.upsertQuarantine.run(id, reason, snapshot, at);
      // Its effects belong to a state nobody can restore: they must never run.
      s.retireEffects.run(at, id);
    });
  }

  allocateId(): number {
    const id = this.statements.allocateId.get() as number | undefined;
    if (id === undefined) throw new Error('the incident counter is missing: was migration 001 altered?');
    return id;
  }

  saveTransition(transition: IncidentTransition): PendingEffect[] {
    return this.saveInTransaction(transition);
  }

  /**
   * Group commit: several transitions (of any incidents) in one transaction, all or none, for one
   * fsync instead of one each. Their effects may go out once this returns, as with `saveTransition`.
   */
  saveTransitions(
    transitions: readonly IncidentTransition[],
    completed: readonly number[] = [],
  ): PendingEffect[][] {
    if (transitions.length === 0 && completed.length === 0) return [];
    return this.saveManyInTransaction(transitions, completed, this.now());
  }

  completeEffects(ids: readonly number[]): void {
    if (ids.length > 0) this.completeInTransaction(ids, this.now());
  }

  pendingEffects(): PendingEffect[] {
    const pending: PendingEffect[] = [];
    for (const row of this.statements.selectPendingEffects.all() as EffectRow[]) {
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

  loadOpen(): IncidentRecord[] {
    const records: IncidentRecord[] = [];
    for (const row of this.statements.selectOpen.all() as IncidentRow[]) {
      const parsed = parseJsonColumn(row.snapshot);
      if (parsed.ok) records.push(toRecord(row, parsed.value));
      else this.quarantine(row.id, `the stored snapshot is not valid JSON: ${parsed.error}`);
    }
    return records;
  }

  get(id: number): IncidentRecord | undefined {
    const row = this.statements.selectIncident.get(id) as IncidentRow | undefined;
    return row && this.readRow(row);
  }

  timeline(id: number): TimelineEntry[] {
    return (this.statements.selectTimeline.all(id) as TimelineRow[]).map(toTimelineEntry);
  }

  recent(limit: number): IncidentRecord[] {
    return (this.statements.selectRecent.all(limit) as IncidentRow[]).map((row) => this.readRow(row));
  }

  quarantine(id: number, reason: string): void {
    this.quarantineInTransaction.immediate(id, reason, this.now());
    this.logger.warn({ incident: id, reason }, 'incident quarantined: it will not be restored');
  }

  close(): void {
    this.db.close();
  }

  /** For display (`!status`, listings): a damaged snapshot reads as null rather than failing the list. */
  private readRow(row: IncidentRow): IncidentRecord {
    const parsed = parseJsonColumn(row.snapshot);
    if (!parsed.ok)
      this.logger.error({ incident: row.id, error: parsed.error }, 'the stored snapshot is not valid JSON');
    return toRecord(row, parsed.ok ? parsed.value : null);
  }
}

type Statements = ReturnType<typeof prepare>;

/** One transition's rows; the caller holds the transaction. */
function write(s: Statements, t: IncidentTransition): PendingEffect[] {
  const { from } = t.timeline;
  if (!Number.isSafeInteger(from) || from < 0)
    throw new RangeError(`incident #${t.incidentId}: timeline position ${from} is not an index`);
  s.upsertIncident.run({
    id: t.incidentId,
    group: t.group,
    summary: t.summary,
    phase: t.phase,
    open: t.open ? 1 : 0,
    snapshot: toJsonColumn(t.snapshot, `incident #${t.incidentId}'s snapshot`),
    at: t.at,
  });
  s.updateOpen.run({ open: t.open ? 1 : 0, id: t.incidentId });
  t.timeline.entries.forEach((entry, index) => {
    const by = entry.by === undefined ? null : toJsonColumn(entry.by, 'a timeline actor');
    s.upsertTimeline.run(t.incidentId, from + index, entry.at, entry.kind, by, entry.detail ?? null);
  });
  return t.effects.map((effect) => {
    const json = toJsonColumn(effect, `incident #${t.incidentId}'s effect ${effect.type}`);
    const { lastInsertRowid } = s.insertEffect.run(t.incidentId, json, t.at);
    return { id: Number(lastInsertRowid), incidentId: t.incidentId, effect };
  });
}

function prepare(db: Database) {
  const statement = (sql: string): Statement => db.prepare(sql);
  return {
    // Never below the highest stored id, so incidents written without allocating cannot be shadowed.
    allocateId: statement(
      `UPDATE counters SET value = max(value, (SELECT coalesce(max(id), 0) FROM incidents)) + 1
       WHERE name = 'incident' RETURNING value`,
    ).pluck(),
    upsertIncident: statement(
      `INSERT INTO incidents (${INCIDENT_COLUMNS})
       VALUES (@id, @group, @summary, @phase, @open, @snapshot, @at, @at)
       ON CONFLICT (id) DO UPDATE SET
         group_id = excluded.group_id, summary = excluded.summary, phase = excluded.phase,
         snapshot = excluded.snapshot, updated_at = excluded.updated_at`,
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
    insertEffect: statement('INSERT INTO effects (incident_id, effect, created_at) VALUES (?, ?, ?)'),
    markEffectDone: statement('UPDATE effects SET done_at = ? WHERE id = ? AND done_at IS NULL'),
    // The newest row stays (done) so that its id is never handed out again; see migration 001.
    sweepDoneEffects: statement(
      'DELETE FROM effects WHERE done_at IS NOT NULL AND id < (SELECT max(id) FROM effects)',
    ),
    retireEffects: statement('UPDATE effects SET done_at = ? WHERE incident_id = ? AND done_at IS NULL'),
    selectPendingEffects: statement(
      'SELECT id, incident_id, effect FROM effects WHERE done_at IS NULL ORDER BY id',
    ),
    selectOpen: statement(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents i
       WHERE open = 1 AND NOT EXISTS (SELECT 1 FROM quarantine q WHERE q.incident_id = i.id)
       ORDER BY id`,
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

function toTimelineEntry(row: TimelineRow): TimelineEntry {
  const by = row.actor === null ? undefined : parseJsonColumn(row.actor);
  return {
    at: row.at,
    kind: row.kind as TimelineKind,
    ...(by?.ok ? { by: by.value as Actor } : {}),
    ...(row.detail === null ? {} : { detail: row.detail }),
  };
}
