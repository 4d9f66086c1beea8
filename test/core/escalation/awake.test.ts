import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  awakeUntil,
  isAwake,
  localTime,
  minutesUntilStart,
  nextStartOfHours,
  workingSpans,
} from '../../../src/core/escalation/awake.js';
import { at, makeContact } from '../../support/builders.js';

const iso = (value: number | null): string | null => (value === null ? null : new Date(value).toISOString());

/** Asserts isAwake at each instant: [iso, expected]. */
function assertAwake(contact: ReturnType<typeof makeContact>, cases: [string, boolean][]): void {
  for (const [instant, expected] of cases) {
    assert.equal(isAwake(contact, at(instant)), expected, `${contact.id} awake at ${instant}`);
  }
}

test('weekday hours in New York: the edges are inclusive at the start and exclusive at the end', () => {
  const ny = makeContact({ id: 'ny', timezone: 'America/New_York', hours: { 'mon-fri': '09:00-17:00' } });
  assertAwake(ny, [
    ['2025-03-12T12:59:59Z', false], // Wed 08:59:59 EDT
    ['2025-03-12T13:00:00Z', true], // Wed 09:00 EDT
    ['2025-03-12T20:59:00Z', true], // 16:59
    ['2025-03-12T21:00:00Z', false], // 17:00
    ['2025-03-15T15:00:00Z', false], // Saturday 11:00
    ['2025-01-15T14:00:00Z', true], // Wed 09:00 EST in winter
    ['2025-01-15T13:59:00Z', false],
  ]);
});

test('localTime reads the contact clock, including a +05:30 zone', () => {
  const kolkata = makeContact({ id: 'k', timezone: 'Asia/Kolkata', hours: {} });
  const time = localTime(kolkata, at('2025-03-12T04:42:00Z'));
  assert.deepEqual([time.weekday, time.hour, time.minute, time.offset], [3, 10, 12, 330]);
});

test('Asia/Kolkata (+05:30, no DST): half-hour boundaries in UTC, all year', () => {
  const asha = makeContact({ id: 'asha', timezone: 'Asia/Kolkata', hours: { weekdays: '10:00-18:30' } });
  assertAwake(asha, [
    ['2025-03-10T04:29:00Z', false], // Mon 09:59
    ['2025-03-10T04:30:00Z', true], // Mon 10:00
    ['2025-03-10T12:59:00Z', true], // 18:29
    ['2025-03-10T13:00:00Z', false], // 18:30
    ['2025-07-10T04:30:00Z', true], // same UTC time in summer
  ]);
  assert.equal(iso(nextStartOfHours(asha, at('2025-03-14T13:00:00Z'))), '2025-03-17T04:30:00.000Z');
  assert.equal(minutesUntilStart(asha, at('2025-03-10T04:29:30Z')), 1, 'partial minutes round up');
  assert.equal(minutesUntilStart(asha, at('2025-03-10T05:00:00Z')), 0, 'awake now');
  assert.equal(iso(awakeUntil(asha, at('2025-03-10T05:00:00Z'))), '2025-03-10T13:00:00.000Z');
  assert.equal(awakeUntil(asha, at('2025-03-10T13:00:00Z')), null);
});

test('hours crossing midnight count on the next local day', () => {
  const owl = makeContact({ id: 'owl', timezone: 'Europe/Berlin', hours: { fri: '22:00-02:00' } });
  assertAwake(owl, [
    ['2025-06-13T19:59:00Z', false], // Fri 21:59 CEST
    ['2025-06-13T20:00:00Z', true], // Fri 22:00
    ['2025-06-13T23:30:00Z', true], // Sat 01:30: still Friday's interval
    ['2025-06-14T00:00:00Z', false], // Sat 02:00
    ['2025-06-12T23:30:00Z', false], // Fri 01:30: Thursday had no interval
  ]);
  assert.equal(iso(nextStartOfHours(owl, at('2025-06-14T00:00:00Z'))), '2025-06-20T20:00:00.000Z');
});

test('weekend-only hours, and a Sunday interval running into Monday', () => {
  const weekend = makeContact({
    id: 'weekend',
    timezone: 'America/New_York',
    hours: { weekends: '10:00-14:00', sun: '20:00-01:00' },
  });
  assertAwake(weekend, [
    ['2025-03-15T14:00:00Z', true], // Sat 10:00 EDT
    ['2025-03-16T17:59:00Z', true], // Sun 13:59
    ['2025-03-17T04:30:00Z', true], // Mon 00:30, from Sunday's evening interval
    ['2025-03-17T05:00:00Z', false], // Mon 01:00
    ['2025-03-17T14:00:00Z', false], // Mon 10:00
  ]);
  assert.equal(iso(nextStartOfHours(weekend, at('2025-03-17T14:00:00Z'))), '2025-03-22T14:00:00.000Z');
});

