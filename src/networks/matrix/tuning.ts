/**
 * The Matrix adapter's timings and sizes. Defaults suit production; tests shorten them.
 */
export interface MatrixTuning {
  /** /sync long-poll: how long the homeserver may hold a request open with nothing to say. */
  readonly syncTimeoutMs: number;
  /** Timeline events per room per sync (the filter's `room.timeline.limit`). */
  readonly timelineLimit: number;
  /** Backoff for sync and send failures: base · 2^attempt, capped. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Wait after a 429 that does not say how long, and the cap on one that does. */
  readonly defaultRateLimitMs: number;
  readonly maxRetryAfterMs: number;
  /** HTTP timeout of one send. */
  readonly requestTimeoutMs: number;
  /** Event requests in flight at once, across rooms (never two for one room). */
  readonly sendConcurrency: number;
  /** A topic change still failing this long after its first attempt is reported as timed out. */
  readonly topicTimeoutMs: number;
  /** How long a lookup someone waits for (a room, a topic, a join on the way to a send) is retried. */
  readonly lookupDeadlineMs: number;
  /** How often aliases are re-resolved and configured rooms re-joined. */
  readonly reconcileRoomsMs: number;
  /**
   * How far back a sync gap is read (gaps.ts): what was said longer ago than this before the batch arrived
   * is skipped, with a warning. Days of a room's history, not an outage's commands.
   */
  readonly gapMaxAgeMs: number;
}

export const DEFAULT_MATRIX_TUNING: MatrixTuning = {
  syncTimeoutMs: 30_000,
  timelineLimit: 50,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  defaultRateLimitMs: 1_000,
  maxRetryAfterMs: 300_000,
  requestTimeoutMs: 30_000,
  sendConcurrency: 4,
  topicTimeoutMs: 60_000,
  lookupDeadlineMs: 30_000,
  reconcileRoomsMs: 10 * 60_000,
  gapMaxAgeMs: 24 * 3_600_000,
};
