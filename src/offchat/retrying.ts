/**
 * The retry loop the ways off chat share: an attempt either settles the delivery (the far side took it, or
 * said no for good) or is transient (a 429, a 5xx, a timeout, a refused connection) and is tried again with
 * the same delivery id, after a delay that doubles up to a ceiling (or the server's Retry-After), for as
 * long as the channel runs. A stop settles what waits as `abandoned`: it stays pending for the next start.
 */
import type { Clock } from '../core/clock.js';
import type { DeliveryOutcome } from '../core/delivery.js';

export type Attempt =
  | { readonly kind: 'settled'; readonly outcome: DeliveryOutcome }
  /** `afterMs`: the server said when to come back (Retry-After); else the doubling delay applies. */
  | { readonly kind: 'transient'; readonly reason: string; readonly afterMs?: number };

export interface RetryPolicy {
  /** First delay after a transient failure. */
  readonly firstMs: number;
  /** Ceiling of the doubling delay (and of a server's Retry-After). */
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstMs: 1_000, maxMs: 60_000 };

export class RetryLoop {
  private stopped = false;
  private readonly waiting = new Set<() => void>();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly clock: Clock,
    private readonly onTransient: (reason: string, attempt: number, delayMs: number) => void,
  ) {}

  /** Runs `attempt(signal)` until it settles or the loop stops; the signal aborts when the loop stops. */
  async run(
    attempt: (signal: AbortSignal) => Promise<Attempt>,
    stopSignal: AbortSignal,
  ): Promise<DeliveryOutcome> {
    let delay = this.policy.firstMs;
    for (let count = 1; ; count += 1) {
      if (this.stopped) return this.abandoned();
      const result = await attempt(stopSignal);
      if (result.kind === 'settled') return result.outcome;
      if (this.stopped) return this.abandoned();
      // A Retry-After of 0, or a date our clock has passed, must not make a tight loop of a rate limit.
      const wait = Math.min(Math.max(result.afterMs ?? delay, this.policy.firstMs), this.policy.maxMs);
      this.onTransient(result.reason, count, wait);
      await this.sleep(wait);
      delay = Math.min(delay * 2, this.policy.maxMs);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const wake of this.waiting) wake();
    this.waiting.clear();
  }

  private abandoned(): DeliveryOutcome {
    return {
      status: 'abandoned',
      at: this.clock.now(),
      reason: 'the channel stopped before the far side took it',
    };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.clock.clearTimeout(timer);
        this.waiting.delete(wake);
        resolve();
      };
      const timer = this.clock.setTimeout(wake, ms);
      this.waiting.add(wake);
    });
  }
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
