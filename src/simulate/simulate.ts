/**
 * `firebell simulate --at "Sun 03:00 UTC"`: what an incident declared then would do, without connecting
 * anywhere. The real incident machine runs on a simulated clock with the real page resolver (working hours
 * in each person's timezone, the policy's `nobodyAwake` rule) and the real page routes, so the answer is
 * what firebell would do, not a second opinion about it: who is paged when, tier by tier, on which
 * networks, and where nobody can be reached.
 */
import { DateTime, IANAZone } from 'luxon';
import { createActor, SimulatedClock } from 'xstate';
import { incidentMachine } from '../../machines/incident.js';
import type { EscalationPolicy, IncidentEffect } from '../../machines/incident-types.js';
import type { Config, Contact } from '../config/config.js';
import { policyForGroup } from '../config/config.js';
import type { GroupConfig } from '../config/schema.js';
import type { PageResolution } from '../core/effects/effect-runner.js';
import { localTime } from '../core/escalation/awake.js';
import { formatDateTime, formatTimeOfDay, WEEKDAY_NAMES } from '../core/escalation/format.js';
import { timezoneAwarePageResolver } from '../core/escalation/page-resolver.js';
import { pageRoutes, reaches, type PageRoutes } from '../core/escalation/page-routes.js';
import { formatDuration } from '../core/format/duration.js';
import type { NetworkKind } from '../core/messages.js';
import { toPlainText } from '../core/rich-text.js';

export type When =
  { readonly ok: true; readonly at: number } | { readonly ok: false; readonly problem: string };

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WHEN =
  /^(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+)?(?:(\d{4}-\d{2}-\d{2})\s+)?(\d{1,2}):(\d{2})(?:\s+(\S+))?$/i;

/**
 * "now", an ISO time ("2026-11-29T03:00Z"), or "[weekday] [date] HH:MM [zone]": without a date, the next
 * such moment from `now` (today's if it is still to come); without a zone, UTC.
 */
export function parseWhen(text: string, now: number): When {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'now') return { ok: true, at: now };
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) {
    const iso = DateTime.fromISO(trimmed, { zone: 'UTC', setZone: true });
    return iso.isValid
      ? { ok: true, at: iso.toMillis() }
      : { ok: false, problem: `"${text}" is not a valid ISO time` };
  }
  const match = WHEN.exec(trimmed);
  if (!match)
    return {
      ok: false,
      problem: `"${text}" is not a time: write now, "Sun 03:00 UTC", "03:00 Europe/Berlin" or 2026-11-29T03:00Z`,
    };
  const [, day, date, hours, minutes, zoneName = 'UTC'] = match;
  const zone = zoneName.toUpperCase() === 'UTC' ? 'UTC' : zoneName;
  if (!IANAZone.isValidZone(zone)) return { ok: false, problem: `"${zoneName}" is not an IANA timezone` };
  const hour = Number(hours);
  const minute = Number(minutes);
  if (hour > 23 || minute > 59) return { ok: false, problem: `"${hours}:${minutes}" is not a time of day` };
  if (date !== undefined) {
    const exact = DateTime.fromISO(date, { zone }).set({ hour, minute });
    if (!exact.isValid) return { ok: false, problem: `"${date}" is not a date` };
    if (day !== undefined && DAYS[exact.weekday - 1] !== day.toLowerCase().slice(0, 3))
      return { ok: false, problem: `${date} is not a ${day}` };
    return { ok: true, at: exact.toMillis() };
  }
  let candidate = DateTime.fromMillis(now, { zone }).set({ hour, minute, second: 0, millisecond: 0 });
  for (let step = 0; step < 8; step += 1) {
    const rightDay = day === undefined || DAYS[candidate.weekday - 1] === day.toLowerCase().slice(0, 3);
    if (rightDay && candidate.toMillis() >= now - 60_000) return { ok: true, at: candidate.toMillis() };
    candidate = candidate.plus({ days: 1 }).set({ hour, minute });
  }
  return { ok: false, problem: `no such time after now: "${text}"` };
}

