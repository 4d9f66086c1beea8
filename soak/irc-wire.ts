/**
 * From what the IRC soak saw to what the checker judges. Pure: no clock, no I/O.
 *
 * - `demandsOf`: what the policies demanded of each incident the store holds (an incident is in the store
 *   exactly when firebell committed its declaration, so "lost" never blames an IRC command that arrived in
 *   the instant before a crash, which the IRC rule allows to be lost): its announcement, each tier's page
 *   at its due time, the exhaustion notice and the status prompt, in every channel of its group.
 * - `wireOf`: each line firebell wrote through the tap, recognised as the demand it fulfils, or as a reply
 *   (command answers, relayed chat, joins and pings), which no policy has to ask for.
 *
 * Due times follow the machine: the first tier counts from the announcement, each later tier and the
 * exhaustion from when the tier before it fired (the store's timeline says when; a restored incident fires
 * an overdue tier at its restart, and counts on from there). The checker subtracts the outages (firebell
 * killed and not yet back on IRC, the server down or frozen) from how late a delivery was.
 */
import type { Demand, DemandKind, WireLine } from './checker.js';
import type { TappedLine } from './irc-tap.js';
import type { SoakGroup } from './irc-soak-config.js';

export const IRC = 'irc';
const MINUTE_MS = 60_000;

/** An incident as the store holds it: when it was declared, announced, and each tier fired. */
export interface StoredIncident {
  readonly id: number;
  readonly group: string;
  readonly detectedAt: number;
  readonly announcedAt: number | undefined;
  /** tier number → when it fired (the timeline's first `paged` entry for it). */
  readonly pagedAt: ReadonlyMap<number, number>;
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

export const demandId = (incident: number, what: string, channel: string): string =>
  `#${incident}/${what} ${channel}`;

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
    const wanted: Array<{ what: string; kind: DemandKind; due: number }> = [
      { what: 'announce', kind: 'announcement', due: incident.detectedAt },
    ];
    const announced = incident.announcedAt ?? incident.detectedAt;
    let previous = announced;
    for (const tier of policy.tiers) {
      const due = previous + tier.afterMinutes * MINUTE_MS;
      wanted.push({ what: `tier${tier.tier}`, kind: 'page', due });
      previous = incident.pagedAt.get(tier.tier) ?? due;
    }
    wanted.push({
      what: 'exhausted',
      kind: 'announcement',
      due: previous + policy.exhaustedAfterMinutes * MINUTE_MS,
    });
    wanted.push({ what: 'prompt', kind: 'prompt', due: announced + policy.promptAfterMinutes * MINUTE_MS });
    for (const { what, kind, due } of wanted) {
      const dueAt = Math.round(due);
      for (const channel of [group.channel, group.mirror]) {
        demands.push({
          id: demandId(incident.id, what, channel),
          kind,
          network: IRC,
          dueAt,
          fault: faultAt(dueAt, faults),
        });
      }
    }
  }
  return demands;
}

const IRC_FORMATTING = /\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;

/** The line as its readers see it: UTF-8 decoded (a bad byte becomes U+FFFD), formatting codes gone. */
const plainOf = (text: string): string => text.replace(IRC_FORMATTING, '');

/** What firebell's own words about an incident look like; anything else it says is a reply. */
const DEMAND_SHAPES: ReadonlyArray<{ pattern: RegExp; what: (match: RegExpMatchArray) => [string, string] }> =
  [
    { pattern: /^Incident #(\d+) declared by /, what: (m) => [m[1] ?? '', 'announce'] },
    {
      pattern: /^\S+: paging you \(tier (\d+)\) for incident #(\d+): /,
      what: (m) => [m[2] ?? '', `tier${m[1]}`],
    },
    { pattern: /^Nobody has acknowledged incident #(\d+) /, what: (m) => [m[1] ?? '', 'exhausted'] },
    {
      pattern: /incident #(\d+) has been open .* no status update was posted/,
      what: (m) => [m[1] ?? '', 'prompt'],
    },
  ];

function recognise(target: string, text: string): string | undefined {
  const plain = plainOf(text);
  for (const shape of DEMAND_SHAPES) {
    const match = plain.match(shape.pattern);
    if (!match) continue;
    const [incident, what] = shape.what(match);
    return demandId(Number(incident), what, target);
  }
  return undefined;
}

/**
 * Every line firebell wrote, as the checker takes it: the whole raw line, UTF-8 decoded (so a CR, NUL or
 * control character firebell let through is there to be found), with the demand it fulfils when it is one
 * of firebell's words about an incident. A line whose demand is in `notJudged` (due after the run ended)
 * is left out.
 */
export function wireOf(lines: readonly TappedLine[], notJudged: ReadonlySet<string> = new Set()): WireLine[] {
  const wire: WireLine[] = [];
  for (const line of lines) {
    const text = Buffer.from(line.raw, 'latin1').toString('utf8');
    const said = /^(?:PRIVMSG|NOTICE) (\S+) :(.*)$/s.exec(text);
    const id = said ? recognise(said[1] ?? '', said[2] ?? '') : undefined;
    if (id !== undefined && notJudged.has(id)) continue;
    wire.push(
      id === undefined
        ? { network: IRC, at: line.at, text, reply: true }
        : { network: IRC, at: line.at, text, demandId: id },
    );
  }
  return wire;
}
