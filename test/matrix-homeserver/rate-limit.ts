/**
 * A per-user event rate limit the way Synapse's `rc_message` works (synapse/api/ratelimiting.py): a
 * leaky bucket per user that holds `burst` actions and drains at `perSecond`; an action that would
 * overflow it is refused, without counting, with the time until one more fits. Synapse's defaults are
 * 0.2/s with a burst of 10 (one message every 5 s once the burst is spent); tests configure their own.
 * Synapse applies it to events a user creates (messages, state events, redactions) and waits
 * `pauseMs` before answering a refusal, so that clients cannot spin on it.
 */
export interface RateLimitConfig {
  readonly perSecond: number;
  readonly burst: number;
  /** Users exempt from it (Synapse's `override_ratelimit` with zeros, or an appservice). */
  readonly exempt?: readonly string[];
  /** How long a refusal is held before it is sent. Synapse: 500 ms. */
  readonly pauseMs?: number;
}

export const SYNAPSE_RC_MESSAGE: RateLimitConfig = { perSecond: 0.2, burst: 10, pauseMs: 500 };

interface Bucket {
  /** Actions counted since `since`, before draining. */
  count: number;
  /** When the bucket was last empty (seconds). */
  since: number;
}

export class EventRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly config: RateLimitConfig,
    private readonly nowMs: () => number,
  ) {}

  /** Counts one action for `userId` and returns 0, or refuses it and returns the ms until it would fit. */
  take(userId: string): number {
    const { perSecond, burst, exempt = [] } = this.config;
    if (exempt.includes(userId) || perSecond <= 0) return 0;
    const now = this.nowMs() / 1000;
    const bucket = this.buckets.get(userId) ?? { count: 0, since: now };
    const level = bucket.count - (now - bucket.since) * perSecond;
    if (level <= 0) {
      bucket.count = 0;
      bucket.since = now;
    }
    const allowed = Math.max(0, level) <= burst - 1;
    if (allowed) bucket.count += 1;
    this.buckets.set(userId, bucket);
    if (allowed) return 0;
    // The moment the bucket has drained enough for one more action.
    const at = bucket.since + (bucket.count - burst + 1) / perSecond;
    return Math.max(0, Math.floor((at - now) * 1000));
  }
}