export interface SimulatedPage {
  readonly kind: 'page';
  readonly at: number;
  readonly tier: number;
  readonly round: number;
  /** Why these people (nobody awake, the whole tier…), as firebell would say it in the channel. */
  readonly note?: string;
  readonly people: readonly { readonly contact: Contact; readonly routes: PageRoutes }[];
  /** When the page reaches nobody: why. */
  readonly nobody?: string;
}

export type SimulatedStep =
  | SimulatedPage
  | { readonly kind: 'exhausted'; readonly at: number; readonly keepsPaging: boolean }
  | { readonly kind: 'status-reminder'; readonly at: number };

export interface Simulation {
  readonly at: number;
  readonly group: GroupConfig;
  readonly policy: EscalationPolicy;
  readonly steps: readonly SimulatedStep[];
  /** Paged people whom no network of the group carries. */
  readonly unreachable: readonly Contact[];
}

export type SimulationResult =
  { readonly ok: true; readonly result: Simulation } | { readonly ok: false; readonly problem: string };

/** How long a simulation runs: long enough for any sane policy, bounded for `keep-paging-last-tier`. */
const HORIZON_MS = 24 * 60 * 60_000;
const MAX_STEPS = 40;

function networkKinds(config: Config): (network: string) => NetworkKind | undefined {
  const kinds = new Map<string, NetworkKind>([
    ...(config.networks.shell?.enabled ? [['shell', 'shell'] as const] : []),
    ...config.networks.irc.map((network) => [network.id, 'irc'] as const),
    ...config.networks.matrix.map((network) => [network.id, 'matrix'] as const),
  ]);
  return (network) => kinds.get(network);
}

export function simulateIncident(
  config: Config,
  options: { readonly at: number; readonly group?: string },
): SimulationResult {
  const group =
    options.group === undefined ? config.groups[0] : config.groups.find((g) => g.id === options.group);
  if (!group)
    return {
      ok: false,
      problem: `there is no group "${options.group ?? ''}"; the groups are ${config.groups.map((g) => g.id).join(', ')}`,
    };
  const policy = policyForGroup(config, group.id);
  const resolve = timezoneAwarePageResolver(config.contacts);
  const kindOf = networkKinds(config);
  const members = group.members;
  const clock = new SimulatedClock();
  clock.set(options.at);
  const steps: SimulatedStep[] = [];
  const actor = createActor(incidentMachine, {
    clock,
    input: {
      id: 0,
      summary: 'simulated incident',
      group: group.id,
      declaredBy: { name: 'simulate', network: 'simulate' },
      at: options.at,
      policy,
      source: { kind: 'chat' },
    },
  });
  const pending: Array<() => void> = [];
  actor.on('*', (effect: IncidentEffect) => {
    const at = clock.now();
    switch (effect.type) {
      case 'effect.announce':
        pending.push(() => actor.send({ type: 'incident.announced', at }));
        return;
      case 'effect.page': {
        const resolution: PageResolution = resolve({ tier: effect.tier, policy, at });
        const people = resolution.recipients.map((contact) => ({
          contact,
          routes: pageRoutes(contact, members, kindOf),
        }));
        const reached = people.filter((person) => reaches(person.routes));
        steps.push({
          kind: 'page',
          at,
          tier: effect.tier,
          round: effect.round,
          people,
          ...(resolution.note ? { note: toPlainText(resolution.note) } : {}),
          ...(reached.length === 0
            ? { nobody: resolution.whyNobody ?? "none of them has a handle on this group's networks" }
            : {}),
        });
        const names = reached.map((person) => person.contact.name);
        pending.push(() =>
          actor.send({
            type: 'incident.paged',
            at,
            tierIndex: effect.tierIndex,
            round: effect.round,
            recipients: names,
          }),
        );
        return;
      }
      case 'effect.escalation-exhausted':
        steps.push({
          kind: 'exhausted',
          at,
          keepsPaging: policy.whenExhausted.action === 'keep-paging-last-tier',
        });
        return;
      case 'effect.prompt-status':
        // The first reminder; its repeats are said in words.
        if (effect.reason === 'reminder' && !steps.some((step) => step.kind === 'status-reminder'))
          steps.push({ kind: 'status-reminder', at });
        return;
      default:
        return;
    }
  });
  actor.start();
  const drain = (): void => {
    while (pending.length > 0) pending.shift()?.();
  };
  drain();
  while (steps.length < MAX_STEPS) {
    const context = actor.getSnapshot().context;
    const reminded = steps.some((step) => step.kind === 'status-reminder');
    const next = Math.min(
      context.escalation?.dueAt ?? Infinity,
      reminded ? Infinity : (context.status.reminderAt ?? Infinity),
    );
    if (!Number.isFinite(next) || next > options.at + HORIZON_MS) break;
    clock.set(Math.max(next, clock.now()));
    drain();
  }
  actor.stop();
  const unreachable = new Map<string, Contact>();
  for (const step of steps)
    if (step.kind === 'page')
      for (const person of step.people)
        if (!reaches(person.routes)) unreachable.set(person.contact.id, person.contact);
  return {
    ok: true,
    result: { at: options.at, group, policy, steps, unreachable: [...unreachable.values()] },
  };
}

