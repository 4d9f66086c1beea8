/**
 * Alert storms. When monitoring opens more than `storm.groups` new alert groups in one channel group within
 * `storm.windowMinutes` (a network partition, a bad deploy, a monitoring restart), one line and one page per
 * group would bury the channel and wake the same people dozens of times. The first `storm.groups` groups are
 * declared one by one as usual; the next one declares one **storm incident**, and every further new group
 * joins it (its alert key maps to that incident) for as long as groups keep arriving within the window.
 *
 * Members are told in chat in one line per minute at most ("12 more alert groups joined"), and each member's
 * summary goes on the storm incident's timeline, so the status site lists all of them. The storm incident
 * pages and is acknowledged like any other; monitoring resolves it when its last firing member resolves.
 *
 * The state (recent declarations per channel group, the storm per channel group, the summaries not yet
 * told) lives in the journaled key-value store, so a restart keeps the storm and its pending line.
 */
import type { Actor } from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import type { JournaledKeyValues } from '../key-values.js';
import { bold, rich, text, type RichText } from '../rich-text.js';
import type { StormSettings } from '../settings.js';

/** Declarations per channel group, newest last, only as many as the threshold needs. */
const RECENT = 'intake-recent';
const STORMS = 'intake-storm';
/** Members not yet told, one row each (keyed by channel group and join order), so a join writes one row. */
const UNTOLD = 'intake-storm-untold';
const MINUTE_MS = 60_000;
/** How often, at most, the storm's new members are told in chat. */
export const STORM_SUMMARY_MS = MINUTE_MS;
/** Member summaries per timeline entry: long enough to read, short enough for a page of the site. */
const SUMMARIES_PER_ENTRY = 25;

export interface StormState {
  readonly incident: number;
  readonly group: string;
  readonly lastJoinAt: number;
  /** Every group that joined, firing or not. */
  readonly members: number;
  /** Members still firing: when it falls to 0, monitoring considers the storm over. */
  readonly firing: number;
  /** Members not yet told in chat nor written on the timeline (their summaries are rows of UNTOLD). */
  readonly untold: number;
}

export interface StormPorts {
  readonly keyValues: JournaledKeyValues;
  readonly clock: Clock;
  readonly isOpen: (incident: number) => boolean;
  /** Adds one "reported" entry with `detail` to the incident's timeline. */
  readonly report: (incident: number, detail: string, by: Actor) => void;
  readonly say: (group: string, incident: number, body: RichText) => void;
}

export class AlertStorms {
  private readonly timers = new Map<string, unknown>();

  constructor(
    private readonly settings: StormSettings,
    private readonly ports: StormPorts,
  ) {}

  /** Re-arms the summaries that were waiting when firebell stopped. */
  start(): void {
    for (const [group, value] of this.ports.keyValues.entries(STORMS)) {
      const storm = parse(value);
      if (storm && storm.untold > 0) this.armSummary(group);
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) this.ports.clock.clearTimeout(timer);
    this.timers.clear();
  }

  /** The storm a new alert group in `group` joins now, if one is raging there. */
  joinable(group: string): StormState | undefined {
    const storm = this.stormOf(group);
    if (!storm || !this.ports.isOpen(storm.incident)) return undefined;
    return this.ports.clock.now() - storm.lastJoinAt <= this.windowMs() ? storm : undefined;
  }

  /** True when the next new alert group in `group` is one too many for the window: a storm begins. */
  rising(group: string): boolean {
    if (this.settings.groups === 0) return false;
    return this.recent(group).length >= this.settings.groups;
  }

  /** Counts a declaration towards the threshold. */
  declared(group: string): void {
    if (this.settings.groups === 0) return;
    const recent = [...this.recent(group), this.ports.clock.now()].slice(-this.settings.groups);
    this.ports.keyValues.set(RECENT, group, JSON.stringify(recent));
  }

