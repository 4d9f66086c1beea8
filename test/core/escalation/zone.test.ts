import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOffset, offsetChanges, wallTimeToInstant, zoneOf } from '../../../src/core/escalation/zone.js';

const iso = (value: number): string => new Date(value).toISOString();

test('wall times resolve in gaps to the transition and in overlaps to the first occurrence', () => {
  const newYork = zoneOf('America/New_York');
  assert.equal(iso(wallTimeToInstant(newYork, Date.UTC(2025, 2, 9, 2, 30))), '2025-03-09T07:00:00.000Z');
  assert.equal(iso(wallTimeToInstant(newYork, Date.UTC(2025, 10, 2, 1, 30))), '2025-11-02T05:30:00.000Z');
  assert.equal(iso(wallTimeToInstant(newYork, Date.UTC(2025, 6, 1, 12, 0))), '2025-07-01T16:00:00.000Z');
  // luxon alone would pick the later offset here and the earlier one in New York; the rule is the same.
  const lordHowe = zoneOf('Australia/Lord_Howe');
  assert.equal(iso(wallTimeToInstant(lordHowe, Date.UTC(2025, 3, 6, 1, 45))), '2025-04-05T14:45:00.000Z');
  assert.equal(iso(wallTimeToInstant(lordHowe, Date.UTC(2025, 9, 5, 2, 15))), '2025-10-04T15:30:00.000Z');
});

test('offset changes over a year, with 30-minute offsets and shifts', () => {
  const year = [Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1)] as const;
  const changes = (zone: string) =>
    offsetChanges(zoneOf(zone), ...year).map((change) => [
      iso(change.at),
      change.fromMinutes,
      change.toMinutes,
    ]);
  assert.deepEqual(changes('America/New_York'), [
    ['2025-03-09T07:00:00.000Z', -300, -240],
    ['2025-11-02T06:00:00.000Z', -240, -300],
  ]);
  assert.deepEqual(changes('Australia/Lord_Howe'), [
    ['2025-04-05T15:00:00.000Z', 660, 630],
    ['2025-10-04T15:30:00.000Z', 630, 660],
  ]);
  assert.deepEqual(changes('Asia/Kolkata'), []);
});

test('offsets read as UTC±hh:mm with a real minus sign', () => {
  assert.equal(formatOffset(330), 'UTC+05:30');
  assert.equal(formatOffset(-570), 'UTC−09:30');
  assert.equal(formatOffset(0), 'UTC');
  assert.throws(() => zoneOf('Mars/Olympus_Mons'), /not an IANA timezone/);
});
