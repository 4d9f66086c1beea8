/**
 * An alert from monitoring, as every intake source (Alertmanager, Grafana, the generic hook) is turned into
 * before the core sees it. The core decides what it means for incidents (intake.ts); the HTTP adapters
 * only read payloads.
 */
export type IntakeSource = 'alertmanager' | 'grafana' | 'generic';

export interface IntakeAlert {
  readonly source: IntakeSource;
  /**
   * What makes re-sends the same alert group: Alertmanager's receiver and groupKey, Grafana's the same,
   * the generic hook's dedup key. One key, one incident while it is open.
   */
  readonly key: string;
  /** Where it came from, for people: the receiver or the source's name. */
  readonly receiver: string;
  readonly status: 'firing' | 'resolved';
  /** One line for chat: what is wrong. */
  readonly summary: string;
  readonly severity?: string;
  /** Labels common to the group (Alertmanager's commonLabels), for routing. */
  readonly labels: Readonly<Record<string, string>>;
  /** How many alerts of the group are firing now, counting those the source left out (`unlisted`). */
  readonly firing: number;
  /**
   * Alerts the source left out of the payload (Alertmanager's max_alerts, counted in truncatedAlerts):
   * counted in `firing`, though some may have resolved, so chat says they were not listed.
   */
  readonly unlisted?: number;
  /**
   * Which alerts fire (a digest of their fingerprints), where the source says: the same count can be
   * other alerts, one resolved and another fired. The generic hook has no such list.
   */
  readonly firingSet?: string;
  /** A link to the source's view of it (Alertmanager's externalURL, Grafana's panel, the details URL). */
  readonly url?: string;
  /** The source's own test notification (Grafana's "Test" button): said in chat, never an incident. */
  readonly test?: boolean;
}
