/**
 * What went wrong with a request, in the terms the adapter acts on. matrix-bot-sdk rejects with three
 * shapes: a `MatrixError` (a JSON error body with `errcode`), the raw HTTP response (a non-2xx answer that
 * is not a Matrix error, such as a proxy's 502 page), or a network `Error` (refused, reset, timed out).
 * `detail` is safe to log: it never contains the request, so never a token.
 */
import { MatrixError } from 'matrix-bot-sdk';

export type Failure =
  /** 429 M_LIMIT_EXCEEDED: wait as long as the server says, then retry the same request. */
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number | undefined; readonly detail: string }
  /** 5xx, timeouts, resets, refused connections: retry with backoff. */
  | { readonly kind: 'transient'; readonly detail: string }
  /** 401 M_UNKNOWN_TOKEN / M_MISSING_TOKEN: the access token is gone. */
  | { readonly kind: 'unknown-token'; readonly detail: string }
  /** 403 M_FORBIDDEN: not allowed (not in the room, power level too low). */
  | { readonly kind: 'forbidden'; readonly detail: string }
  /** 404 M_NOT_FOUND. */
  | { readonly kind: 'not-found'; readonly detail: string }
  /** Anything else: retrying will not help. */
  | { readonly kind: 'permanent'; readonly detail: string };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

export function classify(error: unknown): Failure {
  if (error instanceof MatrixError) {
    const detail = `${error.errcode}: ${error.error ?? ''} (HTTP ${error.statusCode})`;
    if (error.errcode === 'M_LIMIT_EXCEEDED' || error.statusCode === 429)
      return { kind: 'rate-limited', retryAfterMs: error.retryAfterMs, detail };
    if (error.errcode === 'M_UNKNOWN_TOKEN' || error.errcode === 'M_MISSING_TOKEN')
      return { kind: 'unknown-token', detail };
    if (error.statusCode >= 500) return { kind: 'transient', detail };
    if (error.errcode === 'M_FORBIDDEN' || error.statusCode === 403) return { kind: 'forbidden', detail };
    if (error.errcode === 'M_NOT_FOUND' || error.statusCode === 404) return { kind: 'not-found', detail };
    return { kind: 'permanent', detail };
  }
  const status = httpStatus(error);
  if (status !== undefined) {
    const detail = `HTTP ${status} without a Matrix error body`;
    if (status === 429) return { kind: 'rate-limited', retryAfterMs: undefined, detail };
    if (status >= 500 || status === 408) return { kind: 'transient', detail };
    if (status === 404) return { kind: 'not-found', detail };
    if (status === 403) return { kind: 'forbidden', detail };
    return { kind: 'permanent', detail };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return { kind: 'transient', detail: code };
  if (/socket hang up|timed? ?out|ECONN/i.test(message)) return { kind: 'transient', detail: message };
  return { kind: 'permanent', detail: message };
}

/** The status of a raw HTTP response the SDK rejected with, if that is what `error` is. */
export function httpStatus(error: unknown): number | undefined {
  if (error instanceof MatrixError) return error.statusCode;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Exponential backoff with full jitter in the upper half: base·2^attempt, capped. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Runs `attempt` until it succeeds or fails for good: rate limits and transient failures are retried
 * (up to `tries` times, waiting as told or with backoff); anything else, or the last failure, is thrown.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: { tries: number; baseMs: number; maxMs: number; sleep: (ms: number) => Promise<boolean> },
): Promise<T> {
  for (let failures = 0; ; failures += 1) {
    try {
      return await attempt();
    } catch (error) {
      const failure = classify(error);
      const retryable = failure.kind === 'rate-limited' || failure.kind === 'transient';
      if (!retryable || failures + 1 >= options.tries) throw error;
      const wait =
        failure.kind === 'rate-limited' && failure.retryAfterMs !== undefined
          ? failure.retryAfterMs
          : backoffMs(failures, options.baseMs, options.maxMs);
      if (!(await options.sleep(wait))) throw error;
    }
  }
}
