import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Weekday } from '../../src/config/hours.js';
import { describeDays, describeRange, localHoursText, utcHoursText } from '../../src/playbook/hours-text.js';
import { referenceWeek } from '../../src/playbook/coverage.js';
import { makeContact } from '../support/builders.js';

test('days read as ranges, including ranges across Sunday', () => {
  const cases: [Weekday[], string][] = [
    [[1, 2, 3, 4, 5], 'Mon–Fri'],
    [[6, 7], 'Sat, Sun'],
    [[1, 3], 'Mon, Wed'],
    [[7, 1, 2, 3, 4], 'Sun–Thu'],
    [[6, 7, 1, 2], 'Sat–Tue'],
    [[1, 2, 3, 5, 6], 'Mon–Wed, Fri, Sat'],
    [[1, 2, 3, 4, 5, 6, 7], 'daily'],
    [[4], 'Thu'],
  ];
  for (const [days, expected] of cases) assert.equal(describeDays(days), expected, days.join(','));
});

test('time ranges say when they end on the next day', () => {
  assert.equal(describeRange(9 * 60, 17 * 60 + 30), '09:00–17:30');
  assert.equal(describeRange(22 * 60, 26 * 60), '22:00–02:00 (ends next day)');
  assert.equal(describeRange(0, 1440), '00:00–24:00');
});

test('hours in their own time and in UTC for the reference week (Kolkata, +05:30)', () => {
  const asha = makeContact({
    id: 'asha',
    timezone: 'Asia/Kolkata',
    hours: { weekdays: '10:00-18:30', sat: '22:00-01:00' },
  });
  assert.deepEqual(localHoursText(asha.hours), ['Mon–Fri 10:00–18:30', 'Sat 22:00–01:00 (ends next day)']);
  assert.deepEqual(utcHoursText(asha, referenceWeek(Date.parse('2025-03-12T00:00:00Z'))), [
    'Mon–Fri 04:30–13:00',
    'Sat 16:30–19:30',
  ]);
});

test('UTC hours in a week with a DST change show both offsets (Europe/Berlin, spring 2025)', () => {
  const frida = makeContact({ id: 'frida', timezone: 'Europe/Berlin', hours: { daily: '07:00-15:30' } });
  // Sunday 2025-03-30 is the first day of CEST.
  assert.deepEqual(utcHoursText(frida, referenceWeek(Date.parse('2025-03-26T00:00:00Z'))), [
    'Mon–Sat 06:00–14:30',
    'Sun 05:00–13:30',
  ]);
});
