/**
 * Alerts that fired while a maintenance window held their group: recorded in the status log (once, and
 * again when more fire), paged by nobody. Each is kept whole, so that when its window ends an alert still
 * firing is acted on at once: Alertmanager would send it again only at its repeat_interval, often 4 h
 * later, and for those hours nobody would know that something was still broken.
 */
import type { Clock } from '../clock.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { StatusStore } from '../store.js';
import { actorOf, summaryOf } from './alert-route.js';
import type { IntakeAlert } from './intake-alert.js';

const NAMESPACE = 'intake-held';

export interface HeldAlertsDeps {
  readonly keyValues: JournaledKeyValues;
  readonly statusLog: Pick<StatusStore, 'record'>;
  readonly clock: Clock;
}

export class HeldAlerts {
  constructor(private readonly deps: HeldAlertsDeps) {}

  hold(alert: IntakeAlert, group: string, reason: string): void {
    const before = firingOf(this.deps.keyValues.get(NAMESPACE, alert.key));
    this.deps.keyValues.set(NAMESPACE, alert.key, JSON.stringify(alert));
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
   * Takes out the held alerts that `stillHeld` no longer holds, for the caller to act on. An entry from
   * before alerts were kept whole holds only a count; it cannot be paged and is dropped.
   */
  release(stillHeld: (alert: IntakeAlert) => boolean): IntakeAlert[] {
    const released: IntakeAlert[] = [];
    for (const [key, value] of this.deps.keyValues.entries(NAMESPACE)) {
      const alert = alertOf(value);
      if (alert !== undefined && stillHeld(alert)) continue;
      this.forget(key);
      if (alert !== undefined) released.push(alert);
    }
    return released;
  }
}

function alertOf(value: string): IntakeAlert | undefined {
  try {
    const alert = JSON.parse(value) as IntakeAlert | number;
    return typeof alert === 'object' && alert !== null && typeof alert.key === 'string' ? alert : undefined;
  } catch {
    return undefined;
  }
}

/** How many alerts the held entry recorded (a count alone in entries from before they were kept whole). */
function firingOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const alert = alertOf(value);
  return alert?.firing ?? (Number(value) || 0);
}
