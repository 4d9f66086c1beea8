import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatrixError } from 'matrix-bot-sdk';
import {
  backoffMs,
  classify,
  GaveUpError,
  retryWaitMs,
  StoppedError,
} from '../../../src/networks/matrix/failures.js';

const matrixError = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  new MatrixError(body as never, status, headers);

test('Matrix errors are classified by errcode, then status', () => {
  assert.deepEqual(
    classify(matrixError(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow', retry_after_ms: 1200 })),
    {
      kind: 'rate-limited',
      retryAfterMs: 1200,
      detail: 'M_LIMIT_EXCEEDED: slow (HTTP 429)',
    },
  );
  const header = classify(matrixError(429, { errcode: 'M_LIMIT_EXCEEDED' }, { 'retry-after': '3' }));
  assert.equal(header.kind === 'rate-limited' && header.retryAfterMs, 3000, 'the Retry-After header counts');
  const both = classify(
    matrixError(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 2100 }, { 'retry-after': '3' }),
  );
  assert.equal(
    both.kind === 'rate-limited' && both.retryAfterMs,
    2100,
    'the precise body wins over whole seconds',
  );
  assert.equal(classify(matrixError(401, { errcode: 'M_UNKNOWN_TOKEN' })).kind, 'unknown-token');
  assert.equal(classify(matrixError(403, { errcode: 'M_FORBIDDEN' })).kind, 'forbidden');
  assert.equal(classify(matrixError(404, { errcode: 'M_NOT_FOUND' })).kind, 'not-found');
  assert.equal(classify(matrixError(500, { errcode: 'M_UNKNOWN' })).kind, 'transient');
  assert.equal(classify(matrixError(413, { errcode: 'M_TOO_LARGE' })).kind, 'permanent');
});

test('raw HTTP answers and network errors', () => {
  assert.deepEqual(classify({ statusCode: 502 }), {
    kind: 'transient',
    detail: 'HTTP 502 without a Matrix error body',
  });
  assert.equal(classify({ statusCode: 404 }).kind, 'not-found');
  assert.deepEqual(
    classify(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
    {
      kind: 'transient',
      detail: 'ECONNREFUSED',
    },
  );
  assert.equal(classify(new Error('socket hang up')).kind, 'transient');
  assert.equal(classify(new Error('bad input')).kind, 'permanent');
});

test('backoff doubles up to the cap, with jitter in the upper half', () => {
  assert.equal(
    backoffMs(0, 100, 1000, () => 0),
    50,
  );
  assert.equal(
    backoffMs(0, 100, 1000, () => 1),
    100,
  );
  assert.equal(
    backoffMs(3, 100, 1000, () => 1),
    800,
  );
  assert.equal(
    backoffMs(10, 100, 1000, () => 1),
    1000,
  );
  assert.equal(
    backoffMs(10, 100, 1000, () => 0),
    500,
  );
});

test('one retry policy: 429 waits as asked (capped), server errors back off only when repeating is harmless', () => {
  const tuning = { retryBaseMs: 100, retryMaxMs: 1000, defaultRateLimitMs: 250, maxRetryAfterMs: 5000 };
  const limited = classify(matrixError(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 700 }));
  assert.equal(retryWaitMs(limited, 0, false, tuning), 700, 'a 429 is safe to repeat: nothing happened');
  const bare = classify(matrixError(429, { errcode: 'M_LIMIT_EXCEEDED' }));
  assert.equal(retryWaitMs(bare, 0, true, tuning), 250, 'no wait given: the default');
  const huge = classify(matrixError(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 3_600_000 }));
  assert.equal(retryWaitMs(huge, 0, true, tuning), 5000, 'capped');
  const down = classify(matrixError(502, { errcode: 'M_UNKNOWN' }));
  assert.equal(
    retryWaitMs(down, 3, true, tuning, () => 1),
    800,
  );
  assert.equal(retryWaitMs(down, 0, false, tuning), undefined, 'maybe done: not repeated');
  assert.equal(
    retryWaitMs(classify(matrixError(403, { errcode: 'M_FORBIDDEN' })), 0, true, tuning),
    undefined,
  );
  assert.equal(retryWaitMs(classify(new StoppedError()), 0, true, tuning), undefined);
});

test('a request that gave up keeps its last failure, with how long it tried', () => {
  const last = matrixError(500, { errcode: 'M_UNKNOWN', error: 'boom' });
  const failure = classify(new GaveUpError('join #a:x', 4, 31_000, last));
  assert.equal(failure.kind, 'transient');
  assert.equal(failure.detail, 'M_UNKNOWN: boom (HTTP 500); tried 4 times in 31 s');
});
