/**
 * The soak's judge: compares what the incidents' policies demanded (announcements, pages per tier at their
 * due times, prompts) with what firebell actually put on the wire, and says which promise broke.
 *
 * Pure: no clock, no I/O. The runner records the wire through the taps, attributes each recorded line to the
 * demand it fulfils (or marks it as a reply to a command), and hands both lists here.
 */
import { pacedLines, pacedSlots } from './paced-lines.js';

export type DemandKind = 'announcement' | 'page' | 'prompt';

/** Something a policy asked for: one message on one network, due at a time (ms since epoch). */
export interface Demand {
  readonly id: string;
  readonly kind: DemandKind;
  readonly network: string;
  readonly dueAt: number;
  /** The fault the run was injecting around this demand ('none' for a quiet stretch): the table's row. */
  readonly fault: string;
  /** When the transition that asks for it happened, as the store records it (when the store has it). */
  readonly storedAt?: number;
}

/** One line or event firebell wrote, as a tap recorded it. */
export interface WireLine {
  readonly network: string;
  readonly at: number;
  readonly text: string;
  /** The demand this line fulfils, when the runner recognised one. */
  readonly demandId?: string;
  /** A direct answer to a command someone typed: allowed without a policy. */
  readonly reply?: boolean;
  /** A message that may span lines (a Matrix body): LF is allowed in it, CR and NUL are not. */
  readonly multiLine?: boolean;
  /**
   * The lane the line took a pacing slot in, when it is firebell's own word: pages `urgent`; announcements,
   * prompts and other notices `normal` (an answer is urgent, but counting it as normal can only make
   * the judgement of a page stricter). Relayed chat and protocol lines have none.
   */
  readonly lane?: 'urgent' | 'normal';
  /** Which connection wrote it (`irc#3`), for a message said in chat: the fencing rule's evidence. */
  readonly from?: string;
}

/**
 * An instance paused (SIGSTOP) past its lease while another took over, then resumed (SIGCONT): its
 * connections (`from` of WireLine) must say nothing after the resume but what it had committed before the
 * pause (docs/deployment.md: such a line may still go out, as the network's one repeat).
 */
export interface Fenced {
  readonly from: readonly string[];
  readonly pausedAt: number;
  readonly resumedAt: number;
}

/**
 * A privileged command sent by a user who is not verified: `effect` on the wire after `sentAt` (IRC
 * formatting codes aside) means it was obeyed.
 */
export interface ForbiddenCommand {
  readonly id: string;
  readonly sentAt: number;
  readonly effect: string;
}

/** A hostile chat line: `token` followed by `injected` control characters; the pair on the wire is a relay. */
export interface HostileLine {
  readonly token: string;
  readonly injected: string;
}

/** A firebell exit the harness did not cause (a crash), attributed to the fault running at the time. */
export interface Crash {
  readonly fault: string;
  readonly at: number;
  readonly detail: string;
}

export interface CheckInput {
  readonly demands: readonly Demand[];
  readonly wire: readonly WireLine[];
  readonly forbidden?: readonly ForbiddenCommand[];
  readonly hostile?: readonly HostileLine[];
  readonly crashes?: readonly Crash[];
  /** Runs of a fault that demand no delivery (a mutated configuration checked): counted in its row. */
  readonly exercised?: Readonly<Record<string, number>>;
  /** How long after its due time a delivery may arrive before it counts as late, per kind. */
  readonly lateAfterMs: Readonly<Record<DemandKind, number>>;
  /**
   * Networks whose documented rule allows one repeat per crash (IRC: a line whose confirmation was not
   * committed is written again once after a crash), with the times the harness crashed firebell. A copy
   * counts as such a repeat when a crash lies between it and the copy before it; any other copy is a
   * duplicate. A crash that lasts (an instance paused, then resumed, while another took over) is an
   * interval: it allows one repeat for copies on either side of any part of it, once.
   */
  readonly repeatAfterCrash?: Readonly<Record<string, ReadonlyArray<number | Interval>>>;
  /**
   * Per network, the stretches when firebell could not write to it (killed and not yet back, the server
   * down or frozen). How late a delivery was counts only the time the network could be written to: a
   * restart's own length is the fault, not a late page.
   */
  readonly outages?: Readonly<Record<string, readonly Interval[]>>;
  /**
   * The stretches when the store refused every write (a full disk), from its first failed commit to the
   * first that succeeded again. A transition that happened inside one was committed at its end at the
   * earliest, so a copy of its demand on the wire before that end was said before it was stored.
   */
  readonly storeDown?: readonly StoreDown[];
  /**
   * Per paced network, the slot one line takes at the configured rate (ms). A line due while firebell
   * writes lines at least as urgent, one slot after another, waits its turn by the lanes' rule: those
   * slots are not counted in how late it was (only in `queuedBehind`). A line held back while the wire was
   * idle, or behind less urgent lines, is still late.
   */
  readonly pacingMs?: Readonly<Record<string, number>>;
  /** Instances fenced by a takeover while paused: what they said after their resume. */
  readonly fenced?: readonly Fenced[];
}