  /** A storm incident was declared in `group`; its first member joins with it (its announcement says so). */
  begin(group: string, incident: number, firstSummary: string, by: Actor): void {
    this.ports.keyValues.set(
      STORMS,
      group,
      JSON.stringify({
        incident,
        group,
        lastJoinAt: this.ports.clock.now(),
        members: 1,
        firing: 1,
        untold: 0,
      } satisfies StormState),
    );
    this.ports.report(incident, `joined: ${firstSummary}`, by);
  }

  /** A new alert group joins the storm; it is told with the others in the next summary. */
  join(storm: StormState, summary: string): void {
    this.save({
      ...storm,
      lastJoinAt: this.ports.clock.now(),
      members: storm.members + 1,
      firing: storm.firing + 1,
      untold: storm.untold + 1,
    });
    this.ports.keyValues.set(UNTOLD, untoldKey(storm.group, storm.members + 1), summary);
    this.armSummary(storm.group);
  }

  /** A member of the storm `incident` fires again after it resolved. */
  refired(group: string, incident: number): void {
    const storm = this.stormOf(group);
    if (storm?.incident === incident) this.save({ ...storm, firing: storm.firing + 1 });
  }

  /** A member of the storm `incident` resolved; answers how many of its members still fire. */
  memberResolved(group: string, incident: number): number {
    const storm = this.stormOf(group);
    if (storm?.incident !== incident) return 0;
    const firing = Math.max(0, storm.firing - 1);
    this.save({ ...storm, firing });
    return firing;
  }

  /** Tells the members that joined since the last summary: one chat line, their summaries on the timeline. */
  tell(group: string, by: Actor): void {
    const storm = this.stormOf(group);
    if (!storm || storm.untold === 0) return;
    const prefix = untoldKey(group, 0).slice(0, -ORDER_DIGITS);
    const rows = this.ports.keyValues
      .entries(UNTOLD)
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [key] of rows) this.ports.keyValues.delete(UNTOLD, key);
    this.save({ ...storm, untold: 0 });
    if (!this.ports.isOpen(storm.incident)) return;
    const summaries = rows.map(([, summary]) => summary);
    for (let start = 0; start < summaries.length; start += SUMMARIES_PER_ENTRY)
      this.ports.report(
        storm.incident,
        `joined: ${summaries.slice(start, start + SUMMARIES_PER_ENTRY).join('; ')}`,
        by,
      );
    const count = summaries.length;
    this.ports.say(
      storm.group,
      storm.incident,
      rich(
        bold(`#${storm.incident}`),
        text(
          ` (alert storm): ${count} more alert group${count === 1 ? '' : 's'} joined (${storm.members} in all, ${storm.firing} firing); each is listed on the incident's timeline.`,
        ),
      ),
    );
  }

  private armSummary(group: string): void {
    if (this.timers.has(group)) return;
    const timer = this.ports.clock.setTimeout(() => {
      this.timers.delete(group);
      this.tell(group, { name: 'monitoring', network: 'webhook' });
    }, STORM_SUMMARY_MS);
    this.timers.set(group, timer);
  }

  private recent(group: string): number[] {
    const since = this.ports.clock.now() - this.windowMs();
    const times = parseJson(this.ports.keyValues.get(RECENT, group));
    return Array.isArray(times)
      ? times.filter((at): at is number => typeof at === 'number' && at >= since)
      : [];
  }

  private windowMs(): number {
    return this.settings.windowMinutes * MINUTE_MS;
  }

  private stormOf(group: string): StormState | undefined {
    const value = this.ports.keyValues.get(STORMS, group);
    return value === undefined ? undefined : parse(value);
  }

  private save(storm: StormState): void {
    this.ports.keyValues.set(STORMS, storm.group, JSON.stringify(storm));
  }
}

const ORDER_DIGITS = 9;
/** Sorts by join order as text: the channel group (an id never holds a colon), the padded order. */
const untoldKey = (group: string, order: number): string =>
  `${group}:${String(order).padStart(ORDER_DIGITS, '0')}`;

function parseJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function parse(value: string): StormState | undefined {
  const storm = parseJson(value) as Partial<StormState> | undefined;
  return typeof storm?.incident === 'number' && typeof storm.untold === 'number'
    ? (storm as StormState)
    : undefined;
}
