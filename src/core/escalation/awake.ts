/**
 * Who is awake: a contact's working hours (weekly intervals in their own timezone) turned into real
 * stretches of time. Every question (awake now? when do they start? what does the week look like in UTC?)
 * is answered from the same spans, so they cannot disagree.
 *
 * An interval belongs to the local day it starts on and runs to its end, on the next day when it crosses
 * midnight (Sat 22:00-02:00 covers Sunday 00:00-02:00). Its ends are placed in real time by the rules in
 * ./zone.ts: a start or end that a spring-forward skips falls on the transition instant, one that a
 * fall-back repeats falls on its first occurrence. So an interval is always one unbroken span; it is only
 * empty when it lies wholly inside a skipped hour.
 */
import { DateTime } from 'luxon';
import { wallTimeToInstant, zoneOf } from './zone.js';
import type { Contact, WorkingInterval } from '../settings.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What awake-ness depends on; a whole `Contact` fits. */
export type Schedule = Pick<Contact, 'timezone' | 'hours'>;

/** [start, end) in ms since the epoch. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One working interval placed in real time. */
export interface Occurrence extends Span {
  readonly interval: WorkingInterval;
}

/** The contact's clock at `at`. */
export function localTime(contact: Pick<Contact, 'timezone'>, at: number): DateTime {
  return DateTime.fromMillis(at, { zone: contact.timezone });
}

/**
 * The working intervals that start on a local day from the one before `from` to the one after `to`,
 * placed in real time, sorted by start, overlapping [from, to). Empty ones (wholly inside a
 * spring-forward gap) are left out.
 */
export function workingOccurrences(contact: Schedule, from: number, to: number): Occurrence[] {
  const zone = zoneOf(contact.timezone);
  const first = localTime(contact, from);
  const last = localTime(contact, to);
  const firstDay = Date.UTC(first.year, first.month - 1, first.day - 1);
  const lastDay = Date.UTC(last.year, last.month - 1, last.day + 1);
  const found: Occurrence[] = [];
  for (let day = firstDay; day <= lastDay; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay() || 7;
    for (const interval of contact.hours) {
      if (interval.day !== weekday) continue;
      const start = wallTimeToInstant(zone, day + interval.startMinute * MINUTE_MS);
      const end = wallTimeToInstant(zone, day + interval.endMinute * MINUTE_MS);
      if (end > start && end > from && start < to) found.push({ start, end, interval });
    }
  }
  return found.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Overlapping or touching spans joined, sorted. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const span of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && span.start <= previous.end) {
      merged[merged.length - 1] = { start: previous.start, end: Math.max(previous.end, span.end) };
    } else {
      merged.push({ start: span.start, end: span.end });
    }
  }
  return merged;
}

/** The stretches of time in which the contact is awake, overlapping [from, to), not clipped to it. */
export function workingSpans(contact: Schedule, from: number, to: number): Span[] {
  return mergeSpans(workingOccurrences(contact, from, to));
}

// A week plus a day reaches the next start of any weekly schedule that is not awake around the clock,
// and the end of any stretch that is not.
const LOOK_AHEAD_MS = 8 * DAY_MS;

/** The stretch the contact is awake in at `at`, if any, with back-to-back intervals joined. */
function currentSpan(contact: Schedule, at: number): Span | undefined {
  return workingSpans(contact, at, at + LOOK_AHEAD_MS).find((span) => span.start <= at && at < span.end);
}

/** Inside their working hours, in their own timezone. */
export function isAwake(contact: Schedule, at: number): boolean {
  return workingOccurrences(contact, at, at + 1).some((span) => span.start <= at && at < span.end);
}

/** When the contact's current stretch of working hours ends; null when they are not awake. */
export function awakeUntil(contact: Schedule, at: number): number | null {
  return currentSpan(contact, at)?.end ?? null;
}

/**
 * The next instant after `at` at which the contact's working hours begin (after the current stretch
 * when they are awake). Null when they have no hours at all, or are awake around the clock.
 */
export function nextStartOfHours(contact: Schedule, at: number): number | null {
  const next = workingSpans(contact, at, at + LOOK_AHEAD_MS).find((span) => span.start > at);
  return next?.start ?? null;
}

/** 0 when awake now; otherwise whole minutes (rounded up) until their hours begin; null when never. */
export function minutesUntilStart(contact: Schedule, at: number): number | null {
  if (isAwake(contact, at)) return 0;
  const next = nextStartOfHours(contact, at);
  return next === null ? null : Math.ceil((next - at) / MINUTE_MS);
}
