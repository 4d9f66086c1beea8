/** Turning store rows (SQLite and PostgreSQL share the columns) into the port's records; damaged JSON is logged. */
import type { Actor, IncidentEffect, TimelineEntry, TimelineKind } from '../../machines/incident-types.js';
import type { IncidentPhase } from '../../machines/incident.js';
import type { DeliveryContent, Lane } from '../core/delivery.js';
import type { AnnouncementReceipt } from '../core/incident-threads.js';
import type { Logger } from '../core/logger.js';
import type { DeliveryState, IncidentRecord, PendingEffect, StoredDelivery } from '../core/store.js';
import { parseJsonColumn } from './json-column.js';

export interface IncidentRow {
  id: number;
  group_id: string;
  summary: string;
  phase: string;
  open: boolean;
  snapshot: string;
  created_at: number;
  updated_at: number;
}

export const INCIDENT_COLUMNS = 'id, group_id, summary, phase, open, snapshot, created_at, updated_at';
export const DELIVERY_COLUMNS =
  'id, channel, lane, content, incident_id, created_at, attempts, state, outcome_at, receipt, reason';

export function toRecord(row: IncidentRow, snapshot: unknown): IncidentRecord {
  return {
    id: row.id,
    group: row.group_id,
    summary: row.summary,
    phase: row.phase as IncidentPhase,
    open: row.open,
    snapshot,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An open incident to restore: a damaged snapshot comes back with `damage` (the core quarantines it). */
export function openRecord(row: IncidentRow, logger: Logger): IncidentRecord {
  const parsed = parseJsonColumn(row.snapshot);
  if (parsed.ok) return toRecord(row, parsed.value);
  logger.error({ incident: row.id, error: parsed.error }, 'the stored snapshot is not valid JSON');
  return { ...toRecord(row, null), damage: `the stored snapshot is not valid JSON: ${parsed.error}` };
}

/** For display: a damaged snapshot reads as null rather than failing the list. */
export function displayRecord(row: IncidentRow, logger: Logger): IncidentRecord {
  const parsed = parseJsonColumn(row.snapshot);
  if (!parsed.ok)
    logger.error({ incident: row.id, error: parsed.error }, 'the stored snapshot is not valid JSON');
  return toRecord(row, parsed.ok ? parsed.value : null);
}

export interface TimelineRow {
  at: number;
  kind: string;
  actor: string | null;
  detail: string | null;
}

/** A row as its entry; `actors` (stored text to actor) lets entries of the same actor share one object. */
export function toTimelineEntry(row: TimelineRow, actors?: Map<string, Actor | undefined>): TimelineEntry {
  let by: Actor | undefined;
  if (row.actor !== null) {
    if (actors?.has(row.actor)) by = actors.get(row.actor);
    else {
      const parsed = parseJsonColumn(row.actor);
      by = parsed.ok ? (parsed.value as Actor) : undefined;
      actors?.set(row.actor, by);
    }
  }
  const entry: { at: number; kind: TimelineKind; by?: Actor; detail?: string } = {
    at: row.at,
    kind: row.kind as TimelineKind,
  };
  if (by !== undefined) entry.by = by;
  if (row.detail !== null) entry.detail = row.detail;
  return entry;
}

/**
 * Many incidents' timeline rows (ordered by incident, then position), read in one statement rather than
 * one per incident, as each incident's entries. The same actor (the same stored text) is one object,
 * shared as the policies are (incident-service.ts), since nothing mutates a timeline entry: 10,000
 * incidents declared by the same few people hold a few actors.
 */
export function timelinesByIncident(
  rows: Iterable<TimelineRow & { incident_id: number }>,
): Map<number, TimelineEntry[]> {
  const timelines = new Map<number, TimelineEntry[]>();
  const actors = new Map<string, Actor | undefined>();
  for (const row of rows) {
    const entry = toTimelineEntry(row, actors);
    const entries = timelines.get(row.incident_id);
    if (entries) entries.push(entry);
    else timelines.set(row.incident_id, [entry]);
  }
  return timelines;
}

export function toEffects(
  rows: readonly { id: number; incident_id: number; effect: string }[],
  logger: Logger,
): PendingEffect[] {
  return rows.flatMap((row) => {
    const parsed = parseJsonColumn(row.effect);
    if (parsed.ok)
      return [{ id: row.id, incidentId: row.incident_id, effect: parsed.value as IncidentEffect }];
    logger.error(
      { incident: row.incident_id, effectId: row.id, error: parsed.error },
      'a stored effect is damaged and will not be performed',
    );
    return [];
  });
}

export interface DeliveryRow {
  id: string;
  channel: string;
  lane: Lane;
  content: string;
  incident_id: number | null;
  created_at: number;
  attempts: number;
  state: DeliveryState;
  outcome_at: number | null;
  receipt: string | null;
  reason: string | null;
}

export function toDeliveries(rows: readonly DeliveryRow[], logger: Logger): StoredDelivery[] {
  return rows.flatMap((row) => {
    const content = parseJsonColumn(row.content);
    if (!content.ok) {
      logger.error({ delivery: row.id, error: content.error }, 'a stored delivery is damaged');
      return [];
    }
    const receipt = row.receipt === null ? undefined : parseJsonColumn(row.receipt);
    return [
      {
        id: row.id,
        channel: row.channel,
        lane: row.lane,
        content: content.value as DeliveryContent,
        ...(row.incident_id === null ? {} : { incidentId: row.incident_id }),
        createdAt: row.created_at,
        attempts: row.attempts,
        state: row.state,
        ...(row.outcome_at === null ? {} : { outcomeAt: row.outcome_at }),
        receipt: receipt?.ok && Array.isArray(receipt.value) ? (receipt.value as string[]) : [],
        ...(row.reason === null ? {} : { reason: row.reason }),
      },
    ];
  });
}

export interface AnnouncementRow {
  incident_id: number;
  channel: string;
  content: string;
  receipt: string | null;
}

/** Of delivered rows, the announcements (`incidentThread: 'root'`) and the event id each landed as. */
export function toAnnouncements(rows: readonly AnnouncementRow[]): AnnouncementReceipt[] {
  return rows.flatMap((row) => {
    const content = parseJsonColumn(row.content);
    const receipt = row.receipt === null ? undefined : parseJsonColumn(row.receipt);
    if (!content.ok || !receipt?.ok || !Array.isArray(receipt.value)) return [];
    const eventId: unknown = receipt.value[0];
    const delivery = content.value as DeliveryContent;
    if (delivery.kind !== 'message' || typeof eventId !== 'string') return [];
    const { message } = delivery;
    if (message.incidentThread !== 'root' || 'person' in message.to) return [];
    return [
      { incidentId: row.incident_id, channel: row.channel, conversation: message.to.conversation, eventId },
    ];
  });
}
