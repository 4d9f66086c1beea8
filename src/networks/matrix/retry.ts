/**
 * Every request the Matrix adapter makes outside the outgoing scheduler (joins, leaves, invite answers,
 * alias and room lookups, state reads, account data, the client's start) goes through `Retrier.run`, so
 * each survives rate limits and server trouble the same way: the policy is `retryWaitMs` (failures.ts),
 * the waits run on the injected clock and end when the adapter stops, and every request is bounded: by a
 * deadline where the caller needs an answer, else by the adapter's life.
 *
 * The homeserver's event rate limit (Synapse's `rc_message`: messages, state events, redactions) is one
 * budget for the whole account, so a 429 on any event-sending request shuts the `RateLimitGate` for as
 * long as the server asked, and every event-sending request (the scheduler's and the retrier's) waits for
 * it to open rather than meet the same 429 again.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import {
  classify,
  GaveUpError,
  httpStatus,
  retryWaitMs,
  StoppedError,
  type RetryTuning,
} from './failures.js';
import type { Sleeper } from './sleeper.js';

export class RateLimitGate {
  private openAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sleeper: Sleeper,
  ) {}

  /** The homeserver refused an event for `ms`: nobody sends one until then. */
  shut(ms: number): void {
    this.openAt = Math.max(this.openAt, this.clock.now() + ms);
  }

  /** How long it stays shut (0 when open). */
  remainingMs(): number {
    return Math.max(0, this.openAt - this.clock.now());
  }

  /** Resolves true once open; false if the adapter stopped meanwhile. */
  async passed(): Promise<boolean> {
    for (let left = this.remainingMs(); left > 0; left = this.remainingMs())
      if (!(await this.sleeper.sleep(left))) return false;
    return true;
  }
}

export interface RetryOptions {
  /** What is asked, for the log: "join #infra:example.org". */
  readonly what: string;
  /** Harmless to repeat after an answer was lost (GET, PUT with a transaction id, join, leave). */
  readonly idempotent: boolean;
  /** Gives up (GaveUpError) once the next try would start later than this after the first; none: until stopped. */
  readonly deadlineMs?: number;
  /** Counts against the homeserver's event rate limit: waits for the gate, and a 429 shuts it. */
  readonly sendsEvent?: boolean;
  /**
   * Retries only what the homeserver answered (429, 5xx); no answer at all fails at once, for a caller
   * that has its own, longer backoff for a server that is down (the adapter's connect loop).
   */
  readonly answeredOnly?: boolean;
}

/** A bounded, idempotent request someone is waiting for (a lookup): `Retrier.lookup`. */
export type Lookup = <T>(what: string, request: () => Promise<T>) => Promise<T>;

export interface RetrierDeps {
  readonly clock: Clock;
  readonly sleeper: Sleeper;
  readonly logger: Logger;
  readonly tuning: RetryTuning;
  readonly gate: RateLimitGate;
}

export class Retrier {
  constructor(private readonly deps: RetrierDeps) {}

  /** Retries an idempotent request for at most `deadlineMs`. */
  lookup(deadlineMs: number, answeredOnly = false): Lookup {
    return (what, request) => this.run({ what, idempotent: true, deadlineMs, answeredOnly }, request);
  }

  /**
   * Runs `request` until it succeeds. Rejects with the request's own error when retrying cannot help
   * (403, 404, a bad request, or a server error on a request that is not idempotent), with GaveUpError
   * past the deadline, and with StoppedError when the adapter stops.
   */
  async run<T>(options: RetryOptions, request: () => Promise<T>): Promise<T> {
    const { clock, sleeper, gate, logger, tuning } = this.deps;
    const started = clock.now();
    let transient = 0;
    for (let attempt = 1; ; attempt += 1) {
      if (options.sendsEvent && !(await gate.passed())) throw new StoppedError();
      let error: unknown;
      try {
        return await request();
      } catch (caught) {
        error = caught;
      }
      const failure = classify(error);
      if (failure.kind === 'stopped') throw error;
      if (options.answeredOnly && httpStatus(error) === undefined) throw error;
      const wait = retryWaitMs(failure, transient, options.idempotent, tuning);
      if (wait === undefined) throw error;
      if (failure.kind === 'transient') transient += 1;
      const elapsed = clock.now() - started;
      if (options.deadlineMs !== undefined && elapsed + wait > options.deadlineMs)
        throw new GaveUpError(options.what, attempt, elapsed, error);
      if (failure.kind === 'rate-limited') {
        if (options.sendsEvent) gate.shut(wait);
        logger.debug({ what: options.what, waitMs: wait }, 'rate-limited; trying again');
      } else if (transient === 1 || transient % 10 === 0)
        logger.warn(
          { what: options.what, detail: failure.detail, failures: transient, waitMs: wait },
          'a request to the homeserver failed; trying again',
        );
      const slept =
        options.sendsEvent && failure.kind === 'rate-limited' ? gate.passed() : sleeper.sleep(wait);
      if (!(await slept)) throw new StoppedError();
    }
  }
}