export interface Interval {
  readonly from: number;
  readonly to: number;
}

/** A stretch when a store refused writes; with `networks`, only the demands on those are its store's. */
export interface StoreDown extends Interval {
  readonly networks?: readonly string[];
}

/** How much of [from, to] the intervals cover (overlapping intervals counted once). */
export function covered(intervals: readonly Interval[], from: number, to: number): number {
  let total = 0;
  let reached = from;
  for (const interval of [...intervals].sort((a, b) => a.from - b.from)) {
    const start = Math.max(interval.from, reached);
    const end = Math.min(interval.to, to);
    if (end > start) {
      total += end - start;
      reached = end;
    }
  }
  return total;
}

export interface FaultRow {
  readonly fault: string;
  readonly count: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly late: number;
  readonly lateP50Ms: number | undefined;
  readonly lateP99Ms: number | undefined;
  readonly crashes: number;
  /** Copies written again once after a crash, as the network's rule allows: counted, not broken. */
  readonly repeatedAfterCrash: number;
}

export interface Violation {
  readonly promise:
    | 'lost'
    | 'duplicated'
    | 'late'
    | 'crash'
    | 'sent but no policy asked'
    | 'privileged command obeyed from unverified user'
    | 'control character relayed'
    | 'said before stored'
    | 'said by a fenced instance';
  readonly detail: string;
}

export interface CheckReport {
  readonly rows: readonly FaultRow[];
  readonly violations: readonly Violation[];
  /** Per demand that waited behind lines at least as urgent at the network's pacing: how long (ms). */
  readonly queuedBehind: readonly number[];
}

/** Nearest-rank percentile of an ascending list; undefined for an empty list. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

interface RowTally {
  count: number;
  lost: number;
  duplicated: number;
  late: number;
  delays: number[];
  crashes: number;
  repeatedAfterCrash: number;
}

function emptyTally(): RowTally {
  return { count: 0, lost: 0, duplicated: 0, late: 0, delays: [], crashes: 0, repeatedAfterCrash: 0 };
}

/** IRC formatting codes (bold, colour, italics, reset...): a rendered line compared as the reader sees it. */
const IRC_FORMATTING = /\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g;

export function withoutFormatting(text: string): string {
  return text.replace(IRC_FORMATTING, '');
}

/**
 * How many of the copies after the first the network's crash rule allows: one per crash between copies,
 * each crash allowing one (a pause that lasts may overlap the gaps on both sides of a middle copy).
 */
function allowedRepeats(
  copies: readonly WireLine[],
  crashes: ReadonlyArray<number | Interval> | undefined,
): number {
  if (!crashes) return 0;
  const unused = crashes.map((crash) => (typeof crash === 'number' ? { from: crash, to: crash } : crash));
  let allowed = 0;
  for (let index = 1; index < copies.length; index += 1) {
    const before = copies[index - 1]?.at ?? 0;
    const at = copies[index]?.at ?? 0;
    const crash = unused.findIndex((span) => span.from <= at && span.to >= before);
    if (crash === -1) continue;
    unused.splice(crash, 1);
    allowed += 1;
  }
  return allowed;
}

/**
 * What fenced instances said after their resume: broken promises all (an instance asks its lease before
 * every line, lease.ts), a reply or a relayed line as much as its words about an incident, but for one of
 * those whose transition was stored before the pause, which it may have handed to the kernel's socket
 * before it: the repeat rule judges that one.
 */
