/**
 * Working hours as people write them in contacts.yaml, parsed into weekly intervals:
 *
 *   hours:
 *     mon-fri: "09:00-17:30"
 *     sat: ["10:00-12:00", "22:00-02:00"]   # the second one crosses midnight into Sunday
 *
 * Day keys: mon..sun, a range such as mon-fri or fri-mon, weekdays, weekends, daily. Times are local to
 * the contact's timezone; "24:00" may end a range. An interval that ends at or before it starts crosses
 * midnight and ends on the next day.
 */

// The core's words (src/core/settings.ts): the parser produces them.
import type { Weekday, WorkingHours, WorkingInterval } from '../core/settings.js';
export type { Weekday, WorkingHours, WorkingInterval } from '../core/settings.js';

export interface HoursProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_ALIASES: Record<string, Weekday[]> = {
  daily: [1, 2, 3, 4, 5, 6, 7],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [6, 7],
};

function dayIndex(name: string): Weekday | undefined {
  const index = DAY_NAMES.indexOf(name as (typeof DAY_NAMES)[number]);
  return index < 0 ? undefined : ((index + 1) as Weekday);
}

export function parseDays(key: string): Weekday[] | undefined {
  const normalized = key.trim().toLowerCase();
  const alias = DAY_ALIASES[normalized];
  if (alias) return alias;
  const single = dayIndex(normalized);
  if (single) return [single];
  const range = /^([a-z]{3})\s*-\s*([a-z]{3})$/.exec(normalized);
  if (!range) return undefined;
  const from = dayIndex(range[1] ?? '');
  const to = dayIndex(range[2] ?? '');
  if (!from || !to) return undefined;
  const days: Weekday[] = [];
  for (let day = from; ; day = ((day % 7) + 1) as Weekday) {
    days.push(day);
    if (day === to) break;
  }
  return days;
}

function parseClock(value: string, allow24: boolean): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59) return undefined;
  if (hours === 24 && minutes === 0 && allow24) return 1440;
  if (hours > 23) return undefined;
  return hours * 60 + minutes;
}

export function parseInterval(value: string): { startMinute: number; endMinute: number } | undefined {
  const parts = value.split('-');
  if (parts.length !== 2) return undefined;
  const start = parseClock(parts[0] ?? '', false);
  const end = parseClock(parts[1] ?? '', true);
  if (start === undefined || end === undefined) return undefined;
  return { startMinute: start, endMinute: end <= start ? end + 1440 : end };
}

const RANGE_EXPECTED = 'expected a time range such as "09:00-17:30", or a list of them';

export function parseHours(
  raw: Readonly<Record<string, unknown>>,
): { ok: true; hours: WorkingHours } | { ok: false; problems: HoursProblem[] } {
  const intervals: WorkingInterval[] = [];
  const problems: HoursProblem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const days = parseDays(key);
    if (!days) {
      problems.push({
        path: [key],
        message: `"${key}" is not a day: expected mon..sun, a range such as mon-fri, weekdays, weekends or daily`,
      });
      continue;
    }
    const ranges: unknown[] = Array.isArray(value) ? value : [value];
    ranges.forEach((range, index) => {
      const path = Array.isArray(value) ? [key, index] : [key];
      if (typeof range !== 'string') {
        problems.push({ path, message: RANGE_EXPECTED });
        return;
      }
      const interval = parseInterval(range);
      if (!interval) {
        problems.push({
          path,
          message: `"${range}" is not a time range: expected "HH:MM-HH:MM" such as "09:00-17:30" (24-hour clock)`,
        });
        return;
      }
      for (const day of days) intervals.push({ day, ...interval });
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, hours: intervals };
}
