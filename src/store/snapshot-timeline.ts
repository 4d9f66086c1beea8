/**
 * Both stores keep an incident's snapshot without its timeline: the timeline rows already hold the
 * entries, so a transition does not serialise and rewrite a snapshot that grows with every entry (past
 * PostgreSQL's 2 KB TOAST threshold on a long incident). Reads put the timeline back. SQLite's migration
 * 005 and PostgreSQL's migration 6 exist so that a firebell from before refuses such a store.
 */
import type { TimelineEntry } from '../../machines/incident-types.js';

/**
 * Marks a stored snapshot whose timeline is in the rows. Only a snapshot so marked is given the rows'
 * timeline back: one stored whole by an earlier version keeps its own, and one damaged into lacking its
 * timeline still lacks it (the core tells such a snapshot by that, and quarantines it). PostgreSQL's
 * `firebell_whole_snapshot` (schema.ts) names it too.
 */
export const TIMELINE_IN_ROWS = 'firebell$timelineInRows';

type SnapshotShape = { readonly context?: { readonly timeline?: unknown } } | null;

/** The snapshot as stored: its context without the timeline (the timeline rows hold it), marked so. */
export function withoutTimeline(snapshot: unknown): unknown {
  const shape = snapshot as SnapshotShape;
  if (!shape || typeof shape !== 'object' || !shape.context || typeof shape.context !== 'object')
    return snapshot;
  if (!('timeline' in shape.context)) return snapshot;
  // Copied key by key: object rest and spread took V8's generic copy, twice the time, in every commit.
  const context: Record<string, unknown> = {};
  for (const key of Object.keys(shape.context))
    if (key !== 'timeline') context[key] = (shape.context as Record<string, unknown>)[key];
  const stored: Record<string, unknown> = {};
  for (const key of Object.keys(shape))
    stored[key] = key === 'context' ? context : (shape as Record<string, unknown>)[key];
  stored[TIMELINE_IN_ROWS] = true;
  return stored;
}

export function lacksTimeline(snapshot: unknown): boolean {
  return (
    !!snapshot &&
    typeof snapshot === 'object' &&
    (snapshot as Record<string, unknown>)[TIMELINE_IN_ROWS] === true
  );
}

/** The stored snapshot made whole again: the timeline put back from the rows where it was taken out. */
export function withTimeline(snapshot: unknown, timeline: () => TimelineEntry[]): unknown {
  if (!lacksTimeline(snapshot)) return snapshot;
  const shape = snapshot as { context?: unknown; [TIMELINE_IN_ROWS]?: boolean };
  delete shape[TIMELINE_IN_ROWS];
  if (shape.context && typeof shape.context === 'object')
    (shape.context as Record<string, unknown>).timeline = timeline();
  return snapshot;
}
