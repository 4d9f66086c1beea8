/**
 * Working hours in words, as contacts.yaml has them (local) and as they fall in UTC in the reference
 * week: "Mon–Fri 09:00–17:30", "Sat 22:00–02:00 (ends next day)".
 */
import type { Contact } from '../config/config.js';
import type { Weekday, WorkingHours } from '../config/hours.js';
import { workingOccurrences } from '../core/escalation/awake.js';
import { WEEKDAY_NAMES, formatMinuteOfDay } from '../core/escalation/format.js';
import { DAY_MS, type ReferenceWeek } from './coverage.js';

const MINUTE_MS = 60_000;

const dayName = (day: number): string => WEEKDAY_NAMES[day - 1] ?? '?';

function runName(run: readonly number[]): string {
  const first = run[0] ?? 0;
  const last = run[run.length - 1] ?? 0;
  if (run.length === 1) return dayName(first);
  if (run.length === 2) return `${dayName(first)}, ${dayName(last)}`;
  return `${dayName(first)}–${dayName(last)}`;
}

/** "Mon–Fri", "Sat, Sun", "Mon, Wed", "Sun–Thu", "daily". */
export function describeDays(days: readonly Weekday[]): string {
  const set = new Set(days);
  if (set.size === 7) return 'daily';
  const runs: number[][] = [];
  for (let day = 1; day <= 7; day++) {
    if (!set.has(day as Weekday)) continue;
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === day - 1) last.push(day);
    else runs.push([day]);
  }
  // A run through Sunday that continues on Monday is one run: Sun–Thu, Sat–Tue.
  const first = runs[0];
  const final = runs[runs.length - 1];
  if (runs.length > 1 && first && final && first[0] === 1 && final[final.length - 1] === 7) {
    runs.pop();
    runs[0] = [...final, ...first];
  }
  return runs.map(runName).join(', ');
}

/** "09:00–17:30", "22:00–02:00 (ends next day)". */
export function describeRange(startMinute: number, endMinute: number): string {
  const daysLater = endMinute === 1440 ? 0 : Math.floor(endMinute / 1440);
  const end = formatMinuteOfDay(endMinute === 1440 ? 1440 : endMinute % 1440);
  const suffix =
    daysLater === 0 ? '' : daysLater === 1 ? ' (ends next day)' : ` (ends ${daysLater} days later)`;
  return `${formatMinuteOfDay(startMinute)}–${end}${suffix}`;
}

interface Slot {
  readonly day: Weekday;
  readonly startMinute: number;
  readonly endMinute: number;
}

function describeSlots(slots: readonly Slot[]): string[] {
  const groups = new Map<string, { days: Weekday[]; startMinute: number; endMinute: number }>();
  for (const slot of slots) {
    const key = `${slot.startMinute}-${slot.endMinute}`;
    const group = groups.get(key) ?? { days: [], startMinute: slot.startMinute, endMinute: slot.endMinute };
    group.days.push(slot.day);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => Math.min(...a.days) - Math.min(...b.days) || a.startMinute - b.startMinute)
    .map((group) => `${describeDays(group.days)} ${describeRange(group.startMinute, group.endMinute)}`);
}

/** The hours as the contact keeps them, in their own timezone. */
export function localHoursText(hours: WorkingHours): string[] {
  return describeSlots(hours);
}

/** The hours as they fall in UTC in the reference week (each interval counted in the week it starts in). */
export function utcHoursText(contact: Contact, week: ReferenceWeek): string[] {
  const slots = workingOccurrences(contact, week.start, week.end)
    .filter((occurrence) => occurrence.start >= week.start && occurrence.start < week.end)
    .map((occurrence): Slot => {
      const dayIndex = Math.floor((occurrence.start - week.start) / DAY_MS);
      const startMinute = Math.round((occurrence.start - week.start - dayIndex * DAY_MS) / MINUTE_MS);
      const length = Math.round((occurrence.end - occurrence.start) / MINUTE_MS);
      return { day: (dayIndex + 1) as Weekday, startMinute, endMinute: startMinute + length };
    });
  return describeSlots(slots);
}
