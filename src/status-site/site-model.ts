/**
 * What the public status site shows, read from the store (what was committed is what is shown, never a
 * half-made change) and from the statusbot's current alert. Phases are put in the words status pages use:
 * detected and announced are "Investigating", assigned is "Identified" (someone is on it), resolved is
 * "Resolved"; `#status` posts are the public updates.
 */
import type { TimelineEntry } from '../../machines/incident-types.js';
import type { IncidentPhase } from '../../machines/incident.js';
import type { IncidentRecord, StatusEntry, Store, StoredDelivery } from '../core/store.js';

export type PublicPhase = 'Investigating' | 'Identified' | 'Resolved';

export const publicPhase = (phase: IncidentPhase): PublicPhase =>
  phase === 'resolved' ? 'Resolved' : phase === 'assigned' ? 'Identified' : 'Investigating';

export interface SiteIncident {
  readonly id: number;
  readonly summary: string;
  readonly group: string;
  readonly phase: IncidentPhase;
  readonly publicPhase: PublicPhase;
  readonly open: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Who holds it now (acknowledged or was assigned), and since when. */
  readonly holder?: { readonly name: string; readonly at: number };
  readonly resolvedAt?: number;
}

export interface SiteStatus {
  readonly generatedAt: number;
  /** The `#status alert` that is up, if any. */
  readonly alert?: StatusEntry;
  /** Open incidents, newest first. */
  readonly open: readonly SiteIncident[];
  readonly maintenance: readonly SiteMaintenance[];
  /** Resolved incidents and status posts, newest first, as one history. */
  readonly history: readonly HistoryItem[];
}

export type HistoryItem =
  | { readonly kind: 'incident'; readonly at: number; readonly incident: SiteIncident }
  | { readonly kind: 'status'; readonly at: number; readonly entry: StatusEntry };

export interface IncidentPage {
  readonly incident: SiteIncident;
  readonly timeline: readonly TimelineEntry[];
  /** Its pages and other deliveries, with what became of each. */
  readonly deliveries: readonly StoredDelivery[];
}

export type SiteStore = Pick<
  Store,
  'incident' | 'timeline' | 'recentIncidents' | 'statusHistory' | 'deliveries'
>;

/** A maintenance window open now, as the site shows it. */
export interface SiteMaintenance {
  readonly group: string;
  readonly endsAt: number;
  readonly reason: string;
  readonly by: string;
}

export interface SiteSource {
  readonly store: SiteStore;
  currentAlert(): StatusEntry | undefined;
  /** Open maintenance windows (absent: none are shown). */
  maintenance?(): readonly SiteMaintenance[];
  /**
   * The ids of the incidents open now (the service's). The recent incidents read for the page are the
   * newest ones: an incident open for days, with many declared and resolved since, would be left out.
   */
  openIncidentIds?(): readonly number[];
  now(): number;
}

export interface SiteLimits {
  /** Incidents read for the front page (open ones and the recent history). */
  readonly incidents: number;
  readonly statusEntries: number;
}

export const DEFAULT_SITE_LIMITS: SiteLimits = { incidents: 50, statusEntries: 50 };

/**
 * Who holds the incident now: the last acknowledgement or assignment not undone since. An assignment's
 * entry is by whoever typed `!assign`; the assignee is its detail.
 */
function holderOf(timeline: readonly TimelineEntry[]): SiteIncident['holder'] {
  let holder: SiteIncident['holder'];
  for (const entry of timeline) {
    if (entry.kind === 'acknowledged' && entry.by) holder = { name: entry.by.name, at: entry.at };
    if (entry.kind === 'assigned' && entry.by) holder = { name: entry.detail ?? entry.by.name, at: entry.at };
    if (entry.kind === 'unacknowledged' || entry.kind === 'ack-timed-out') holder = undefined;
  }
  return holder;
}

function toSiteIncident(record: IncidentRecord, timeline: readonly TimelineEntry[]): SiteIncident {
  const holder = holderOf(timeline);
  const resolved = [...timeline].reverse().find((entry) => entry.kind.startsWith('resolved'));
  return {
    id: record.id,
    summary: record.summary,
    group: record.group,
    phase: record.phase,
    publicPhase: publicPhase(record.phase),
    open: record.open,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(holder ? { holder } : {}),
    ...(!record.open && resolved ? { resolvedAt: resolved.at } : {}),
  };
}

export async function loadSiteStatus(source: SiteSource, limits = DEFAULT_SITE_LIMITS): Promise<SiteStatus> {
  const recent = await source.store.recentIncidents(limits.incidents);
  const shown = new Set(recent.map((record) => record.id));
  const older = await Promise.all(
    (source.openIncidentIds?.() ?? []).filter((id) => !shown.has(id)).map((id) => source.store.incident(id)),
  );
  const records = [...recent, ...older.flatMap((record) => (record ? [record] : []))];
  const incidents = await Promise.all(
    records.map(async (record) => toSiteIncident(record, await source.store.timeline(record.id))),
  );
  const entries = await source.store.statusHistory(limits.statusEntries);
  const history: HistoryItem[] = [
    ...incidents
      .filter((incident) => !incident.open)
      .map((incident) => ({
        kind: 'incident' as const,
        at: incident.resolvedAt ?? incident.updatedAt,
        incident,
      })),
    ...entries.map((entry) => ({ kind: 'status' as const, at: entry.at, entry })),
  ].sort((a, b) => b.at - a.at);
  const alert = source.currentAlert();
  return {
    generatedAt: source.now(),
    ...(alert ? { alert } : {}),
    open: incidents.filter((incident) => incident.open).sort((a, b) => b.createdAt - a.createdAt),
    maintenance: source.maintenance?.() ?? [],
    history,
  };
}

export async function loadIncidentPage(source: SiteSource, id: number): Promise<IncidentPage | undefined> {
  const record = await source.store.incident(id);
  if (!record) return undefined;
  const timeline = await source.store.timeline(id);
  return {
    incident: toSiteIncident(record, timeline),
    timeline,
    deliveries: await source.store.deliveries(id),
  };
}
