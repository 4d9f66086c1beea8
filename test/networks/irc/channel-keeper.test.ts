import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { ircCaseFold } from '../../../src/core/casemapping.js';
import { ChannelKeeper } from '../../../src/networks/irc/channel-keeper.js';
import { memoryLogger } from './helpers.js';

function setup() {
  const clock = new SimulatedClock();
  const joins: string[] = [];
  const log = memoryLogger();
  const keeper = new ChannelKeeper(
    [{ name: '#Ops' }, { name: '#keyed', key: 'sesame' }],
    () => ircCaseFold('rfc1459'),
    clock,
    log,
    (channel, key) =>
      joins.push(key === undefined ? `${channel}@${clock.now()}` : `${channel} ${key}@${clock.now()}`),
    () => 0.999999,
  );
  // Timers fire when the clock passes them; step it so each fires at its own time.
  const advance = (ms: number): void => {
    for (let step = 0; step < ms; step += 100) clock.increment(100);
  };
  return { clock, joins, log, keeper, advance };
}

test('joins every channel with its key, and knows the configured spelling', () => {
  const { joins, keeper } = setup();
  keeper.joinAll();
  assert.deepEqual(joins, ['#Ops@0', '#keyed sesame@0']);
  assert.equal(keeper.configuredName('#OPS'), '#Ops');
  assert.equal(keeper.configuredName('#other'), undefined);
  keeper.selfJoined('#ops');
  assert.equal(keeper.isJoined('#OPS'), true);
  assert.equal(keeper.joinedCount(), 1);
});

test('kicked over and over: rejoins with growing waits, logged, never a tight loop', () => {
  const { joins, log, keeper, advance } = setup();
  keeper.joinAll();
  joins.length = 0;
  for (let kick = 0; kick < 5; kick += 1) {
    keeper.selfJoined('#ops');
    keeper.kicked('#ops', 'chanop', 'go away');
    advance(20_000);
  }
  assert.deepEqual(joins, ['#Ops@1000', '#Ops@22000', '#Ops@44000', '#Ops@68000', '#Ops@96000']);
  assert.equal(log.matching('kicked from #Ops by chanop (go away); rejoining in', 'warn').length, 5);
});

test('a banned channel is retried with the backoff; a stay of a minute resets it', () => {
  const { joins, keeper, advance } = setup();
  keeper.joinAll();
  joins.length = 0;
  keeper.joinRefused('#keyed', 'Cannot join channel (+b) (474)');
  advance(1000);
  keeper.joinRefused('#keyed', 'Cannot join channel (+b) (474)');
  advance(2000);
  assert.deepEqual(joins, ['#keyed sesame@1000', '#keyed sesame@3000']);
  keeper.selfJoined('#keyed');
  advance(60_000);
  keeper.kicked('#keyed', 'op', '');
  advance(1000);
  assert.deepEqual(joins.slice(-1), ['#keyed sesame@64000']);
});

test('a disconnect cancels pending rejoins; the next registration joins again', () => {
  const { clock, joins, keeper } = setup();
  keeper.joinAll();
  keeper.selfJoined('#ops');
  keeper.kicked('#ops', 'op', '');
  keeper.disconnected();
  clock.increment(1_000_000);
  assert.deepEqual(joins, ['#Ops@0', '#keyed sesame@0']);
  assert.equal(keeper.isJoined('#ops'), false);
});
