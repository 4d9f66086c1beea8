/**
 * The retrier on xstate's SimulatedClock: waits as the homeserver asks, gives up at the caller's deadline
 * with the last failure, never repeats a request that may have been done unless it is idempotent, holds
 * every event-sending request while the account is rate-limited, and ends at once when stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatrixError } from 'matrix-bot-sdk';
import { SimulatedClock } from 'xstate';
import { classify, GaveUpError, StoppedError } from '../../../src/networks/matrix/failures.js';
import { RateLimitGate, Retrier } from '../../../src/networks/matrix/retry.js';
import { Sleeper } from '../../../src/networks/matrix/sleeper.js';
import { MemoryLogger } from '../../support/memory-logger.js';

const tuning = { retryBaseMs: 100, retryMaxMs: 1_000, defaultRateLimitMs: 500, maxRetryAfterMs: 10_000 };
const limited = (ms?: number) =>
  new MatrixError(
    {
      errcode: 'M_LIMIT_EXCEEDED',
      error: 'Too Many Requests',
      ...(ms === undefined ? {} : { retry_after_ms: ms }),
    },
    429,
    {},
  );
const serverError = () => new MatrixError({ errcode: 'M_UNKNOWN', error: 'boom' }, 500, {});

function setup() {
  const clock = new SimulatedClock();
  clock.set(1_000_000);
  const sleeper = new Sleeper(clock);
  const gate = new RateLimitGate(clock, sleeper);
  const retrier = new Retrier({ clock, sleeper, logger: new MemoryLogger(), tuning, gate });
  /** Lets pending promises run, then moves the clock on. */
  const advance = async (ms: number): Promise<void> => {
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
    clock.increment(ms);
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  };
  return { clock, sleeper, gate, retrier, advance };
}

/** A request that fails with each of `failures` in turn, then answers `done`; records when it was called. */
function scripted(clock: SimulatedClock, failures: unknown[]) {
  const calls: number[] = [];
  const request = (): Promise<string> => {
    calls.push(clock.now());
    const failure = failures.shift();
    return failure === undefined ? Promise.resolve('done') : Promise.reject(failure);
  };
  return { calls, request };
}

test('waits as long as a 429 asks, the default when it does not say, and backs off on server errors', async () => {
  const { clock, retrier, advance } = setup();
  const { calls, request } = scripted(clock, [limited(2_000), limited(), serverError()]);
  const result = retrier.run({ what: 'read', idempotent: true }, request);
  await advance(2_000);
  await advance(500);
  await advance(100);
  assert.equal(await result, 'done');
  const start = calls[0] as number;
  assert.deepEqual(
    calls.slice(0, 3).map((at) => at - start),
    [0, 2_000, 2_500],
  );
  assert.ok(calls[3]! - calls[2]! >= 50 && calls[3]! - calls[2]! <= 100, 'backoff with jitter, base 100 ms');
});

test('past its deadline a request gives up with its last failure', async () => {
  const { clock, retrier, advance } = setup();
  const { calls, request } = scripted(clock, [limited(4_000), limited(4_000), limited(4_000)]);
  const result = retrier.run({ what: 'look up #infra', idempotent: true, deadlineMs: 6_000 }, request);
  const failed = assert.rejects(result, (error: unknown) => {
    assert.ok(error instanceof GaveUpError);
    assert.equal(classify(error).kind, 'rate-limited');
    assert.match(classify(error).detail, /tried 2 times in 4 s/);
    return true;
  });
  await advance(4_000);
  await failed;
  assert.equal(calls.length, 2, 'the third try would have started after the deadline');
});

test('a server error is not repeated for a request that may have been done; a 429 is', async () => {
  const { clock, retrier, advance } = setup();
  const once = scripted(clock, [serverError()]);
  await assert.rejects(retrier.run({ what: 'create a room', idempotent: false }, once.request), /M_UNKNOWN/);
  assert.equal(once.calls.length, 1);
  const twice = scripted(clock, [limited(300)]);
  const result = retrier.run({ what: 'create a room', idempotent: false }, twice.request);
  await advance(300);
  assert.equal(await result, 'done');
  const refused = scripted(clock, [new MatrixError({ errcode: 'M_FORBIDDEN', error: 'no' }, 403, {})]);
  await assert.rejects(retrier.run({ what: 'join', idempotent: true }, refused.request), /M_FORBIDDEN/);
  assert.equal(refused.calls.length, 1, 'a refusal is final');
});

test('a 429 on an event shuts the gate for every event request until the server allows', async () => {
  const { clock, gate, retrier, advance } = setup();
  const topic = scripted(clock, [limited(3_000)]);
  const message = scripted(clock, []);
  const lookup = scripted(clock, []);
  const first = retrier.run({ what: 'set a topic', idempotent: true, sendsEvent: true }, topic.request);
  await advance(0);
  assert.equal(gate.remainingMs(), 3_000);
  const second = retrier.run({ what: 'send', idempotent: true, sendsEvent: true }, message.request);
  const third = retrier.run({ what: 'read', idempotent: true }, lookup.request);
  await advance(1_000);
  assert.equal(message.calls.length, 0, 'the event waits for the gate');
  assert.equal(lookup.calls.length, 1, 'a read does not');
  await advance(2_000);
  assert.deepEqual(await Promise.all([first, second, third]), ['done', 'done', 'done']);
  assert.equal(message.calls[0], topic.calls[0]! + 3_000);
});

test('stopping ends every wait at once with StoppedError', async () => {
  const { clock, sleeper, retrier, advance } = setup();
  const { request } = scripted(clock, [limited(60_000)]);
  const result = retrier.run({ what: 'join', idempotent: true }, request);
  await advance(10);
  sleeper.stop();
  await assert.rejects(result, (error: unknown) => error instanceof StoppedError);
});
