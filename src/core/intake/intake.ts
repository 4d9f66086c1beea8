/**
 * What an alert from monitoring does to incidents. One alert group (its key) has at most one open incident:
 *
 * - firing, nothing open: an incident is declared (announced and escalated like any other), in the group
 *   and with the policy the routes choose;
 * - firing again with more alerts: the incident is updated ("3 more alerts firing") without a new
 *   announcement; a plain re-send (Alertmanager's repeat_interval) changes nothing;
 * - resolved, nobody holds the incident: it closes after `flapWindowMinutes` unless the group fires again
 *   meanwhile, so a flapping group keeps its one incident instead of being announced each time;
 * - resolved, a person holds it: they decided to work on it, so firebell does not close it under them; it
 *   says monitoring sees it resolved and asks them to confirm with `!resolved <n>`.
 *
 * - many new groups at once: past a threshold they join one storm incident instead (alert-storm.ts).
 *
 * The state per key (the incident, how many alerts fire, a pending close) lives in the journaled key-value
 * store, committed with the transitions it goes with (intake-rows.ts, which prunes it once the incident is
 * over); pending closes are re-armed at start.
 */
import type { Actor } from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import type { IncidentService } from '../incident-service.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { Logger } from '../logger.js';
import type { Speaker } from '../outbox.js';
import { bold, rich, text } from '../rich-text.js';
import type { CoreSettings, IntakeSettings } from '../settings.js';
import { DEFAULT_STORM } from '../settings.js';
import { actorOf, allOf, routeOf, summaryOf, type AlertRoute } from './alert-route.js';
import { AlertStorms } from './alert-storm.js';
import { HeldAlerts } from './held-alerts.js';
import { IntakeRows, type KeyState } from './intake-rows.js';
import type { IntakeAlert } from './intake-alert.js';
import type { MaintenanceWindows } from '../maintenance/maintenance-windows.js';
import type { StatusStore } from '../store.js';

const MINUTE_MS = 60_000;

export type IntakeAction =
  | 'declared'
  | 'storm-declared'
  | 'joined-storm'
  | 'member-resolved'
  | 'updated'
  | 'repeated'
  | 'flapping'
  | 'resolve-pending'
  | 'resolved'
  | 'confirm-asked'
  | 'held'
  | 'test'
  | 'ignored';

export interface IntakeResult {
  readonly action: IntakeAction;
  readonly incident?: number;
}

/** The key under which a storm incident's own close (its flap window, its holder's question) is kept. */
const stormKey = (incident: number): string => `storm:${incident}`;

