/**
 * The coverage table checked against an independent computation: every minute of the week, each
 * person's wall clock read with Intl.DateTimeFormat (not luxon) and compared with their hours as
 * written, with an interval that crosses midnight counted on the next local day.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Contact } from '../../src/config/config.js';
import { computeCoverage, referenceWeek, type MinuteRange } from '../../src/playbook/coverage.js';
import { playbookContacts } from '../fixtures/playbook-config.js';
import { makeContact } from '../support/builders.js';

const MINUTE_MS = 60_000;
const WEEK_MINUTES = 7 * 24 * 60;
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// People whose hours run through the DST changes of their zone at night.
const nightOwls: Contact[] = [
  makeContact({ id: 'ny-night', timezone: 'America/New_York', hours: { sat: '22:00-04:00' }, tier: 1 }),
  makeContact({ id: 'berlin-night', timezone: 'Europe/Berlin', hours: { sun: '01:00-04:00' }, tier: 1 }),
  makeContact({ id: 'lh-night', timezone: 'Australia/Lord_Howe', hours: { sat: '23:00-03:00' }, tier: 2 }),
  makeContact({ id: 'adl-night', timezone: 'Australia/Adelaide', hours: { sun: '01:00-04:00' }, tier: 2 }),
  makeContact({ id: 'kol-night', timezone: 'Asia/Kolkata', hours: { daily: '23:30-00:30' }, tier: 2 }),
];

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(zone: string, at: number): { weekday: number; minute: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((part) => [part.type, part.value]));
  return {
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function awakeByWallClock(contact: Contact, at: number): boolean {
  const { weekday, minute } = wallClock(contact.timezone, at);
  const previous = weekday === 1 ? 7 : weekday - 1;
  return contact.hours.some(
    (interval) =>
      (interval.day === weekday && interval.startMinute <= minute && minute < interval.endMinute) ||
      (interval.day === previous && interval.endMinute > 1440 && minute + 1440 < interval.endMinute),
  );
}

function runs(flags: readonly boolean[]): MinuteRange[] {
  const found: MinuteRange[] = [];
  flags.forEach((on, minute) => {
    const last = found[found.length - 1];
    if (!on) return;
    if (last && last.to === minute) found[found.length - 1] = { from: last.from, to: minute + 1 };
    else found.push({ from: minute, to: minute + 1 });
  });
  return found;
}

function expectedCoverage(contacts: readonly Contact[], weekStart: number) {
  const onCall = contacts.filter((contact) => contact.tier !== undefined && (contact.irc || contact.matrix));
  const awake = onCall.map((contact) =>
    Array.from({ length: WEEK_MINUTES }, (_, minute) =>
      awakeByWallClock(contact, weekStart + minute * MINUTE_MS),
    ),
  );
  const nobody = Array.from({ length: WEEK_MINUTES }, (_, minute) => awake.every((flags) => !flags[minute]));
  const cells: { present: Record<string, MinuteRange[]>; uncovered: MinuteRange[] }[][] = [];
  for (let hour = 0; hour < 24; hour++) {
    const row = [];
    for (let day = 0; day < 7; day++) {
      const first = day * 1440 + hour * 60;
      const present: Record<string, MinuteRange[]> = {};
      onCall.forEach((contact, index) => {
        const ranges = runs((awake[index] ?? []).slice(first, first + 60));
        if (ranges.length > 0) present[contact.id] = ranges;
      });
      row.push({ present, uncovered: runs(nobody.slice(first, first + 60)) });
    }
    cells.push(row);
  }
  return { cells, gaps: runs(nobody) };
}

function actualCoverage(contacts: readonly Contact[], weekStart: number) {
  const coverage = computeCoverage(contacts, referenceWeek(weekStart));
  return {
    cells: coverage.cells.map((row) =>
      row.map((cell) => ({
        present: Object.fromEntries(
          cell.present.map((presence) => [presence.contact.id, [...presence.ranges]]),
        ),
        uncovered: [...cell.uncovered],
      })),
    ),
    gaps: coverage.gaps.map((gap) => ({
      from: (gap.start - weekStart) / MINUTE_MS,
      to: (gap.end - weekStart) / MINUTE_MS,
    })),
  };
}

const WEEKS: [string, string][] = [
  ['2025-03-03T00:00:00Z', 'New York springs forward on Sunday'],
  ['2025-03-24T00:00:00Z', 'Berlin springs forward on Sunday'],
  ['2025-03-31T00:00:00Z', 'Adelaide and Lord Howe fall back on Sunday'],
  ['2025-09-29T00:00:00Z', 'Adelaide and Lord Howe spring forward on Sunday'],
  ['2025-10-20T00:00:00Z', 'Berlin falls back on Sunday'],
  ['2025-10-27T00:00:00Z', 'New York falls back on Sunday'],
];

for (const [monday, why] of WEEKS) {
  test(`coverage matches minute-by-minute wall clocks: week of ${monday.slice(0, 10)} (${why})`, () => {
    const weekStart = Date.parse(monday);
    const contacts = [...playbookContacts, ...nightOwls];
    const expected = expectedCoverage(contacts, weekStart);
    const actual = actualCoverage(contacts, weekStart);
    for (let hour = 0; hour < 24; hour++) {
      for (let day = 0; day < 7; day++) {
        assert.deepEqual(actual.cells[hour]?.[day], expected.cells[hour]?.[day], `day ${day} hour ${hour}`);
      }
    }
    assert.deepEqual(actual.gaps, expected.gaps);
  });
}

test('the check can fail: a one-hour shift would be caught', () => {
  const weekStart = Date.parse('2025-03-31T00:00:00Z');
  const expected = expectedCoverage(playbookContacts, weekStart);
  const shifted = playbookContacts.map((contact) =>
    contact.id === 'ianw' ? { ...contact, timezone: 'Australia/Brisbane' } : contact,
  );
  assert.notDeepEqual(actualCoverage(shifted, weekStart).cells, expected.cells);
});

test('only contacts with a tier and a handle are counted', () => {
  const coverage = computeCoverage(playbookContacts, referenceWeek(Date.parse('2025-04-03T09:30:00Z')));
  assert.deepEqual(
    coverage.contacts.map((contact) => contact.id),
    ['fungi', 'frickler', 'ianw', 'lena', 'asha'],
  );
});

test('the reference week runs from Monday 00:00 UTC to the next Monday', () => {
  const iso = (week: { start: number; end: number }) => [
    new Date(week.start).toISOString(),
    new Date(week.end).toISOString(),
  ];
  const expected = ['2025-03-31T00:00:00.000Z', '2025-04-07T00:00:00.000Z'];
  assert.deepEqual(iso(referenceWeek(Date.parse('2025-03-31T00:00:00Z'))), expected);
  assert.deepEqual(iso(referenceWeek(Date.parse('2025-04-03T09:30:00Z'))), expected);
  assert.deepEqual(iso(referenceWeek(Date.parse('2025-04-06T23:59:59Z'))), expected);
  assert.deepEqual(iso(referenceWeek(Date.parse('2025-04-07T00:00:00Z'))), [
    '2025-04-07T00:00:00.000Z',
    '2025-04-14T00:00:00.000Z',
  ]);
});