function fencedLines(input: CheckInput): Violation[] {
  const storedAt = new Map(input.demands.map((demand) => [demand.id, demand.storedAt]));
  const violations: Violation[] = [];
  for (const fenced of input.fenced ?? []) {
    for (const line of input.wire) {
      if (line.from === undefined || !fenced.from.includes(line.from) || line.at < fenced.resumedAt) continue;
      const detail =
        `${line.network} ${line.from} at ${line.at}, ${line.at - fenced.resumedAt} ms after its resume ` +
        `(paused at ${fenced.pausedAt}): ${JSON.stringify(line.text.slice(0, 120))}`;
      const stored = line.demandId === undefined ? undefined : storedAt.get(line.demandId);
      if (stored === undefined || stored >= fenced.pausedAt)
        violations.push({ promise: 'said by a fenced instance', detail });
    }
  }
  return violations;
}

export function check(input: CheckInput): CheckReport {
  const violations: Violation[] = [];
  const tallies = new Map<string, RowTally>();
  const tally = (fault: string): RowTally => {
    let row = tallies.get(fault);
    if (!row) tallies.set(fault, (row = emptyTally()));
    return row;
  };

  const paced = pacedLines(input);
  const queuedBehind: number[] = [];
  const deliveries = new Map<string, WireLine[]>();
  const demanded = new Map(input.demands.map((demand) => [demand.id, demand]));
  for (const line of input.wire) {
    const demand = line.demandId === undefined ? undefined : demanded.get(line.demandId);
    if (demand && demand.network === line.network) {
      const list = deliveries.get(demand.id) ?? [];
      list.push(line);
      deliveries.set(demand.id, list);
    } else if (!line.reply) {
      violations.push({
        promise: 'sent but no policy asked',
        detail: `${line.network} at ${line.at}: ${JSON.stringify(line.text.slice(0, 120))}`,
      });
    }
  }

  for (const demand of input.demands) {
    const row = tally(demand.fault);
    row.count += 1;
    const seen = (deliveries.get(demand.id) ?? []).slice().sort((a, b) => a.at - b.at);
    const first = seen[0];
    if (!first) {
      row.lost += 1;
      violations.push({
        promise: 'lost',
        detail: `${demand.kind} ${demand.id} on ${demand.network} (${demand.fault})`,
      });
      continue;
    }
    const repeats = allowedRepeats(seen, input.repeatAfterCrash?.[demand.network]);
    row.repeatedAfterCrash += repeats;
    if (seen.length - repeats > 1) {
      row.duplicated += 1;
      violations.push({
        promise: 'duplicated',
        detail:
          `${demand.kind} ${demand.id} on ${demand.network} sent ${seen.length} times` +
          `${repeats > 0 ? ` (${repeats} after a crash)` : ''} (${demand.fault})`,
      });
    }
    const storedAt = demand.storedAt;
    const refused =
      storedAt === undefined
        ? undefined
        : input.storeDown?.find(
            (interval) =>
              interval.from <= storedAt &&
              storedAt < interval.to &&
              (interval.networks === undefined || interval.networks.includes(demand.network)),
          );
    const early = refused && seen.find((copy) => copy.at < refused.to);
    if (refused && early) {
      violations.push({
        promise: 'said before stored',
        detail:
          `${demand.kind} ${demand.id} on ${demand.network} at ${early.at}, ${refused.to - early.at} ms before ` +
          `the store took any write again (${demand.fault})`,
      });
    }
    const outages = input.outages?.[demand.network] ?? [];
    const slots = pacedSlots(paced, demand, first);
    const down = covered(outages, demand.dueAt, first.at);
    const excused = covered([...outages, ...slots], demand.dueAt, first.at);
    if (excused > down) queuedBehind.push(excused - down);
    const delay = Math.max(0, first.at - demand.dueAt - excused);
    row.delays.push(delay);
    if (delay > input.lateAfterMs[demand.kind]) {
      row.late += 1;
      violations.push({
        promise: 'late',
        detail: `${demand.kind} ${demand.id} on ${demand.network} ${delay} ms after due (${demand.fault})`,
      });
    }
  }

  violations.push(...fencedLines(input));
  for (const [fault, runs] of Object.entries(input.exercised ?? {})) tally(fault).count += runs;

  for (const crash of input.crashes ?? []) {
    tally(crash.fault).crashes += 1;
    violations.push({ promise: 'crash', detail: `${crash.fault} at ${crash.at}: ${crash.detail}` });
  }

  for (const command of input.forbidden ?? []) {
    const obeyed = input.wire.find(
      (line) => line.at >= command.sentAt && withoutFormatting(line.text).includes(command.effect),
    );
    if (obeyed) {
      violations.push({
        promise: 'privileged command obeyed from unverified user',
        detail: `${command.id}: ${JSON.stringify(obeyed.text.slice(0, 120))}`,
      });
    }
  }

  for (const line of input.wire) {
    if ((line.multiLine ? /[\r\0]/ : /[\r\n\0]/).test(line.text)) {
      violations.push({
        promise: 'control character relayed',
        detail: `${line.network}: ${line.multiLine ? 'CR or NUL inside a message' : 'CR, LF or NUL inside one line'}`,
      });
    }
    for (const hostile of input.hostile ?? []) {
      // In a Matrix message a line break is the coalescer joining IRC lines, which carries no protocol.
      const lineBreaksOnly = line.multiLine === true && /^\n+$/.test(hostile.injected);
      if (
        hostile.injected !== '' &&
        !lineBreaksOnly &&
        line.text.includes(hostile.token + hostile.injected)
      ) {
        violations.push({
          promise: 'control character relayed',
          detail: `${line.network}: ${hostile.token} followed by ${JSON.stringify(hostile.injected)}`,
        });
      }
    }
  }

  const rows = [...tallies.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([fault, row]): FaultRow => {
      const delays = row.delays.slice().sort((a, b) => a - b);
      return {
        fault,
        count: row.count,
        lost: row.lost,
        duplicated: row.duplicated,
        late: row.late,
        lateP50Ms: percentile(delays, 50),
        lateP99Ms: percentile(delays, 99),
        crashes: row.crashes,
        repeatedAfterCrash: row.repeatedAfterCrash,
      };
    });
  return { rows, violations, queuedBehind };
}

