import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDays, parseHours, parseInterval } from '../../src/config/hours.js';

test('day keys: single days, ranges (also across the week end) and aliases', () => {
  const cases: [string, number[] | undefined][] = [
    ['mon', [1]],
    ['Sun', [7]],
    ['mon-fri', [1, 2, 3, 4, 5]],
    ['fri-mon', [5, 6, 7, 1]],
    ['weekdays', [1, 2, 3, 4, 5]],
    ['weekends', [6, 7]],
    ['daily', [1, 2, 3, 4, 5, 6, 7]],
    ['monday', undefined],
    ['mon-fir', undefined],
    ['', undefined],
  ];
  for (const [key, days] of cases) assert.deepEqual(parseDays(key), days, key);
});

test('time ranges: minutes after midnight, 24:00 as an end, midnight crossings ending the next day', () => {
  const cases: [string, { startMinute: number; endMinute: number } | undefined][] = [
    ['09:00-17:30', { startMinute: 540, endMinute: 1050 }],
    ['9:00-17:00', { startMinute: 540, endMinute: 1020 }],
    ['00:00-24:00', { startMinute: 0, endMinute: 1440 }],
    ['22:00-02:00', { startMinute: 1320, endMinute: 1560 }],
    ['14:00-00:30', { startMinute: 840, endMinute: 1470 }],
    ['10:00-10:00', { startMinute: 600, endMinute: 2040 }],
    ['24:00-10:00', undefined],
    ['09:60-10:00', undefined],
    ['9-5', undefined],
    ['09:00', undefined],
  ];
  for (const [text, interval] of cases) assert.deepEqual(parseInterval(text), interval, text);
});

test('parseHours expands days and reports every bad key and range', () => {
  assert.deepEqual(parseHours({ 'sat-sun': ['10:00-12:00', '22:00-01:00'] }), {
    ok: true,
    hours: [
      { day: 6, startMinute: 600, endMinute: 720 },
      { day: 7, startMinute: 600, endMinute: 720 },
      { day: 6, startMinute: 1320, endMinute: 1500 },
      { day: 7, startMinute: 1320, endMinute: 1500 },
    ],
  });
  assert.deepEqual(parseHours({ moon: '10:00-12:00', tue: ['10:00-12:00', 'noon'], wed: 9 }), {
    ok: false,
    problems: [
      {
        path: ['moon'],
        message:
          '"moon" is not a day: expected mon..sun, a range such as mon-fri, weekdays, weekends or daily',
      },
      {
        path: ['tue', 1],
        message: '"noon" is not a time range: expected "HH:MM-HH:MM" such as "09:00-17:30" (24-hour clock)',
      },
      { path: ['wed'], message: 'expected a time range such as "09:00-17:30", or a list of them' },
    ],
  });
});
