import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { ircCaseFold } from '../../../src/core/casemapping.js';
import { NickKeeper } from '../../../src/networks/irc/nick-keeper.js';
import { memoryLogger } from './helpers.js';

function setup(password?: string) {
  const clock = new SimulatedClock();
  const sent: string[] = [];
  const log = memoryLogger();
  const keeper = new NickKeeper(
    { nick: 'firebell', altNicks: ['firebell-alt'], password, random: () => 0.5 },
    () => ircCaseFold('rfc1459'),
    clock,
    log,
    {
      changeNick: (nick) => sent.push(`NICK ${nick}`),
      nickServ: (command) => sent.push(`NickServ ${command}`),
    },
  );
  return { clock, sent, log, keeper };
}

test('while registering: configured nick, alternates, underscores, then generated nicks', () => {
  const { sent, keeper } = setup();
  assert.equal(keeper.connecting(), 'firebell');
  for (let refusal = 0; refusal < 4; refusal += 1) keeper.refused('whatever', 'Nickname is already in use');
  assert.deepEqual(sent, ['NICK firebell-alt', 'NICK firebell_', 'NICK firebell__', 'NICK firebell500']);
  assert.equal(keeper.connecting(), 'firebell', 'a new connection starts from the configured nick');
});

test('with a services password: GHOST and RECOVER, then NICK, and "regained" once it is ours', () => {
  const { clock, sent, log, keeper } = setup('s3cret');
  keeper.connecting();
  keeper.refused('firebell', 'in use');
  keeper.registeredAs('firebell-alt', true);
  assert.deepEqual(sent.slice(1), ['NickServ GHOST firebell s3cret', 'NickServ RECOVER firebell s3cret']);
  clock.increment(2000);
  assert.equal(sent[sent.length - 1], 'NICK firebell');
  keeper.changedTo('FireBell');
  assert.equal(log.matching('regained nick FireBell', 'info').length, 1);
  clock.increment(1_000_000);
  assert.equal(sent.length, 4, 'no more attempts once regained');
  assert.ok(!JSON.stringify(log.entries).includes('s3cret'), 'the password is never logged');
});

test('without services: retries with a backoff, and at once when the holder quits', () => {
  const { clock, sent, keeper } = setup();
  keeper.connecting();
  keeper.registeredAs('firebell-alt', false);
  assert.deepEqual(sent, []);
  clock.increment(15_000);
  assert.deepEqual(sent, ['NICK firebell']);
  keeper.refused('firebell', 'in use');
  clock.increment(10_000);
  keeper.freed('FIREBELL');
  assert.deepEqual(sent, ['NICK firebell', 'NICK firebell']);
  keeper.freed('firebell');
  assert.equal(sent.length, 2, 'a burst of "freed" events does not become a burst of NICKs');
  keeper.freed('someone-else');
  assert.equal(sent.length, 2);
});

test('stop clears the retry timer', () => {
  const { clock, sent, keeper } = setup();
  keeper.connecting();
  keeper.registeredAs('firebell-alt', false);
  keeper.stop();
  clock.increment(1_000_000);
  assert.deepEqual(sent, []);
});
