/**
 * How times and durations read in firebell's answers and the play book. English and fixed, not the
 * host's locale, so the same config renders the same text everywhere.
 */
import type { DateTime } from 'luxon';

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

const pad = (value: number): string => String(value).padStart(2, '0');

/** "09:05" for a number of minutes after midnight (1440 reads "24:00"). */
export function formatMinuteOfDay(minute: number): string {
  return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
}

/** "10:42". */
export function formatTimeOfDay(time: DateTime): string {
  return `${pad(time.hour)}:${pad(time.minute)}`;
}

/** "10:42 Wed": a clock reading with its weekday. */
export function formatClock(time: DateTime): string {
  return `${pad(time.hour)}:${pad(time.minute)} ${WEEKDAY_NAMES[time.weekday - 1] ?? ''}`;
}

/** "Wed 2025-03-12 14:05": a date and time, in whatever zone `time` is in. */
export function formatDateTime(time: DateTime): string {
  const date = `${time.year}-${pad(time.month)}-${pad(time.day)}`;
  return `${WEEKDAY_NAMES[time.weekday - 1] ?? ''} ${date} ${pad(time.hour)}:${pad(time.minute)}`;
}

/** "1 minute", "5 minutes". */
export function minutesInWords(minutes: number): string {
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