test('the next start crosses a DST change at local wall time (New York spring forward)', () => {
  const ny = makeContact({ id: 'ny', timezone: 'America/New_York', hours: { 'mon-fri': '09:00-17:00' } });
  // Friday 17:00 EST; Monday 09:00 is EDT after the 2025-03-09 change, so 13:00Z, not 14:00Z.
  assert.equal(iso(nextStartOfHours(ny, at('2025-03-07T22:00:00Z'))), '2025-03-10T13:00:00.000Z');
  assert.equal(minutesUntilStart(ny, at('2025-03-07T22:00:00Z')), 2 * 1440 + 15 * 60);
});

test('a start time that a spring-forward skips begins at the transition instant (New York)', () => {
  const early = makeContact({ id: 'early', timezone: 'America/New_York', hours: { sun: '02:30-06:00' } });
  // 2025-03-09: 02:00 EST jumps to 03:00 EDT at 07:00Z; 02:30 never happens.
  assert.equal(iso(nextStartOfHours(early, at('2025-03-08T12:00:00Z'))), '2025-03-09T07:00:00.000Z');
  assertAwake(early, [
    ['2025-03-09T06:59:59Z', false], // 01:59:59 EST
    ['2025-03-09T07:00:00Z', true], // 03:00 EDT
    ['2025-03-09T09:59:00Z', true], // 05:59 EDT
    ['2025-03-09T10:00:00Z', false], // 06:00 EDT
  ]);
  // The Sunday before, 02:30 EST exists.
  assert.equal(iso(nextStartOfHours(early, at('2025-03-01T12:00:00Z'))), '2025-03-02T07:30:00.000Z');
});

test('an interval wholly inside the skipped hour is empty that day (Australia/Adelaide, +09:30/+10:30)', () => {
  const gap = makeContact({ id: 'gap', timezone: 'Australia/Adelaide', hours: { sun: '02:15-02:45' } });
  // 2025-10-05: 02:00 ACST jumps to 03:00 ACDT at 2025-10-04T16:30Z.
  assert.deepEqual(workingSpans(gap, at('2025-10-04T12:00:00Z'), at('2025-10-05T12:00:00Z')), []);
  assert.equal(isAwake(gap, at('2025-10-04T16:30:00Z')), false);
  // The next Sunday 02:15 is ACDT (+10:30).
  assert.equal(iso(nextStartOfHours(gap, at('2025-10-04T12:00:00Z'))), '2025-10-11T15:45:00.000Z');
});

test('Australia/Adelaide autumn change: weekday starts move by an hour in UTC', () => {
  const ian = makeContact({ id: 'ian', timezone: 'Australia/Adelaide', hours: { 'mon-fri': '08:30-17:00' } });
  assertAwake(ian, [
    ['2025-04-03T22:00:00Z', true], // Fri 08:30 ACDT (+10:30)
    ['2025-04-03T21:59:00Z', false],
    ['2025-04-06T22:30:00Z', false], // Mon 08:00 ACST: would be 09:00 if the offset had not changed
    ['2025-04-06T23:00:00Z', true], // Mon 08:30 ACST (+09:30)
  ]);
  // Friday 17:30 ACDT → Monday 08:30 ACST, across the 2025-04-06 change.
  assert.equal(iso(nextStartOfHours(ian, at('2025-04-04T07:00:00Z'))), '2025-04-06T23:00:00.000Z');
});

test('a start time that a fall-back repeats uses its first occurrence (New York)', () => {
  const nightly = makeContact({ id: 'n', timezone: 'America/New_York', hours: { sun: '01:30-05:00' } });
  // 2025-11-02: 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:30 happens at 05:30Z and at 06:30Z.
  assert.equal(iso(nextStartOfHours(nightly, at('2025-11-01T12:00:00Z'))), '2025-11-02T05:30:00.000Z');
  assertAwake(nightly, [
    ['2025-11-02T05:29:00Z', false],
    ['2025-11-02T05:30:00Z', true], // 01:30 EDT
    ['2025-11-02T06:15:00Z', true], // 01:15 EST: the clock went back, but the stretch is unbroken
    ['2025-11-02T09:59:00Z', true], // 04:59 EST
    ['2025-11-02T10:00:00Z', false], // 05:00 EST
  ]);
});

test('an end time that a fall-back repeats also uses its first occurrence (New York)', () => {
  const late = makeContact({ id: 'late', timezone: 'America/New_York', hours: { sat: '20:00-01:30' } });
  assertAwake(late, [
    ['2025-11-02T00:00:00Z', true], // Sat 20:00 EDT
    ['2025-11-02T05:29:00Z', true], // Sun 01:29 EDT
    ['2025-11-02T05:30:00Z', false], // Sun 01:30 EDT: the first time the clock reads 01:30
    ['2025-11-02T06:15:00Z', false], // 01:15 EST, the repeated hour
  ]);
});