/** True when any promise broke: the soak exits non-zero. */
export function promiseBroken(report: CheckReport): boolean {
  return report.violations.length > 0;
}

function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${value} ms`;
}

/** The one table the soak prints, then one line per broken promise (capped so a flood stays readable). */
export function formatReport(report: CheckReport, maxViolations = 50): string {
  const header = ['fault', 'count', 'lost', 'duplicated', 'late', 'late p50', 'late p99', 'crashes'];
  const cells = report.rows.map((row) => [
    row.fault,
    String(row.count),
    String(row.lost),
    String(row.duplicated),
    String(row.late),
    ms(row.lateP50Ms),
    ms(row.lateP99Ms),
    String(row.crashes),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => row[column]?.length ?? 0)),
  );
  const render = (row: readonly string[]): string =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const lines = [
    render(header),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...cells.map(render),
  ];
  const counts = new Map<string, number>();
  for (const violation of report.violations)
    counts.set(violation.promise, (counts.get(violation.promise) ?? 0) + 1);
  const repeated = report.rows.reduce((sum, row) => sum + row.repeatedAfterCrash, 0);
  lines.push(`written again once after a crash (the IRC rule allows it): ${repeated}`);
  const queued = report.queuedBehind;
  lines.push(
    `waited behind lines at least as urgent at the pacing (not late): ${queued.length}` +
      (queued.length > 0 ? `, up to ${Math.max(...queued)} ms` : ''),
  );
  for (const promise of [
    'sent but no policy asked',
    'privileged command obeyed from unverified user',
    'control character relayed',
    'said before stored',
    'said by a fenced instance',
  ] as const) {
    lines.push(`${promise}: ${counts.get(promise) ?? 0}`);
  }
  // The gravest first, so a flood of late lines cannot hide a crash or a lost page past the cap.
  const gravity: readonly Violation['promise'][] = [
    'crash',
    'lost',
    'duplicated',
    'said before stored',
    'said by a fenced instance',
    'privileged command obeyed from unverified user',
    'control character relayed',
    'sent but no policy asked',
    'late',
  ];
  const ordered = [...report.violations].sort(
    (a, b) => gravity.indexOf(a.promise) - gravity.indexOf(b.promise),
  );
  for (const violation of ordered.slice(0, maxViolations)) {
    lines.push(`BROKEN ${violation.promise}: ${violation.detail}`);
  }
  if (report.violations.length > maxViolations) {
    lines.push(`... and ${report.violations.length - maxViolations} more`);
  }
  return lines.join('\n');
}
