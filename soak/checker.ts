/**
 * The soak's judge: compares what the incidents' policies demanded (announcements, pages per tier at their
 * due times, prompts) with what firebell actually put on the wire, and says which promise broke.
 *
 * Pure: no clock, no I/O. The runner records the wire through the taps, attributes each recorded line to the
 * demand it fulfils (or marks it as a reply to a command), and hands both lists here.
 */

export type DemandKind = 'announcement' | 'page' | 'prompt';

/** Something a policy asked for: one message on one network, due at a time (ms since epoch). */
export interface Demand {
  readonly id: string;
  readonly kind: DemandKind;
  readonly network: string;
  readonly dueAt: number;
  /** The fault the run was injecting around this demand ('none' for a quiet stretch): the table's row. */
  readonly fault: string;
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
}

/** A privileged command sent by a user who is not verified: `effect` on the wire after `sentAt` means it was obeyed. */
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
}

export interface Violation {
  readonly promise:
    | 'lost'
    | 'duplicated'
    | 'late'
    | 'crash'
    | 'sent but no policy asked'
    | 'privileged command obeyed from unverified user'
    | 'control character relayed';
  readonly detail: string;
}

export interface CheckReport {
  readonly rows: readonly FaultRow[];
  readonly violations: readonly Violation[];
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
}

function emptyTally(): RowTally {
  return { count: 0, lost: 0, duplicated: 0, late: 0, delays: [], crashes: 0 };
}

export function check(input: CheckInput): CheckReport {
  const violations: Violation[] = [];
  const tallies = new Map<string, RowTally>();
  const tally = (fault: string): RowTally => {
    let row = tallies.get(fault);
    if (!row) tallies.set(fault, (row = emptyTally()));
    return row;
  };

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
    if (seen.length > 1) {
      row.duplicated += 1;
      violations.push({
        promise: 'duplicated',
        detail: `${demand.kind} ${demand.id} on ${demand.network} sent ${seen.length} times (${demand.fault})`,
      });
    }
    const delay = Math.max(0, first.at - demand.dueAt);
    row.delays.push(delay);
    if (delay > input.lateAfterMs[demand.kind]) {
      row.late += 1;
      violations.push({
        promise: 'late',
        detail: `${demand.kind} ${demand.id} on ${demand.network} ${delay} ms after due (${demand.fault})`,
      });
    }
  }

  for (const [fault, runs] of Object.entries(input.exercised ?? {})) tally(fault).count += runs;

  for (const crash of input.crashes ?? []) {
    tally(crash.fault).crashes += 1;
    violations.push({ promise: 'crash', detail: `${crash.fault} at ${crash.at}: ${crash.detail}` });
  }

  for (const command of input.forbidden ?? []) {
    const obeyed = input.wire.find((line) => line.at >= command.sentAt && line.text.includes(command.effect));
    if (obeyed) {
      violations.push({
        promise: 'privileged command obeyed from unverified user',
        detail: `${command.id}: ${JSON.stringify(obeyed.text.slice(0, 120))}`,
      });
    }
  }

  for (const line of input.wire) {
    if (/[\r\n\0]/.test(line.text)) {
      violations.push({
        promise: 'control character relayed',
        detail: `${line.network}: CR, LF or NUL inside one line`,
      });
    }
    for (const hostile of input.hostile ?? []) {
      if (hostile.injected !== '' && line.text.includes(hostile.token + hostile.injected)) {
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
      };
    });
  return { rows, violations };
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
  for (const promise of [
    'sent but no policy asked',
    'privileged command obeyed from unverified user',
    'control character relayed',
  ] as const) {
    lines.push(`${promise}: ${counts.get(promise) ?? 0}`);
  }
  for (const violation of report.violations.slice(0, maxViolations)) {
    lines.push(`BROKEN ${violation.promise}: ${violation.detail}`);
  }
  if (report.violations.length > maxViolations) {
    lines.push(`... and ${report.violations.length - maxViolations} more`);
  }
  return lines.join('\n');
}
