/**
 * What the soak's incidents demanded, on every network, and how firebell's words about an incident are
 * recognised there. Pure: no clock, no I/O.
 *
 * `demandsOf`: what the policies demanded of each incident the store holds (an incident is in the store
 * exactly when firebell committed its declaration, so "lost" never blames an IRC command that arrived in
 * the instant before a crash, which the IRC rule allows to be lost): its announcement, each tier's page at
 * its due time, the exhaustion notice and the status prompt, in every place of its group (both IRC
 * channels and the Matrix room).
 *
 * Due times follow the machine: the first tier counts from the announcement, each later tier and the
 * exhaustion from when the tier before it fired (the store's timeline says when; a restored incident fires
 * an overdue tier at its restart, and counts on from there). An acknowledged incident demands no tier nor
 * exhaustion notice after the ack was committed (a page then is sent but not asked for), and demands the
 * ack's confirmation in every place of its group. Each demand also carries when the store says
 * its transition happened (`storedAt`), so the checker can tell a line said before its transition could
 * have been committed (the store refused every write then).
 */
import type { Demand, DemandKind } from './checker.js';
import type { SoakGroup } from './soak-config.js';

export const IRC = 'irc';
export const MATRIX = 'matrix';
const MINUTE_MS = 60_000;

/** An incident as the store holds it: when it was declared, announced, each tier fired, and so on. */
export interface StoredIncident {
  readonly id: number;
  readonly group: string;
  readonly detectedAt: number;
  readonly announcedAt: number | undefined;
  /** tier number → when it fired (the timeline's first `paged` entry for it). */
  readonly pagedAt: ReadonlyMap<number, number>;
  /** The timeline's `escalation-exhausted` and `status-reminder` entries, when there. */
  readonly exhaustedAt?: number | undefined;
  readonly remindedAt?: number | undefined;
  /** The timeline's first `acknowledged` entry: when the ack was committed. */
  readonly ackedAt?: number | undefined;
}

/** A fault the harness injected, from its start to its recovery: the table's row for demands due in it. */
export interface FaultWindow {
  readonly fault: string;
  readonly from: number;
  readonly to: number;
}

/** A line due just before a fault began may still have been waiting for its pacing slot. */
const BEFORE_FAULT_MS = 1_000;
/** Demands due this soon after a fault recovered still feel it (reconnect, backlog). */
const AFTER_FAULT_MS = 5_000;
/**
 * A tier due this long before the ack's commit had fired: a timer is not that late, and an incident
 * restored with an overdue tier fires it before any command is handled. Closer to the ack, the store's
 * order decides (a tier paged after the ack was committed is not asked for).
 */
const FIRED_BEFORE_ACK_MS = 1_000;

/** The fault whose window holds `at` (the latest to start), or 'none'. */
export function faultAt(at: number, windows: readonly FaultWindow[]): string {
  let found: FaultWindow | undefined;
  for (const window of windows) {
    if (at >= window.from - BEFORE_FAULT_MS && at <= window.to + AFTER_FAULT_MS) {
      if (!found || window.from > found.from) found = window;
    }
  }
  return found?.fault ?? 'none';
}

export const demandId = (incident: number, what: string, place: string): string =>
  `#${incident}/${what} ${place}`;

/** Whether a demand's id is a tier's page (the urgent lane), not an announcement or a prompt. */
export const isPageDemand = (id: string): boolean => /^#\d+\/tier\d+ /.test(id);

/** Where a group's incidents are told: both IRC channels and the Matrix room. */
export function placesOf(group: SoakGroup): Array<{ network: string; place: string }> {
  return [
    { network: IRC, place: group.channel },
    { network: IRC, place: group.mirror },
    { network: MATRIX, place: group.room },
  ];
}