export interface IntakeDeps {
  /** While a window holds the alert's group, the alert is recorded (the status log) but pages nobody. */
  readonly maintenance: Pick<MaintenanceWindows, 'holding' | 'onOver'>;
  readonly statusLog: Pick<StatusStore, 'record'>;
  readonly settings: IntakeSettings;
  readonly core: CoreSettings;
  readonly service: IncidentService;
  readonly speaker: Speaker;
  readonly keyValues: JournaledKeyValues;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class Intake {
  private readonly timers = new Map<string, unknown>();
  private readonly storms: AlertStorms;
  private readonly held: HeldAlerts;
  private readonly rows: IntakeRows;

  constructor(private readonly deps: IntakeDeps) {
    this.held = new HeldAlerts(deps);
    this.rows = new IntakeRows(deps.keyValues, deps.clock);
    deps.maintenance.onOver(() => this.release());
    this.storms = new AlertStorms(deps.settings.storm ?? DEFAULT_STORM, {
      keyValues: deps.keyValues,
      clock: deps.clock,
      isOpen: (incident) => deps.service.get(incident)?.open === true,
      report: (incident, detail, by) =>
        deps.service.send(incident, { type: 'incident.reported', at: deps.clock.now(), by, detail }),
      say: (group, incident, body) => this.say(group, incident, body),
    });
  }

  /** Re-arms the closes that were pending when firebell stopped (an overdue one runs at once). */
  start(): void {
    this.storms.start();
    for (const [key, state] of this.rows.entries())
      if (state.closeAt !== undefined) this.arm(key, state.closeAt);
    // A window that ended while firebell was down released its alerts then.
    this.release();
  }

  /** Forgets the rows of alert groups whose incident is over, past their retention (intake-rows.ts). */
  prune(): void {
    this.rows.prune((incident) => this.deps.service.get(incident)?.open === true);
  }

  /** Acts on the held alerts, still firing, whose maintenance window is over. */
  private release(): void {
    const released = this.held.release(
      (alert) =>
        this.deps.maintenance.holding(routeOf(alert, this.deps.settings, this.deps.core).group) !== undefined,
    );
    for (const alert of released) {
      const result = this.receive(alert);
      this.deps.logger.info({ key: alert.key, ...result }, 'an alert held during maintenance still fires');
    }
  }

  stop(): void {
    this.storms.stop();
    for (const timer of this.timers.values()) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
  }

  receive(alert: IntakeAlert): IntakeResult {
    if (alert.test) return this.test(alert);
    const state = this.rows.get(alert.key);
    const open =
      state !== undefined && this.deps.service.get(state.incident)?.open === true ? state : undefined;
    return alert.status === 'firing' ? this.firing(alert, open) : this.resolved(alert, open);
  }

  private firing(alert: IntakeAlert, open: KeyState | undefined): IntakeResult {
    const at = this.deps.clock.now();
    if (!open) {
      const { group, policy } = routeOf(alert, this.deps.settings, this.deps.core);
      const window = this.deps.maintenance.holding(group);
      if (window) {
        this.held.hold(alert, group, window.reason);
        return { action: 'held' };
      }
      this.held.forget(alert.key);
      const storm = this.storms.joinable(group);
      if (storm) {
        this.storms.join(storm, summaryOf(alert));
        this.rows.save(alert.key, { incident: storm.incident, group, firing: alert.firing, member: true });
        return { action: 'joined-storm', incident: storm.incident };
      }
      if (this.storms.rising(group)) return this.beginStorm(alert, group, policy);
      this.storms.declared(group);
      const incident = this.deps.service.declare({
        summary: summaryOf(alert),
        group,
        by: actorOf(alert),
        policy,
        source: { kind: 'webhook', key: alert.key, receiver: alert.receiver },
      });
      this.rows.save(alert.key, {
        incident: incident.id,
        group,
        firing: alert.firing,
        ...withFiringSet(alert),
      });
      this.deps.logger.info(
        { incident: incident.id, key: alert.key, source: alert.source },
        'alert declared an incident',
      );
      return { action: 'declared', incident: incident.id };
    }
    const id = open.incident;
    if (open.member) return this.memberFiring(alert, open);
    // Firing again after a resolve: within the flap window, or after its holder was asked to confirm.
    if (open.closeAt !== undefined || open.asked) {
      this.reopen(alert.key, open, actorOf(alert));
      this.rows.save(alert.key, {
        incident: id,
        group: open.group,
        firing: Math.max(alert.firing, 1),
        ...withFiringSet(alert),
      });
      return { action: 'flapping', incident: id };
    }
    const now: KeyState = { ...open, firing: alert.firing, ...withFiringSet(alert) };
    // One resolved and another fired: the count alone would say nothing changed.
    const swapped =
      alert.firing === open.firing &&
      open.firingSet !== undefined &&
      alert.firingSet !== undefined &&
      alert.firingSet !== open.firingSet;
    if (alert.firing > open.firing || swapped) {
      const more = alert.firing - open.firing;
      this.deps.service.send(id, { type: 'incident.reported', at, by: actorOf(alert) });
      this.rows.save(alert.key, now);
      const change = swapped
        ? `: other alerts fire now: some resolved, as many new (${allOf(alert)}).`
        : `: ${more} more alert${more === 1 ? '' : 's'} firing (${allOf(alert)}).`;
      this.say(open.group, id, rich(bold(`#${id}`), text(change)));
      return { action: 'updated', incident: id };
    }
    if (alert.firing !== open.firing || (alert.firingSet ?? open.firingSet) !== open.firingSet)
      this.rows.save(alert.key, now);
    return { action: 'repeated', incident: id };
  }

  /** The source's test notification: the channel hears that the hook works; nobody is paged. */
  private test(alert: IntakeAlert): IntakeResult {
    const { group } = routeOf(alert, this.deps.settings, this.deps.core);
    this.deps.speaker.toGroup(
      group,
      rich(
        bold('Test notification'),
        text(
          ` from ${alert.source} (${alert.receiver}) arrived: the hook to firebell works. No incident, nobody paged.`,
        ),
      ),
      { priority: 'normal', purpose: 'intake' },
    );
    this.deps.logger.info({ source: alert.source, receiver: alert.receiver }, 'intake test notification');
    return { action: 'test' };
  }

  /** One too many new groups in the window: the storm incident, which this group and the next ones join. */
  private beginStorm(alert: IntakeAlert, group: string, policy: AlertRoute['policy']): IntakeResult {
    const { groups, windowMinutes } = this.deps.settings.storm ?? DEFAULT_STORM;
    const incident = this.deps.service.declare({
      summary: `alert storm: more than ${groups} new alert groups in ${windowMinutes} min; the first of the rest: ${summaryOf(alert)}`,
      group,
      by: actorOf(alert),
      policy,
      source: { kind: 'webhook', key: `storm:${group}`, receiver: alert.receiver },
    });
    this.storms.begin(group, incident.id, summaryOf(alert), actorOf(alert));
    this.rows.save(alert.key, { incident: incident.id, group, firing: alert.firing, member: true });
    this.deps.logger.warn(
      { incident: incident.id, group, groups, windowMinutes },
      'an alert storm: new alert groups join one incident',
    );
    return { action: 'storm-declared', incident: incident.id };
  }

  /** A storm member's alerts change: counted, not told (the storm's summary tells what joins). */
  private memberFiring(alert: IntakeAlert, open: KeyState): IntakeResult {
    const id = open.incident;
    if (open.firing === 0 && alert.firing > 0) {
      this.storms.refired(open.group, id);
      const closing = this.rows.get(stormKey(id));
      if (closing?.closeAt !== undefined || closing?.asked) {
        this.reopen(stormKey(id), closing, actorOf(alert));
        this.rows.save(stormKey(id), { incident: id, group: open.group, firing: 0 });
      }
    }
    if (alert.firing === open.firing) return { action: 'repeated', incident: id };
    this.rows.save(alert.key, { ...open, firing: alert.firing });
    return { action: 'updated', incident: id };
  }

  /** A key whose close was pending fires again: the incident stays open and the channel hears why. */
  private reopen(key: string, open: KeyState, by: Actor): void {
    const id = open.incident;
    this.disarm(key);
    this.deps.service.send(id, { type: 'incident.reported', at: this.deps.clock.now(), by });
    this.say(
      open.group,
      id,
      rich(bold(`#${id}`), text(' is firing again; it stays open (the alert is flapping).')),
    );
  }

  private resolved(alert: IntakeAlert, open: KeyState | undefined): IntakeResult {
    if (!open) {
      this.held.forget(alert.key);
      return { action: 'ignored' };
    }
    if (open.member) {
      if (open.firing === 0) return { action: 'repeated', incident: open.incident };
      this.rows.save(alert.key, { ...open, firing: 0 });
      if (this.storms.memberResolved(open.group, open.incident) > 0)
        return { action: 'member-resolved', incident: open.incident };
      const key = stormKey(open.incident);
      return this.settle(key, this.rows.get(key) ?? { ...open, firing: 0, member: false }, alert.source);
    }
    return this.settle(alert.key, open, alert.source);
  }

  /** Monitoring says the alert group (or a storm's last member) is resolved: close it, or ask its holder. */
  private settle(key: string, open: KeyState, source: string): IntakeResult {
    const id = open.incident;
    if (open.closeAt !== undefined) return { action: 'resolve-pending', incident: id };
    const holder = this.deps.service.get(id)?.context.assignee;
    if (holder) {
      if (!open.asked) {
        this.rows.save(key, { ...open, asked: true });
        this.say(
          open.group,
          id,
          rich(
            text(`Monitoring (${source}) says `),
            bold(`#${id}`),
            text(` is resolved. ${holder.name}, you hold it: confirm with `),
            bold(`!resolved ${id}`),
            text(' when it is.'),
          ),
        );
      }
      return { action: 'confirm-asked', incident: id };
    }
    const windowMs = this.deps.settings.flapWindowMinutes * MINUTE_MS;
    if (windowMs === 0) {
      this.close(key, open, source);
      return { action: 'resolved', incident: id };
    }
    const closeAt = this.deps.clock.now() + windowMs;
    this.rows.save(key, { ...open, closeAt, closedBy: source });
    this.arm(key, closeAt);
    this.say(
      open.group,
      id,
      rich(
        text(`Monitoring (${source}) says `),
        bold(`#${id}`),
        text(` is resolved; it closes in ${this.deps.settings.flapWindowMinutes} min unless it fires again.`),
      ),
    );
    return { action: 'resolve-pending', incident: id };
  }

  private close(key: string, state: KeyState, source: string): void {
    this.disarm(key);
    const outcome = this.deps.service.send(state.incident, {
      type: 'incident.source-resolved',
      at: this.deps.clock.now(),
      by: { name: source, network: 'webhook' },
      note: `resolved by ${source}`,
    });
    this.rows.save(key, { incident: state.incident, group: state.group, firing: 0 });
    this.deps.logger.info(
      { incident: state.incident, key, closed: outcome.ok },
      'alert resolved its incident',
    );
  }

  private arm(key: string, closeAt: number): void {
    this.disarm(key);
    const timer = this.deps.clock.setTimeout(
      () => {
        this.timers.delete(key);
        const state = this.rows.get(key);
        if (state?.closeAt === undefined) return;
        const { closeAt: _due, closedBy = 'monitoring', ...rest } = state;
        // Someone took it during the flap window: theirs to close; they are asked, as settle() does.
        const incident = this.deps.service.get(state.incident);
        if (incident?.open && incident.context.assignee) this.settle(key, rest, closedBy);
        else this.close(key, state, closedBy);
      },
      Math.max(0, closeAt - this.deps.clock.now()),
    );
    this.timers.set(key, timer);
  }

  private disarm(key: string): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this.timers.delete(key);
  }

  private say(group: string, incidentId: number, body: ReturnType<typeof rich>): void {
    this.deps.speaker.toGroup(group, body, { priority: 'normal', purpose: 'intake', incidentId });
  }
}

const withFiringSet = (alert: IntakeAlert): Pick<KeyState, 'firingSet'> =>
  alert.firingSet === undefined ? {} : { firingSet: alert.firingSet };
