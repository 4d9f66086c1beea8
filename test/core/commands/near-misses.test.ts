/** Near misses get the nearest command, once and briefly; private messages always get an answer (item 5). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../../support/core-world.js';
import { ircUser, matrixUser } from '../../support/fake-network.js';
import { parseCommand, suggestCommand, usageLine } from '../../../src/core/commands/parse.js';
import { findCommand } from '../../../src/core/commands/catalog.js';

afterEach(stopWorlds);

const alice = ircUser('alice', 'alice');

test('a typo of a kind in #status suggests that kind with the message as typed', () => {
  const parsed = parseCommand('#status alrt PyPI mirror problems');
  assert.equal(parsed.kind, 'usage');
  if (parsed.kind === 'usage')
    assert.equal(
      usageLine(parsed),
      '"alrt" is not alert, notice, log or ok (did you mean "#status alert PyPI mirror problems"?). Usage: #status alert|notice|log|ok <message>',
    );
  const notcie = parseCommand('#status notcie gate recovering');
  if (notcie.kind === 'usage') assert.equal(notcie.hint, 'did you mean "#status notice gate recovering"?');
});

test('!help #status explains #status, !help status explains !status', () => {
  assert.equal(findCommand('#status')?.name, 'status-update');
  assert.equal(findCommand('!status')?.name, 'status');
  assert.equal(findCommand('status')?.name, 'status');
  assert.equal(findCommand('#success')?.name, 'success');
  assert.equal(findCommand('success')?.name, 'success');
  assert.equal(findCommand('resolve')?.name, 'resolved');
});

test('the nearest command to a typo, and none for other bots’ commands', () => {
  assert.equal(suggestCommand('!akc'), '!ack');
  assert.equal(suggestCommand('!reslove 12 fixed'), '!resolve');
  assert.equal(suggestCommand('!incdent gate down'), '!incident');
  assert.equal(suggestCommand('!oncal'), '!oncall');
  assert.equal(suggestCommand('#sucess the mirror held'), '#success');
  assert.equal(suggestCommand('!deploy everything'), undefined);
  assert.equal(suggestCommand('!acknowledge'), undefined);
  assert.equal(suggestCommand('!ack'), undefined, 'a command is no typo');
  assert.equal(suggestCommand('hello there'), undefined);
});

test('in a channel a !typo gets one brief suggestion, not again for a while; other chat stays silent', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', alice, '!incident gate is failing');
  await w.settle();
  w.clear();
  w.irc.type('#infra', alice, '!akc');
  w.irc.type('#infra', alice, '!akc');
  w.irc.type('#infra', alice, '!deploy now');
  w.irc.type('#infra', alice, '#statsd is lagging too');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: alice: !akc is not a command; did you mean !ack? !help lists them.',
  ]);
  assert.equal(w.firebell.service.get(1)?.phase, 'announced', 'a suggestion is not an ack');
});

test('every private message gets an answer', async () => {
  const w = await coreWorld();
  w.irc.type('alice', alice, 'hello, is anyone there?', { direct: true });
  w.irc.type('alice', alice, '!akc 1', { direct: true });
  w.matrix.type('!dm:example.org', matrixUser('@cy:example.org', 'Cy'), 'help', { direct: true });
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    'alice: I am firebell, an incident bot, and I only understand commands: !incident <what is broken> declares an incident, !incidents lists the open ones, !help lists everything.',
    'alice: !akc is not a command; did you mean !ack? !help lists them.',
  ]);
  assert.equal(w.matrix.lines().length, 1);
  w.clear();
  w.irc.type('alice', alice, 'NickServ says hi', { direct: true, style: 'notice' });
  await w.settle();
  assert.deepEqual(w.irc.lines(), [], 'notices are never answered (no bot loops)');
});
