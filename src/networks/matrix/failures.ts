/**
 * What went wrong with a request, in the terms the adapter acts on. matrix-bot-sdk rejects with three
 * shapes: a `MatrixError` (a JSON error body with `errcode`), the raw HTTP response (a non-2xx answer that
 * is not a Matrix error, such as a proxy's 502 page), or a network `Error` (refused, reset, timed out).
 * `detail` is safe to log: it never contains the request, so never a token.
 */
import { MatrixError } from 'matrix-bot-sdk';
import { errorMessage } from '../../core/error-message.js';

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
  | { readonly kind: 'permanent'; readonly detail: string }
  /** The adapter stopped and cut the request short (see request-scope.ts). */
  | { readonly kind: 'stopped'; readonly detail: string };

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

/** A request cut short because its adapter stopped. */
export class StoppedError extends Error {
  constructor() {
    super('the Matrix adapter stopped');
    this.name = 'StoppedError';
  }
}

/** A request retried until its deadline, still failing; `cause` is the last failure. */
export class GaveUpError extends Error {
  constructor(
    readonly what: string,
    readonly attempts: number,
    readonly elapsedMs: number,
    override readonly cause: unknown,
  ) {
    super(`${what}: gave up after ${attempts} attempts in ${Math.round(elapsedMs / 1000)} s`);
    this.name = 'GaveUpError';
  }
}

export function classify(error: unknown): Failure {
  if (error instanceof StoppedError) return { kind: 'stopped', detail: error.message };
  if (error instanceof GaveUpError) {
    const last = classify(error.cause);
    const tried = `tried ${error.attempts} times in ${Math.round(error.elapsedMs / 1000)} s`;
    return { ...last, detail: `${last.detail}; ${tried}` };
  }
  if (error instanceof MatrixError) {
    const detail = `${error.errcode}: ${error.error ?? ''} (HTTP ${error.statusCode})`;
    if (error.errcode === 'M_LIMIT_EXCEEDED' || error.statusCode === 429)
      return { kind: 'rate-limited', retryAfterMs: retryAfterMs(error), detail };
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
  const message = errorMessage(error);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return { kind: 'transient', detail: code };
  if (/socket hang up|timed? ?out|ECONN/i.test(message)) return { kind: 'transient', detail: message };
  return { kind: 'permanent', detail: message };
}

/**
 * The wait a 429 asks for. Synapse sends both `retry_after_ms` and a Retry-After header rounded up to
 * whole seconds; the SDK prefers the header, which would wait up to a second longer each time, so the
 * body's milliseconds win when present.
 */
function retryAfterMs(error: MatrixError): number | undefined {
  const body = (error.body as { retry_after_ms?: unknown } | undefined)?.retry_after_ms;
  return typeof body === 'number' && body >= 0 ? body : error.retryAfterMs;
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

export interface RetryTuning {
  /** Backoff for server errors and lost connections: base · 2^attempt, capped. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Wait after a 429 that does not say how long. */
  readonly defaultRateLimitMs: number;
  /** Upper bound on a server-requested wait. */
  readonly maxRetryAfterMs: number;
}

/**
 * The one retry policy for every request the adapter makes: how long to wait before trying `failure`'s
 * request again, or undefined when trying again cannot help. A 429 waits as long as the homeserver asked
 * (capped); 5xx, timeouts and lost connections back off exponentially, but only for a request that is
 * harmless to repeat (`idempotent`: a GET, a PUT with a transaction id, a join), because the server may
 * have acted on it before the answer was lost. A 429 is always safe: the server refused before acting.
 * `failures` counts the transient failures so far (0 for the first).
 */
export function retryWaitMs(
  failure: Failure,
  failures: number,
  idempotent: boolean,
  tuning: RetryTuning,
  random: () => number = Math.random,
): number | undefined {
  if (failure.kind === 'rate-limited')
    return Math.min(failure.retryAfterMs ?? tuning.defaultRateLimitMs, tuning.maxRetryAfterMs);
  if (failure.kind === 'transient' && idempotent)
    return backoffMs(failures, tuning.retryBaseMs, tuning.retryMaxMs, random);
  return undefined;
}
