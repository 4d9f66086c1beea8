/**
 * Coverage: a 24-hour by 7-day table in UTC of who on call is awake, the gaps listed, and the
 * timezones with their offsets, so a reader in another week knows how the hours shift.
 */
import { DateTime } from 'luxon';
import type { Config } from '../../config/config.js';
import { WEEKDAY_NAMES, formatMinuteOfDay } from '../../core/escalation/format.js';
import { formatDuration } from '../../core/format/duration.js';
import { formatOffset, offsetAt, offsetChanges, zoneOf } from '../../core/escalation/zone.js';
import { bold, rich } from '../../core/rich-text.js';
import { bulletList, cell, paragraph, type Block, type Cell, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { DAY_MS, type CoverageCell, type MinuteRange, type ReferenceWeek } from '../coverage.js';
import { defaultPolicy, nameList } from '../places.js';
import { nobodyAwakeWords } from './escalation.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MINUTE_MS = 60_000;

const utc = (at: number): DateTime => DateTime.fromMillis(at, { zone: 'UTC' });
const isoDate = (at: number): string => utc(at).toISODate() ?? '';

/** "the week of Mon 2025-03-31 to Sun 2025-04-06 (UTC)". */
export function weekLabel(week: ReferenceWeek): string {
  return `the week of Mon ${isoDate(week.start)} to Sun ${isoDate(week.end - DAY_MS)} (UTC)`;
}

/** "Mon 31 Mar". */
function dayHeader(at: number): string {
  const time = utc(at);
  return `${WEEKDAY_NAMES[time.weekday - 1] ?? ''} ${time.day} ${MONTHS[time.month - 1] ?? ''}`;
}

/** "Sat 14:30"; a point at the very end of a day reads "24:00" of that day. */
function weekPoint(week: ReferenceWeek, at: number, isEnd: boolean): string {
  const offset = at - week.start;
  let day = Math.floor(offset / DAY_MS);
  let minute = Math.round((offset - day * DAY_MS) / MINUTE_MS);
  if (isEnd && minute === 0 && day > 0) {
    day -= 1;
    minute = 1440;
  }
  return `${WEEKDAY_NAMES[day] ?? ''} ${formatMinuteOfDay(minute)}`;
}

const minuteMark = (minute: number): string => `:${String(minute).padStart(2, '0')}`;

function rangeWords(range: MinuteRange): string {
  if (range.from === 0) return `until ${minuteMark(range.to)}`;
  if (range.to === 60) return `from ${minuteMark(range.from)}`;
  return `${minuteMark(range.from)}–${minuteMark(range.to)}`;
}

function coverageCell(value: CoverageCell): Cell {
  const first = value.uncovered[0];
  if (value.present.length === 0 || (first && first.from === 0 && first.to === 60))
    return cell(rich('gap'), 'gap');
  const people = value.present
    .map(({ contact, ranges }) => {
      const whole = ranges.length === 1 && ranges[0]?.from === 0 && ranges[0].to === 60;
      return whole ? contact.name : `${contact.name} (${ranges.map(rangeWords).join(', ')})`;
    })
    .join(', ');
  if (value.uncovered.length === 0) return cell(rich(people));
  const gaps = value.uncovered.map((range) => `${minuteMark(range.from)}–${minuteMark(range.to)}`).join(', ');
  return cell(rich(people, ' · ', bold(`gap ${gaps}`)), 'partial');
}

const HOUR_MS = 60 * MINUTE_MS;

/** The cell that holds the moment the page describes gets "now" in front, and is marked in HTML. */
function markedNow(value: Cell): Cell {
  return { ...value, content: rich(bold('now'), ' · ', value.content), now: true };
}

function coverageTable(ctx: PlaybookContext): Block {
  const { coverage, week, generatedAt } = ctx;
  const head = [
    rich('UTC'),
    ...[0, 1, 2, 3, 4, 5, 6].map((day) => rich(dayHeader(week.start + day * DAY_MS))),
  ];
  const nowDay = Math.floor((generatedAt - week.start) / DAY_MS);
  const nowHour = Math.floor((generatedAt - week.start - nowDay * DAY_MS) / HOUR_MS);
  const rows = coverage.cells.map((row, hour) => [
    cell(rich(formatMinuteOfDay(hour * 60))),
    ...row.map((value, day) =>
      day === nowDay && hour === nowHour ? markedNow(coverageCell(value)) : coverageCell(value),
    ),
  ]);
  return { kind: 'table', head, rows, rowHeaders: true, dense: true };
}

function gapBlocks(ctx: PlaybookContext): Block[] {
  const { coverage, week, config } = ctx;
  if (coverage.contacts.length === 0) {
    return [
      paragraph(rich(bold('Nobody is on call:'), ' no contact has a tier and a handle to page them by.')),
    ];
  }
  if (coverage.gaps.length === 0) {
    return [paragraph(rich('Somebody on call is awake at every moment of this week.'))];
  }
  const policy = defaultPolicy(config);
  return [
    paragraph(rich(bold('Gaps this week'), ' (UTC), when nobody on call is awake:')),
    bulletList(
      coverage.gaps.map((gap) =>
        rich(
          `${weekPoint(week, gap.start, false)} – ${weekPoint(week, gap.end, true)} (${formatDuration(gap.end - gap.start)})`,
        ),
      ),
    ),
    paragraph(
      rich(
        policy
          ? `In a gap, ${nobodyAwakeWords(policy.nobodyAwake)}. They may be asleep: post what you know in the channel, and be patient.`
          : 'In a gap, pages may reach nobody who is awake. Post what you know in the channel, and be patient.',
      ),
    ),
  ];
}

function zoneRows(config: Config, week: ReferenceWeek): Cell[][] {
  const zones = [...new Set(config.contacts.map((contact) => contact.timezone))].sort();
  return zones.map((name) => {
    const zone = zoneOf(name);
    const people = config.contacts
      .filter((contact) => contact.timezone === name)
      .map((contact) => contact.name);
    const inWeek = offsetChanges(zone, week.start, week.end);
    let offsets = formatOffset(offsetAt(zone, week.start));
    for (const change of inWeek) {
      offsets += `, then ${formatOffset(change.toMinutes)} from ${weekPoint(week, change.at, false)} UTC`;
    }
    const next = offsetChanges(zone, week.end, week.end + 370 * DAY_MS)[0];
    const nextText = next
      ? `${utc(next.at).toFormat('yyyy-MM-dd HH:mm')} UTC, to ${formatOffset(next.toMinutes)}`
      : 'none (no daylight saving time)';
    return [cell(rich(name)), cell(rich(nameList(people))), cell(rich(offsets)), cell(rich(nextText))];
  });
}

export function coverageSection(ctx: PlaybookContext): Section {
  const { week, config } = ctx;
  return {
    id: 'coverage',
    title: 'Coverage',
    blocks: [
      paragraph(
        rich(
          `Who on call is awake, hour by hour in UTC, for ${weekLabel(week)}: the week this play book was generated in. Daylight saving time moves people's hours against UTC, so other weeks can differ by an hour; the timezones below say when. Only contacts with a tier are paged, so only they are counted.`,
        ),
      ),
      paragraph(
        rich(
          'A name alone: awake the whole hour. "(from :30)", "(until :30)": part of it. ',
          bold('gap'),
          ': nobody on call is awake then. ',
          bold('now'),
          ': the hour this page was made in.',
        ),
      ),
      coverageTable(ctx),
      ...gapBlocks(ctx),
      paragraph(rich(bold('Timezones'))),
      {
        kind: 'table',
        head: [rich('Timezone'), rich('Who'), rich('Offset this week'), rich('Next change after this week')],
        rows: zoneRows(config, week),
        rowHeaders: true,
      },
    ],
  };
}
