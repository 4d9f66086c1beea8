/**
 * Who on call is awake in each hour of a reference week, in UTC, and where nobody is. Daylight saving
 * makes weeks differ, so coverage is always computed for one stated week.
 */
import type { Contact } from '../config/config.js';
import { mergeSpans, workingSpans, type Span } from '../core/escalation/awake.js';
import { isPageable } from '../core/escalation/recipients.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Monday 00:00 UTC to the next Monday 00:00 UTC. */
export interface ReferenceWeek {
  readonly start: number;
  readonly end: number;
}

/** The UTC week (Monday to Sunday) containing `at`. */
export function referenceWeek(at: number): ReferenceWeek {
  const day = Math.floor(at / DAY_MS) * DAY_MS;
  const weekday = new Date(day).getUTCDay() || 7;
  const start = day - (weekday - 1) * DAY_MS;
  return { start, end: start + 7 * DAY_MS };
}

/** Minutes into an hour, [from, to). */
export interface MinuteRange {
  readonly from: number;
  readonly to: number;
}

export interface Presence {
  readonly contact: Contact;
  readonly ranges: readonly MinuteRange[];
}

export interface CoverageCell {
  readonly start: number;
  /** Who is awake during some of the hour, in config order. */
  readonly present: readonly Presence[];
  /** The parts of the hour in which nobody on call is awake. */
  readonly uncovered: readonly MinuteRange[];
}

export interface Coverage {
  readonly week: ReferenceWeek;
  /** The people counted: contacts with a tier and a handle to page them by. */
  readonly contacts: readonly Contact[];
  /** `cells[hour][day]`: hour 0-23 UTC, day 0 = Monday. */
  readonly cells: readonly (readonly CoverageCell[])[];
  /** The stretches of the week in which nobody on call is awake. */
  readonly gaps: readonly Span[];
}

/** The people pages can go to. */
export const onCallContacts = (contacts: readonly Contact[]): Contact[] =>
  contacts.filter((contact) => contact.tier !== undefined && isPageable(contact));

function clip(spans: readonly Span[], from: number, to: number): Span[] {
  return spans
    .map((span) => ({ start: Math.max(span.start, from), end: Math.min(span.end, to) }))
    .filter((span) => span.end > span.start);
}

function complement(spans: readonly Span[], from: number, to: number): Span[] {
  const gaps: Span[] = [];
  let cursor = from;
  for (const span of mergeSpans(clip(spans, from, to))) {
    if (span.start > cursor) gaps.push({ start: cursor, end: span.start });
    cursor = Math.max(cursor, span.end);
  }
  if (cursor < to) gaps.push({ start: cursor, end: to });
  return gaps;
}

const toMinutes = (spans: readonly Span[], hourStart: number): MinuteRange[] =>
  clip(spans, hourStart, hourStart + HOUR_MS).map((span) => ({
    from: Math.round((span.start - hourStart) / MINUTE_MS),
    to: Math.round((span.end - hourStart) / MINUTE_MS),
  }));

export function computeCoverage(contacts: readonly Contact[], week: ReferenceWeek): Coverage {
  const people = onCallContacts(contacts).map((contact) => ({
    contact,
    spans: clip(workingSpans(contact, week.start, week.end), week.start, week.end),
  }));
  const gaps = complement(
    people.flatMap((person) => person.spans),
    week.start,
    week.end,
  );
  const cells: CoverageCell[][] = [];
  for (let hour = 0; hour < 24; hour++) {
    const row: CoverageCell[] = [];
    for (let day = 0; day < 7; day++) {
      const start = week.start + day * DAY_MS + hour * HOUR_MS;
      const present = people
        .map(({ contact, spans }) => ({ contact, ranges: toMinutes(spans, start) }))
        .filter((presence) => presence.ranges.length > 0);
      row.push({ start, present, uncovered: toMinutes(gaps, start) });
    }
    cells.push(row);
  }
  return { week, contacts: people.map((person) => person.contact), cells, gaps };
}