test('Europe/Berlin: both changes, including an ambiguous start', () => {
  const daily = makeContact({ id: 'daily', timezone: 'Europe/Berlin', hours: { daily: '08:00-16:00' } });
  // Spring 2025-03-30 01:00Z: Saturday 08:00 CET = 07:00Z, Monday 08:00 CEST = 06:00Z.
  assert.equal(iso(nextStartOfHours(daily, at('2025-03-28T16:00:00Z'))), '2025-03-29T07:00:00.000Z');
  assert.equal(iso(nextStartOfHours(daily, at('2025-03-29T16:00:00Z'))), '2025-03-30T06:00:00.000Z');
  assert.equal(iso(nextStartOfHours(daily, at('2025-03-30T15:00:00Z'))), '2025-03-31T06:00:00.000Z');
  // Autumn 2025-10-26 01:00Z: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30Z and 01:30Z.
  const night = makeContact({ id: 'night', timezone: 'Europe/Berlin', hours: { sun: '02:30-04:00' } });
  assert.equal(iso(nextStartOfHours(night, at('2025-10-25T12:00:00Z'))), '2025-10-26T00:30:00.000Z');
  assertAwake(night, [
    ['2025-10-26T00:29:00Z', false],
    ['2025-10-26T00:30:00Z', true],
    ['2025-10-26T02:59:00Z', true], // 03:59 CET
    ['2025-10-26T03:00:00Z', false], // 04:00 CET
  ]);
});

test('Australia/Lord_Howe: the 30-minute DST shift, both ways', () => {
  // Spring 2025-10-05: 02:00 (+10:30) jumps to 02:30 (+11) at 2025-10-04T15:30Z; 02:10 does not exist.
  const early = makeContact({ id: 'early', timezone: 'Australia/Lord_Howe', hours: { sun: '02:10-05:00' } });
  assert.equal(iso(nextStartOfHours(early, at('2025-10-04T00:00:00Z'))), '2025-10-04T15:30:00.000Z');
  assertAwake(early, [
    ['2025-10-04T15:29:00Z', false], // 01:59 (+10:30)
    ['2025-10-04T15:30:00Z', true], // 02:30 (+11)
    ['2025-10-04T17:59:00Z', true], // 04:59
    ['2025-10-04T18:00:00Z', false], // 05:00
  ]);
  // Autumn 2025-04-06: 02:00 (+11) falls back to 01:30 (+10:30) at 2025-04-05T15:00Z; 01:40 happens twice.
  const late = makeContact({ id: 'late', timezone: 'Australia/Lord_Howe', hours: { sun: '01:40-03:00' } });
  assert.equal(iso(nextStartOfHours(late, at('2025-04-05T00:00:00Z'))), '2025-04-05T14:40:00.000Z');
  // 03:00 (+10:30) = 16:30Z: the stretch lasts 1h 50m of real time, 20 minutes of it twice on the clock.
  assert.deepEqual(
    workingSpans(late, at('2025-04-05T00:00:00Z'), at('2025-04-06T00:00:00Z')).map((span) => [
      iso(span.start),
      iso(span.end),
    ]),
    [['2025-04-05T14:40:00.000Z', '2025-04-05T16:30:00.000Z']],
  );
  // Weekday hours across the same change: Friday 09:00 is +11, Monday 09:00 is +10:30.
  const office = makeContact({
    id: 'office',
    timezone: 'Australia/Lord_Howe',
    hours: { weekdays: '09:00-17:00' },
  });
  assert.equal(iso(nextStartOfHours(office, at('2025-04-03T12:00:00Z'))), '2025-04-03T22:00:00.000Z');
  assert.equal(iso(nextStartOfHours(office, at('2025-04-04T12:00:00Z'))), '2025-04-06T22:30:00.000Z');
});

test('back-to-back intervals are one stretch; the next start is after it', () => {
  const split = makeContact({
    id: 'split',
    timezone: 'UTC',
    hours: { mon: ['09:00-12:00', '12:00-17:00'], tue: '22:00-24:00', wed: '00:00-03:00' },
  });
  assert.equal(iso(awakeUntil(split, at('2025-03-10T10:00:00Z'))), '2025-03-10T17:00:00.000Z');
  assert.equal(iso(nextStartOfHours(split, at('2025-03-10T10:00:00Z'))), '2025-03-11T22:00:00.000Z');
  assert.equal(iso(awakeUntil(split, at('2025-03-11T23:00:00Z'))), '2025-03-12T03:00:00.000Z');
});

test('no hours: never awake, no next start; hours around the clock: always awake, no next start', () => {
  const none = makeContact({ id: 'none', timezone: 'Europe/Berlin', hours: {} });
  assert.equal(isAwake(none, at('2025-03-10T10:00:00Z')), false);
  assert.equal(nextStartOfHours(none, at('2025-03-10T10:00:00Z')), null);
  assert.equal(minutesUntilStart(none, at('2025-03-10T10:00:00Z')), null);
  const always = makeContact({ id: 'always', timezone: 'America/New_York', hours: { daily: '00:00-24:00' } });
  for (const instant of ['2025-03-09T07:00:00Z', '2025-11-02T06:30:00Z', '2025-06-01T03:59:00Z']) {
    assert.equal(isAwake(always, at(instant)), true, instant);
  }
  assert.equal(nextStartOfHours(always, at('2025-03-09T07:00:00Z')), null);
});
