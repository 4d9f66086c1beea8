/** A stranger typing commands without pause gets a handful of answers, then one now and then; contacts all. */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../../support/core-world.js';
import { ircUser } from '../../support/fake-network.js';
import {
  PAUSE_NOTICE,
  STRANGER_BURST,
  STRANGER_REFILL_MS,
  StrangerReplies,
} from '../../../src/core/commands/stranger-replies.js';

afterEach(stopWorlds);

test('the allowance: a burst, the pause said once, then one answer per refill; a full allowance does not grow', () => {
  const replies = new StrangerReplies();
  const taken = Array.from({ length: STRANGER_BURST + 3 }, () => replies.take('oftc', 'Mallory', 0));
  assert.deepEqual(taken, [
    ...Array<string>(STRANGER_BURST).fill('answer'),
    'pause-notice',
    'silent',
    'silent',
  ]);
  assert.equal(replies.take('oftc', 'mallory', STRANGER_REFILL_MS - 1), 'silent', 'same sender, any case');
  assert.equal(replies.take('oftc', 'mallory', STRANGER_REFILL_MS), 'answer');
  assert.equal(
    replies.take('oftc', 'mallory', STRANGER_REFILL_MS + 1),
    'pause-notice',
    'told again after an answer',
  );
  assert.equal(replies.take('libera', 'mallory', 0), 'answer', 'another network, another allowance');
  // An hour of quiet refills the burst, not more.
  const later = 60 * 60_000;
  const afterQuiet = Array.from({ length: STRANGER_BURST + 1 }, () => replies.take('oftc', 'mallory', later));
  assert.equal(afterQuiet.filter((answer) => answer === 'answer').length, STRANGER_BURST);
});

test('an unverified IRC user asking without pause: five answers, the pause once, then silence until the refill', async () => {
  const w = await coreWorld();
  const mallory = ircUser('mallory');
  for (let i = 0; i < 9; i += 1) w.irc.type('#infra', mallory, '!status');
  await w.settle();
  const lines = w.irc.lines();
  assert.equal(lines.filter((line) => line.startsWith('#infra: mallory: ')).length, STRANGER_BURST + 1);
  assert.equal(lines.at(-1), `#infra: mallory: ${PAUSE_NOTICE}`);
  w.clear();
  w.clock.increment(STRANGER_REFILL_MS);
  w.irc.type('#infra', mallory, '!status');
  await w.settle();
  assert.equal(w.irc.lines().length, 1, 'answered again after the refill');
  // What a stranger types is still handled: a declaration declares, whatever the answers.
  w.irc.type('#infra', mallory, '!incident the mirror is down');
  await w.settle();
  assert.equal(w.firebell.service.get(1)?.phase, 'announced');
});

test('a verified contact is answered every time, however fast', async () => {
  const w = await coreWorld();
  const ana = ircUser('ana', 'ana');
  for (let i = 0; i < 9; i += 1) w.irc.type('#infra', ana, '!status');
  await w.settle();
  assert.equal(w.irc.lines().filter((line) => line.startsWith('#infra: ana: ')).length, 9);
});
