/**
 * Exponential backoff with jitter for reconnects and rejoins: the n-th wait is drawn from
 * [base/2, base] with base = initial·2ⁿ capped at `maxMs`, and never below `initialMs`. With the defaults
 * the waits run 1 s, 1–2 s, 2–4 s … up to 2.5–5 min, forever. Pure: the random source is injected.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Returns a number in [0, 1); tests pass a constant. */
  readonly random?: () => number;
}

export class Backoff {
  private failures = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** How many waits were handed out since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The next wait in milliseconds. */
  next(): number {
    const { initialMs, maxMs } = this.options;
    // Cap the exponent so 2ⁿ never overflows after weeks of failures.
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    const jittered = base / 2 + (this.random() * base) / 2;
    return Math.round(Math.min(maxMs, Math.max(initialMs, jittered)));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** The reconnect schedule the IRC adapter uses: 1 s to 5 min. */
export const reconnectBackoff = (random?: () => number): Backoff =>
  new Backoff(random ? { initialMs: 1000, maxMs: 300_000, random } : { initialMs: 1000, maxMs: 300_000 });
