/**
 * Downtime is said out loud. While firebell runs, a heartbeat keeps "last alive" in the key-value store
 * (every 30 s, and once more on a clean stop, which is marked as such). At the next start, that time and
 * the restored incidents become a notice in the channels: how long firebell was away, that what was said
 * to it meanwhile was missed, which incidents resumed, and which pages went out late because of it.
 */
import type { Clock } from './clock.js';
import { formatTimeOfDay } from './escalation/format.js';
import { formatDuration } from './format/duration.js';
import type { IncidentView } from './incident-service.js';
import { bold, rich, type RichText } from './rich-text.js';
import type { KeyValueStore } from './store.js';
import type { Logger } from './logger.js';
import type { Speaker } from './outbox.js';
import { DateTime } from 'luxon';

const NAMESPACE = 'firebell';
const LAST_ALIVE = 'lastAlive';
const STOPPED_CLEANLY = 'stoppedCleanly';

/** How often "last alive" is written: the notice's "away since" is this exact, at worst. */
export const HEARTBEAT_MS = 30_000;
/** A restart this short, with no incident open, is not worth a line in every channel. */
export const QUIET_DOWNTIME_MS = 15 * 60_000;

export interface PreviousRun {
  /** The last moment the previous run was known to be alive. */
  readonly lastAlive: number;
  /** It was stopped (SIGTERM, /quit), rather than crashing or losing its machine. */
  readonly clean: boolean;
}

export class Heartbeat {
  private timer: unknown;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly clock: Clock,
    private readonly intervalMs = HEARTBEAT_MS,
  ) {}

  /** What the previous run left behind (undefined on the very first start), then starts beating. */
  begin(): PreviousRun | undefined {
    const lastAlive = Number(this.kv.get(NAMESPACE, LAST_ALIVE));
    const clean = this.kv.get(NAMESPACE, STOPPED_CLEANLY) === 'yes';
    this.kv.delete(NAMESPACE, STOPPED_CLEANLY);
    this.beat();
    return Number.isFinite(lastAlive) && lastAlive > 0 ? { lastAlive, clean } : undefined;
  }

  /** A clean stop: the last beat, marked as such. */
  end(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.kv.set(NAMESPACE, LAST_ALIVE, String(this.clock.now()));
    this.kv.set(NAMESPACE, STOPPED_CLEANLY, 'yes');
  }

  private beat(): void {
    this.kv.set(NAMESPACE, LAST_ALIVE, String(this.clock.now()));
    this.timer = this.clock.setTimeout(() => this.beat(), this.intervalMs);
  }
}

/** A page that fell due while firebell was away, and goes out now. */
export interface LatePage {
  readonly incidentId: number;
  readonly group: string;
  readonly tier: number;
  readonly dueAt: number;
}

/**
 * Right after a restore, before the overdue timers fire: each incident whose next page was due before
 * `now` will page late.
 */
export function latePages(incidents: readonly IncidentView[], now: number): LatePage[] {
  return incidents.flatMap((incident) => {
    const cursor = incident.context.escalation;
    if (!incident.open || !cursor || cursor.next.kind !== 'page' || cursor.dueAt > now) return [];
    const tier = incident.context.policy.tiers[cursor.next.tierIndex]?.tier ?? cursor.next.tierIndex + 1;
    return [{ incidentId: incident.id, group: incident.context.group, tier, dueAt: cursor.dueAt }];
  });
}

const utcTime = (at: number): string => formatTimeOfDay(DateTime.fromMillis(at, { zone: 'UTC' }));

/** Whether a group hears about the downtime: always when it has open incidents, else only a long one. */
export function worthSaying(previous: PreviousRun, startedAt: number, openHere: number): boolean {
  return openHere > 0 || startedAt - previous.lastAlive >= QUIET_DOWNTIME_MS;
}

/** The notice for one group: the downtime, its incidents that resumed, and its pages that went out late. */
export function downtimeNotice(input: {
  readonly previous: PreviousRun;
  readonly startedAt: number;
  readonly botName: string;
  readonly resumed: readonly number[];
  readonly late: readonly LatePage[];
}): RichText {
  const { previous, startedAt } = input;
  const away = formatDuration(startedAt - previous.lastAlive);
  const how = previous.clean ? 'it was stopped' : 'it stopped unexpectedly';
  const parts: Array<string | RichText> = [
    rich(
      bold(`${input.botName} was away`),
      ` from about ${utcTime(previous.lastAlive)} to ${utcTime(startedAt)} UTC (${away}; ${how}): nothing said to it meanwhile was seen, so repeat any command.`,
    ),
  ];
  if (input.resumed.length > 0) {
    const ids = input.resumed.map((id) => `#${id}`).join(', ');
    parts.push(
      ` Resumed with their timers: ${input.resumed.length === 1 ? 'incident' : 'incidents'} ${ids}.`,
    );
  }
  if (input.late.length > 0) {
    const pages = input.late
      .map(
        (page) =>
          `#${page.incidentId} tier ${page.tier} (due ${utcTime(page.dueAt)} UTC, ${formatDuration(startedAt - page.dueAt)} late)`,
      )
      .join(', ');
    parts.push(` Paged late because of it, now: ${pages}.`);
  }
  return rich(...parts);
}

/** Each group hears how long firebell was away, its incidents that resumed and its late pages. */
export function announceDowntime(input: {
  readonly previous: PreviousRun;
  readonly late: readonly LatePage[];
  readonly startedAt: number;
  readonly open: readonly IncidentView[];
  readonly groups: readonly { readonly id: string }[];
  readonly speaker: Speaker;
  readonly botName: string;
  readonly logger: Logger;
}): void {
  const { previous, late, startedAt, open } = input;
  input.logger.info(
    { lastAlive: previous.lastAlive, clean: previous.clean, late: late.length },
    `firebell was away for ${Math.round((startedAt - previous.lastAlive) / 1000)} s`,
  );
  for (const group of input.groups) {
    const resumed = open
      .filter((incident) => incident.context.group === group.id)
      .map((incident) => incident.id);
    if (!worthSaying(previous, startedAt, resumed.length)) continue;
    const notice = downtimeNotice({
      previous,
      startedAt,
      botName: input.botName,
      resumed,
      late: late.filter((page) => page.group === group.id),
    });
    input.speaker.toGroup(group.id, notice, { priority: 'normal', purpose: 'downtime' });
  }
}