function utc(at: number): string {
  return `${formatDateTime(localTime({ timezone: 'UTC' }, at))} UTC`;
}

/** "Sun 03:05", in the zone given. */
function dayAndTime(timezone: string, at: number): string {
  const time = localTime({ timezone }, at);
  return `${WEEKDAY_NAMES[time.weekday - 1] ?? ''} ${formatTimeOfDay(time)}`;
}

function routeWords(routes: PageRoutes): string {
  const parts = [
    ...routes.highlights.map((member) => `highlighted in ${member.conversation} (${member.network})`),
    ...(routes.privately.length > 0 ? [`private message on ${routes.privately.join(' and ')}`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'NOT REACHABLE: no handle on any network of this group';
}

/** The simulation as the lines `firebell simulate` prints. */
export function renderSimulation(simulation: Simulation): string {
  const { at, group, policy } = simulation;
  const lines = [
    `An incident declared ${utc(at)} in ${group.name ?? group.id} (policy "${policy.name}", nobody awake: ${policy.nobodyAwake}):`,
  ];
  if (simulation.steps.length === 0)
    lines.push('  nothing happens: the policy pages nobody and sends no reminder.');
  for (const step of simulation.steps) {
    const when = `  ${dayAndTime('UTC', step.at)} UTC (+${formatDuration(step.at - at)})`;
    switch (step.kind) {
      case 'page': {
        const round = step.round > 0 ? `, pass ${step.round + 1}` : '';
        lines.push(`${when}  tier ${step.tier}${round}${step.note ? `: ${step.note}` : ''}`);
        if (step.nobody) lines.push(`      NOBODY CAN BE PAGED: ${step.nobody}`);
        for (const { contact, routes } of step.people) {
          lines.push(
            `      ${contact.name} (${dayAndTime(contact.timezone, step.at)} in ${contact.timezone}): ${routeWords(routes)}`,
          );
        }
        break;
      }
      case 'status-reminder':
        lines.push(
          `${when}  the whitelisted people are asked for a #status update, if none was posted` +
            (policy.statusReminder?.repeatMinutes
              ? `; again every ${formatDuration(policy.statusReminder.repeatMinutes * 60_000)} until one is`
              : ''),
        );
        break;
      case 'exhausted':
        lines.push(
          `${when}  escalation is exhausted; firebell says so in the channels` +
            (step.keepsPaging ? ' and keeps paging the last tier' : ' and pages no more'),
        );
        break;
    }
  }
  const pages = simulation.steps.filter((step): step is SimulatedPage => step.kind === 'page');
  const empty = pages.filter((step) => step.nobody);
  if (empty.length > 0 || simulation.unreachable.length > 0) {
    lines.push('Where nobody can be reached:');
    for (const step of empty)
      lines.push(`  ${dayAndTime('UTC', step.at)} UTC, tier ${step.tier}: ${step.nobody}`);
    for (const contact of simulation.unreachable)
      lines.push(`  ${contact.name} has no handle on any network of ${group.id}, so pages never reach them`);
  } else {
    lines.push('Every page reaches someone.');
  }
  return lines.join('\n');
}
