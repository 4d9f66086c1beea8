/**
 * Alerts that fired while a maintenance window held their group: recorded in the status log (once, and
 * again when more fire), paged by nobody. Each is kept whole, so that when its window ends an alert still
 * firing is acted on at once: Alertmanager would send it again only at its repeat_interval, often 4 h
 * later, and for those hours nobody would know that something was still broken.
 *
 * Only an alert heard of lately is paged then: a firing alert is re-sent at least every repeat_interval
 * (Alertmanager's and Grafana's default: 4 h), so one silent for longer was silenced at its source, which
 * also never sends its resolve. It may well have resolved during the work; the status log says it was not
 * paged, and its next re-send, if any, pages as usual.
 */
import type { Clock } from '../clock.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { StatusStore } from '../store.js';
import { actorOf, summaryOf } from './alert-route.js';
import type { IntakeAlert } from './intake-alert.js';

const NAMESPACE = 'intake-held';
/** The default repeat_interval and some: a still-firing alert has been re-sent within it. */
export const HELD_FRESH_MS = 5 * 3_600_000;

interface HeldEntry {
  readonly alert: IntakeAlert;
  /** When it was last heard of. */
  readonly heardAt: number;
}

export interface HeldAlertsDeps {
  readonly keyValues: JournaledKeyValues;
  readonly statusLog: Pick<StatusStore, 'record'>;
  readonly clock: Clock;
}

export class HeldAlerts {
  constructor(private readonly deps: HeldAlertsDeps) {}

  hold(alert: IntakeAlert, group: string, reason: string): void {
    const before = firingOf(this.deps.keyValues.get(NAMESPACE, alert.key));
    const entry: HeldEntry = { alert, heardAt: this.deps.clock.now() };
    this.deps.keyValues.set(NAMESPACE, alert.key, JSON.stringify(entry));
    if (alert.firing <= before) return;
    this.deps.statusLog.record({
      kind: 'log',
      text: `during maintenance of ${group} (${reason}), not paged: ${summaryOf(alert)}`,
      by: actorOf(alert),
      at: this.deps.clock.now(),
    });
  }

  forget(key: string): void {
    this.deps.keyValues.delete(NAMESPACE, key);
  }

  /**
   * Takes out the held alerts that `stillHeld` no longer holds and that were heard of lately, for the
   * caller to act on; those silent for longer are logged as not paged. An entry from before alerts were
   * kept whole holds only a count; it cannot be paged and is dropped.
   */
  release(stillHeld: (alert: IntakeAlert) => boolean): IntakeAlert[] {
    const now = this.deps.clock.now();
    const released: IntakeAlert[] = [];
    for (const [key, value] of this.deps.keyValues.entries(NAMESPACE)) {
      const entry = entryOf(value);
      if (entry !== undefined && stillHeld(entry.alert)) continue;
      this.forget(key);
      if (entry === undefined) continue;
      if (now - entry.heardAt <= HELD_FRESH_MS) released.push(entry.alert);
      else
        this.deps.statusLog.record({
          kind: 'log',
          text: `maintenance over, not paged: ${summaryOf(entry.alert)}, not heard of since ${new Date(entry.heardAt).toISOString().slice(0, 16).replace('T', ' ')} UTC (silenced at its source, or resolved); its next re-send pages`,
          by: actorOf(entry.alert),
          at: now,
        });
    }
    return released;
  }
}

function entryOf(value: string): HeldEntry | undefined {
  try {
    const entry = JSON.parse(value) as Partial<HeldEntry> | number;
    return typeof entry === 'object' &&
      entry !== null &&
      typeof entry.heardAt === 'number' &&
      typeof entry.alert?.key === 'string'
      ? (entry as HeldEntry)
      : undefined;
  } catch {
    return undefined;
  }
}

/** How many alerts the held entry recorded (a count alone in entries from before they were kept whole). */
function firingOf(value: string | undefined): number {
  if (value === undefined) return 0;
  return entryOf(value)?.alert.firing ?? (Number(value) || 0);
}
