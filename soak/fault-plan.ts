/**
 * The soak's schedule of faults, drawn from the seeded generator before anything runs, so the printed
 * seed repeats the same faults in the same order (their moments still fall where the running system is).
 */
import type { Random } from './random.js';

export const FAULT_KINDS = [
  /** SIGKILL a few milliseconds after a declaration was said (its commit may or may not have happened). */
  'sigkill-after-command',
  /** SIGKILL at a tier's due time, give or take a few tens of milliseconds. */
  'sigkill-at-due',
  /** SIGKILL while a burst of pages, all due together, waits in the outbox behind IRC pacing. */
  'sigkill-outbox',
  /** SIGKILL at a random moment. */
  'sigkill-random',
  /** A graceful stop: queued lines go out within the grace, nothing is repeated. */
  'sigterm',
  /** The IRC server killed, down for a few seconds, started again. */
  'irc-server-kill',
  /** The IRC server frozen (SIGSTOP) for a few seconds, then resumed (SIGCONT). */
  'irc-server-stall',
  /** A burst of the bot's sends answered 429 M_LIMIT_EXCEEDED with `retry_after_ms`. */
  'matrix-429',
  /** A burst of 429s that do not say how long to wait. */
  'matrix-429-bare',
  /** A burst of the bot's sends and syncs answered 500. */
  'matrix-500',
  /** A burst of the bot's requests answered only after a second or more. */
  'matrix-slow',
  /** A burst of sends that take effect, whose answer never comes (the connection cut, as a timeout). */
  'matrix-timeout',
  /** The store's files may not grow (RLIMIT_FSIZE at their size) for a few seconds, then may again. */
  'disk-full',
  /**
   * Two instances on PostgreSQL: the active one frozen (SIGSTOP) until the standby took over its lapsed
   * lease, then resumed (SIGCONT): fenced, it must say nothing it decided after, and exit.
   */
  'sigstop-past-lease',
  /** A contact acknowledges an announced incident from Matrix (`!ack N`): its later tiers are not paged. */
  'ack',
  /** The same, then SIGKILL 0-40 ms after (the ack's commit may or may not have happened). */
  'ack-then-sigkill',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultStep {
  readonly kind: FaultKind;
  /** Quiet time before the fault, ms. */
  readonly pauseMs: number;
  /** Incidents declared before the pause (0-2), in which groups (indexes). */
  readonly declare: readonly number[];
  /** The fault's own random moment or length, ms (meaning depends on the kind). */
  readonly jitterMs: number;
  /** How many requests a Matrix fault answers badly (0 for the others). */
  readonly burst: number;
}

export type FaultCounts = Readonly<Record<FaultKind, number>>;

/**
 * One of each process and IRC fault, and a few of the Matrix and store ones: the quick run must fit in
 * CI's 150 s, and a restart costs 3-8 s on a loaded machine.
 */
export const QUICK_FAULTS: FaultCounts = {
  'sigkill-after-command': 1,
  'sigkill-at-due': 1,
  'sigkill-outbox': 1,
  'sigkill-random': 1,
  sigterm: 1,
  'irc-server-kill': 1,
  'irc-server-stall': 1,
  'matrix-429': 1,
  'matrix-429-bare': 0,
  'matrix-500': 1,
  'matrix-slow': 0,
  'matrix-timeout': 1,
  'disk-full': 1,
  'sigstop-past-lease': 0,
  ack: 1,
  'ack-then-sigkill': 0,
};

/** At least 100 SIGKILLs, as issue 17 asks. */
export const FULL_FAULTS: FaultCounts = {
  'sigkill-after-command': 30,
  'sigkill-at-due': 30,
  'sigkill-outbox': 22,
  'sigkill-random': 20,
  sigterm: 10,
  'irc-server-kill': 8,
  'irc-server-stall': 8,
  'matrix-429': 10,
  'matrix-429-bare': 6,
  'matrix-500': 10,
  'matrix-slow': 6,
  'matrix-timeout': 10,
  'disk-full': 8,
  'sigstop-past-lease': 0,
  ack: 10,
  'ack-then-sigkill': 10,
};

/**
 * The two-instance stage beside the others, in CI: one SIGKILL of the active and one pause, within
 * about 20 s more than the quick soak took without it.
 */
export const PAIR_QUICK_FAULTS: FaultCounts = {
  ...Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])),
  'sigkill-at-due': 1,
  'sigstop-past-lease': 1,
  'ack-then-sigkill': 1,
} as FaultCounts;

/** Faults of the active instance (no full disk: PostgreSQL's disk is the server's), and the networks'. */
export const PAIR_FULL_FAULTS: FaultCounts = {
  'sigkill-after-command': 6,
  'sigkill-at-due': 6,
  'sigkill-outbox': 4,
  'sigkill-random': 4,
  sigterm: 5,
  'irc-server-kill': 3,
  'irc-server-stall': 3,
  'matrix-429': 2,
  'matrix-429-bare': 1,
  'matrix-500': 2,
  'matrix-slow': 1,
  'matrix-timeout': 2,
  'disk-full': 0,
  'sigstop-past-lease': 10,
  ack: 3,
  'ack-then-sigkill': 5,
};

export const isSigkill = (kind: FaultKind): boolean =>
  kind.startsWith('sigkill') || kind === 'ack-then-sigkill';
export const isMatrixFault = (kind: FaultKind): boolean => kind.startsWith('matrix-');

function jitterFor(random: Random, kind: FaultKind): number {
  switch (kind) {
    case 'sigkill-after-command':
    case 'ack-then-sigkill':
      return random.below(40);
    case 'sigkill-at-due':
      return random.below(81) - 40;
    case 'sigkill-outbox':
      return 30 + random.below(400);
    case 'irc-server-kill':
      return 1_000 + random.below(2_500);
    case 'irc-server-stall':
      return 1_500 + random.below(3_000);
    case 'matrix-429':
      // The wait each 429 asks for.
      return 200 + random.below(1_300);
    case 'matrix-slow':
      // How late each answer comes (firebell's own request timeout is 30 s).
      return 1_000 + random.below(2_500);
    case 'disk-full':
      // How long the store's files may not grow.
      return 1_500 + random.below(2_500);
    case 'sigstop-past-lease':
      // How long the paused instance stays frozen after the standby took over.
      return random.below(1_500);
    default:
      return random.below(2_000);
  }
}

/** Every fault of `counts` once, in a seeded order, each with its pause, declarations and jitter. */
export function planFaults(random: Random, counts: FaultCounts, groups: number): FaultStep[] {
  const kinds: FaultKind[] = [];
  for (const kind of FAULT_KINDS) for (let n = 0; n < counts[kind]; n += 1) kinds.push(kind);
  for (let index = kinds.length - 1; index > 0; index -= 1) {
    const other = random.below(index + 1);
    [kinds[index], kinds[other]] = [kinds[other] as FaultKind, kinds[index] as FaultKind];
  }
  return kinds.map((kind) => ({
    kind,
    pauseMs: 300 + random.below(2_000),
    declare: Array.from({ length: random.below(3) }, () => random.below(groups)),
    jitterMs: jitterFor(random, kind),
    burst: isMatrixFault(kind) ? 2 + random.below(6) : 0,
  }));
}
