import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatrixError } from 'matrix-bot-sdk';
import { backoffMs, classify, withRetries } from '../../../src/networks/matrix/failures.js';

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

test('withRetries retries rate limits and transient failures, up to a bound, and nothing else', async () => {
  const waits: number[] = [];
  const options = {
    tries: 3,
    baseMs: 10,
    maxMs: 100,
    sleep: (ms: number) => (waits.push(ms), Promise.resolve(true)),
  };
  let calls = 0;
  const flaky = () => {
    calls += 1;
    if (calls === 1)
      return Promise.reject(matrixError(429, { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 70 }));
    if (calls === 2) return Promise.reject(matrixError(502, { errcode: 'M_UNKNOWN' }));
    return Promise.resolve('done');
  };
  assert.equal(await withRetries(flaky, options), 'done');
  assert.equal(waits[0], 70, 'the server-given wait');
  assert.equal(waits.length, 2);
  await assert.rejects(
    withRetries(() => Promise.reject(matrixError(403, { errcode: 'M_FORBIDDEN' })), options),
    /M_FORBIDDEN/,
  );
  let tries = 0;
  await assert.rejects(
    withRetries(() => ((tries += 1), Promise.reject(matrixError(500, { errcode: 'M_UNKNOWN' }))), options),
  );
  assert.equal(tries, 3);
});
