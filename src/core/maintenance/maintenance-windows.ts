/**
 * Maintenance windows: while one is open for a group (or for all), alerts from monitoring for it are
 * recorded and shown but do not page; incidents people declare in chat still page (a human asked). A
 * window is started with `!maintenance` or planned in the config, announced when it starts and when it
 * ends, and kept in the journaled key-value store, so a restart keeps it and its end timer.
 */
import type { Actor } from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import { formatDuration } from '../format/duration.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { Logger } from '../logger.js';
import type { Speaker } from '../outbox.js';
import { bold, rich, text } from '../rich-text.js';

const NAMESPACE = 'maintenance';
export const ALL_GROUPS = 'all';

export interface MaintenanceWindow {
  /** A group id, or `all`. */
  readonly group: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly reason: string;
  readonly by: Actor;
  /** Planned in the config (not ended by `!maintenance end`; it ends on time). */
  readonly planned?: boolean;
}

export interface MaintenanceDeps {
  readonly keyValues: JournaledKeyValues;
  readonly clock: Clock;
  readonly speaker: Speaker;
  readonly groupIds: () => readonly string[];
  readonly planned: readonly MaintenanceWindow[];
  readonly logger: Logger;
}

const utc = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export class MaintenanceWindows {
  private readonly timers = new Map<string, unknown>();
  private readonly overListeners: (() => void)[] = [];

  constructor(private readonly deps: MaintenanceDeps) {}

  /** Re-arms the stored windows' ends and the planned windows' starts and ends. */
  start(): void {
    for (const window of this.stored()) this.armEnd(window);
    for (const window of this.deps.planned) this.armPlanned(window);
  }

  stop(): void {
    for (const timer of this.timers.values()) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
  }

  /** The windows open now, stored and planned. */
  open(): MaintenanceWindow[] {
    const now = this.deps.clock.now();
    return [...this.stored(), ...this.deps.planned].filter(
      (window) => window.startsAt <= now && now < window.endsAt,
    );
  }

  /** The window that holds a group now, if any (its own, or one for all). */
  holding(group: string): MaintenanceWindow | undefined {
    return this.open().find((window) => window.group === group || window.group === ALL_GROUPS);
  }

  begin(group: string, durationMs: number, reason: string, by: Actor): MaintenanceWindow {
    const startsAt = this.deps.clock.now();
    const window: MaintenanceWindow = { group, startsAt, endsAt: startsAt + durationMs, reason, by };
    this.deps.keyValues.set(NAMESPACE, group, JSON.stringify(window));
    this.armEnd(window);
    this.deps.logger.info({ group, until: window.endsAt, by: by.name }, 'maintenance window started');
    this.announce(
      window,
      rich(
        bold('Maintenance'),
        text(
          ` on ${this.describe(group)} until ${utc(window.endsAt)} (${formatDuration(durationMs)}), by ${by.name}: ${reason}. Alerts from monitoring are recorded but do not page; incidents declared here still do.`,
        ),
      ),
    );
    return window;
  }

  /** Ends a started window early; answers the windows that were ended. */
  end(group: string): MaintenanceWindow[] {
    const ended = this.stored().filter((window) => group === ALL_GROUPS || window.group === group);
    for (const window of ended) this.finish(window, 'ended early');
    return ended;
  }

  /** Calls `listener` after a window is over (on time, ended early, or planned), once it holds nothing. */
  onOver(listener: () => void): void {
    this.overListeners.push(listener);
  }

  describe(group: string): string {
    return group === ALL_GROUPS ? 'every group' : `group ${group}`;
  }

  /** Started windows not yet over (one that ended while firebell was down is ended by `start`). */
  private stored(): MaintenanceWindow[] {
    return this.deps.keyValues.entries(NAMESPACE).flatMap(([, value]) => {
      try {
        return [JSON.parse(value) as MaintenanceWindow];
      } catch {
        return [];
      }
    });
  }

  private finish(window: MaintenanceWindow, how: string): void {
    this.clear(`end:${window.group}`);
    if (!window.planned) this.deps.keyValues.delete(NAMESPACE, window.group);
    this.deps.logger.info({ group: window.group }, `maintenance window ${how}`);
    this.announce(
      window,
      rich(bold('Maintenance'), text(` on ${this.describe(window.group)} ${how}: alerts page again.`)),
    );
    this.over();
  }

  private over(): void {
    for (const listener of this.overListeners) listener();
  }

  private armEnd(window: MaintenanceWindow): void {
    this.at(`end:${window.group}`, window.endsAt, () => this.finish(window, 'is over'));
  }

  private armPlanned(window: MaintenanceWindow): void {
    if (window.endsAt <= this.deps.clock.now()) return;
    const where = this.describe(window.group);
    if (window.startsAt > this.deps.clock.now())
      this.at(`start:${window.group}:${window.startsAt}`, window.startsAt, () =>
        this.announce(
          window,
          rich(
            bold('Planned maintenance'),
            text(
              ` on ${where} until ${utc(window.endsAt)}: ${window.reason}. Alerts from monitoring are recorded but do not page.`,
            ),
          ),
        ),
      );
    this.at(`planned-end:${window.group}:${window.startsAt}`, window.endsAt, () => {
      this.announce(
        window,
        rich(bold('Planned maintenance'), text(` on ${where} is over: alerts page again.`)),
      );
      this.over();
    });
  }

  /** Runs `work` at `dueAt` (at once when overdue), under `key`, replacing what was armed under it. */
  private at(key: string, dueAt: number, work: () => void): void {
    this.clear(key);
    const timer = this.deps.clock.setTimeout(
      () => {
        this.timers.delete(key);
        // Node's timers may run a millisecond before the clock reaches their deadline: a window ended
        // then would still hold its group when the held alerts are looked at, and keep them held.
        if (this.deps.clock.now() < dueAt) this.at(key, dueAt, work);
        else work();
      },
      Math.max(0, dueAt - this.deps.clock.now()),
    );
    this.timers.set(key, timer);
  }

  private clear(key: string): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) this.deps.clock.clearTimeout(timer);
    this.timers.delete(key);
  }

  private announce(window: MaintenanceWindow, body: ReturnType<typeof rich>): void {
    const groups = window.group === ALL_GROUPS ? this.deps.groupIds() : [window.group];
    for (const group of groups)
      this.deps.speaker.toGroup(group, body, { priority: 'normal', purpose: 'maintenance' });
  }
}
