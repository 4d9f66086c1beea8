/**
 * Wall-clock times in an IANA zone turned into instants, with explicit rules for the two daylight-saving
 * cases. luxon alone is not enough here: for a time that a spring-forward skips it moves the time forward
 * by the gap (02:30 becomes 03:30), and for a time that a fall-back repeats it picks the earlier or the
 * later offset depending on the zone (later in America/New_York, earlier in Australia/Lord_Howe). So the
 * offsets come from luxon and the choice is made here:
 *
 * - a wall time that does not exist (inside a spring-forward gap) resolves to the transition instant,
 *   the first moment the clock reads a later time (a 02:30 start on a 02:00→03:00 day begins at 03:00);
 * - a wall time that happens twice (inside a fall-back overlap) resolves to its first occurrence, the
 *   moment the clock first reads it.
 */
import { IANAZone } from 'luxon';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new Error(`"${name}" is not an IANA timezone`);
  return zone;
}

/** Offset from UTC in minutes at an instant. */
export const offsetAt = (zone: IANAZone, at: number): number => zone.offset(at);

/**
 * The instant at which the clock in `zone` reads `wallMs`, a wall time written as if it were UTC
 * (`Date.UTC(year, month - 1, day, 0, minuteOfDay)`).
 */
export function wallTimeToInstant(zone: IANAZone, wallMs: number): number {
  const offsetBefore = zone.offset(wallMs - DAY_MS);
  const offsetAfter = zone.offset(wallMs + DAY_MS);
  const valid = [offsetBefore, offsetAfter]
    .map((offset) => ({ offset, instant: wallMs - offset * MINUTE_MS }))
    .filter(({ offset, instant }) => zone.offset(instant) === offset)
    .map(({ instant }) => instant);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: the transition lies between reading the time with the new offset and with the old one.
  return firstInstantWithOffsetChange(
    zone,
    wallMs - offsetAfter * MINUTE_MS,
    wallMs - offsetBefore * MINUTE_MS,
  );
}

/** The first instant in (from, to] whose offset differs from the offset at `from`; `to` when none does. */
function firstInstantWithOffsetChange(zone: IANAZone, from: number, to: number): number {
  const startOffset = zone.offset(from);
  let low = from;
  let high = to;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === startOffset) low = middle;
    else high = middle;
  }
  return high;
}

export interface OffsetChange {
  readonly at: number;
  readonly fromMinutes: number;
  readonly toMinutes: number;
}

/**
 * Every change of the zone's UTC offset in [from, to), found by sampling daily: two changes less than a
 * day apart that cancel out would be missed, and no zone has had those in recent decades.
 */
export function offsetChanges(zone: IANAZone, from: number, to: number): OffsetChange[] {
  const step = DAY_MS;
  const changes: OffsetChange[] = [];
  for (let low = from; low < to; low += step) {
    const high = Math.min(low + step, to);
    const before = zone.offset(low);
    if (zone.offset(high) === before) continue;
    const at = firstInstantWithOffsetChange(zone, low, high);
    const after = zone.offset(at);
    if (after !== before && at < to) changes.push({ at, fromMinutes: before, toMinutes: after });
  }
  return changes;
}

/** "UTC+05:30", "UTC−04:00" (with a real minus sign), "UTC". */
export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const sign = minutes < 0 ? '−' : '+';
  const absolute = Math.abs(minutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, '0');
  return `UTC${sign}${hours}:${String(absolute % 60).padStart(2, '0')}`;
}
