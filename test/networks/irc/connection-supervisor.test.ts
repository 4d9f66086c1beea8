import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { reconnectBackoff } from '../../../src/networks/irc/backoff.js';
import { ConnectionSupervisor } from '../../../src/networks/irc/connection-supervisor.js';

function setup() {
  const clock = new SimulatedClock();
  const calls: string[] = [];
  const supervisor: ConnectionSupervisor = new ConnectionSupervisor(
    clock,
    reconnectBackoff(() => 0.999999),
    { pingTimeoutMs: 120_000, stableAfterMs: 60_000 },
    {
      connect: () => calls.push(`connect@${clock.now()}`),
      drop: (reason) => {
        calls.push(`drop@${clock.now()}: ${reason}`);
        supervisor.disconnected(reason);
      },
      ping: () => calls.push(`ping@${clock.now()}`),
      waiting: (delayMs) => calls.push(`wait ${delayMs}`),
    },
  );
  return { clock, calls, supervisor };
}

test('a failed first connect is retried with growing waits, forever', () => {
  const { clock, calls, supervisor } = setup();
  supervisor.start();
  for (let attempt = 0; attempt < 12; attempt += 1) {
    supervisor.disconnected('connection refused');
    clock.increment(300_000);
  }
  const waits = calls.filter((call) => call.startsWith('wait')).map((call) => Number(call.slice(5)));
  assert.deepEqual(
    waits,
    [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000],
  );
  assert.equal(calls.filter((call) => call.startsWith('connect')).length, 13);
  assert.equal(supervisor.state, 'connecting');
});

test('a silent server gets a PING after half the timeout and is dropped after the whole timeout', () => {
  const { clock, calls, supervisor } = setup();
  // The watchdog looks every quarter of the timeout; step the clock so each look happens on time.
  const advance = (ms: number): void => {
    for (let step = 0; step < ms; step += 1000) clock.increment(1000);
  };
  supervisor.start();
  supervisor.registered();
  advance(50_000);
  supervisor.activity();
  advance(50_000);
  assert.deepEqual(calls.slice(1), [], 'traffic keeps it alive');
  advance(20_000);
  assert.deepEqual(calls.slice(1), ['ping@120000']);
  advance(60_000);
  assert.deepEqual(calls.slice(2), [
    'drop@180000: ping timeout: no data from the server for 120 s',
    'wait 1000',
  ]);
  advance(1000);
  assert.equal(calls[calls.length - 1], 'connect@181000');
});

test('a connection that never registers is given up after the timeout', () => {
  const { clock, calls, supervisor } = setup();
  supervisor.start();
  clock.increment(120_000);
  assert.equal(calls[1], 'drop@120000: not registered after 120 s');
});

test('the backoff starts over only after a connection stayed up a while', () => {
  const { clock, calls, supervisor } = setup();
  supervisor.start();
  supervisor.registered();
  supervisor.disconnected('killed right after registration');
  clock.increment(1000);
  supervisor.registered();
  supervisor.disconnected('killed again');
  clock.increment(2000);
  supervisor.registered();
  clock.increment(60_000);
  supervisor.disconnected('lost after a good minute');
  const waits = calls.filter((call) => call.startsWith('wait'));
  assert.deepEqual(waits, ['wait 1000', 'wait 2000', 'wait 1000']);
});

test('stop clears every timer and nothing reconnects', () => {
  const { clock, calls, supervisor } = setup();
  supervisor.start();
  supervisor.disconnected('refused');
  supervisor.stop();
  clock.increment(1_000_000);
  assert.deepEqual(calls, ['connect@0', 'wait 1000']);
  assert.equal(supervisor.disconnected('late close'), undefined);
});