export function demandsOf(
  incidents: readonly StoredIncident[],
  groups: readonly SoakGroup[],
  faults: readonly FaultWindow[],
): Demand[] {
  const demands: Demand[] = [];
  for (const incident of incidents) {
    const group = groups.find((candidate) => candidate.id === incident.group);
    if (!group) continue;
    const policy = group.policy;
    const announced = incident.announcedAt ?? incident.detectedAt;
    const wanted: Array<{ what: string; kind: DemandKind; due: number; storedAt: number | undefined }> = [
      { what: 'announce', kind: 'announcement', due: incident.detectedAt, storedAt: incident.announcedAt },
    ];
    // After a committed ack nothing more escalates: what fired before it is still owed, nothing after.
    const acked = incident.ackedAt;
    const beforeAck = (due: number, storedAt: number | undefined): boolean =>
      acked === undefined ||
      (storedAt !== undefined && storedAt <= acked) ||
      due < acked - FIRED_BEFORE_ACK_MS;
    let previous = announced;
    for (const tier of policy.tiers) {
      const due = previous + tier.afterMinutes * MINUTE_MS;
      const fired = incident.pagedAt.get(tier.tier);
      if (beforeAck(due, fired))
        wanted.push({ what: `tier${tier.tier}`, kind: 'page', due, storedAt: fired });
      previous = fired ?? due;
    }
    const exhaustedDue = previous + policy.exhaustedAfterMinutes * MINUTE_MS;
    if (beforeAck(exhaustedDue, incident.exhaustedAt))
      wanted.push({
        what: 'exhausted',
        kind: 'announcement',
        due: exhaustedDue,
        storedAt: incident.exhaustedAt,
      });
    // The ack's confirmation, told to the whole group (on Matrix exactly once, like any of its words).
    if (acked !== undefined) wanted.push({ what: 'ack', kind: 'announcement', due: acked, storedAt: acked });
    wanted.push({
      what: 'prompt',
      kind: 'prompt',
      due: announced + policy.promptAfterMinutes * MINUTE_MS,
      storedAt: incident.remindedAt,
    });
    for (const { what, kind, due, storedAt } of wanted) {
      const dueAt = Math.round(due);
      for (const { network, place } of placesOf(group)) {
        demands.push({
          id: demandId(incident.id, what, place),
          kind,
          network,
          dueAt,
          fault: faultAt(dueAt, faults),
          ...(storedAt === undefined ? {} : { storedAt }),
        });
      }
    }
  }
  return demands;
}

const IRC_FORMATTING = /\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;

/** What firebell's own words about an incident look like; anything else it says is a reply. */
const DEMAND_SHAPES: ReadonlyArray<{ pattern: RegExp; what: (match: RegExpMatchArray) => [string, string] }> =
  [
    { pattern: /^Incident #(\d+) declared by /, what: (m) => [m[1] ?? '', 'announce'] },
    {
      pattern: /^\S+: paging you \(tier (\d+)\) for incident #(\d+): /,
      what: (m) => [m[2] ?? '', `tier${m[1]}`],
    },
    { pattern: /^Nobody has acknowledged incident #(\d+) /, what: (m) => [m[1] ?? '', 'exhausted'] },
    { pattern: /^Incident #(\d+) acknowledged by /, what: (m) => [m[1] ?? '', 'ack'] },
    {
      pattern: /incident #(\d+) has been open .* no status update was posted/,
      what: (m) => [m[1] ?? '', 'prompt'],
    },
  ];

/**
 * The demand a message said in `place` fulfils, if it is one of firebell's words about an incident: the
 * text as its readers see it (IRC formatting codes gone; a Matrix body is plain already).
 */
export function recognise(place: string, text: string): string | undefined {
  const plain = text.replace(IRC_FORMATTING, '');
  for (const shape of DEMAND_SHAPES) {
    const match = plain.match(shape.pattern);
    if (!match) continue;
    const [incident, what] = shape.what(match);
    return demandId(Number(incident), what, place);
  }
  return undefined;
}
