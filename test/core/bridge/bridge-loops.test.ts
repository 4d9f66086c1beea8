import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Sender } from '../../../src/core/messages.js';
import { toPlainText } from '../../../src/core/rich-text.js';
import { ircUser, matrixUser } from '../../support/fake-network.js';
import { COPY_WINDOW_MS } from '../../../src/core/bridge/echo-guard.js';
import { alice, ana, bob, IRC_ROOM, MATRIX_ROOM, Z, worldPerTest, type Side } from './world.js';

const world = worldPerTest();

describe('echoes of relayed lines through other bridges', () => {
  test('a puppeting bridge copying a relayed line back is not relayed again', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'hi there');
    w.advance(100);
    w.matrix.say(MATRIX_ROOM, ana, 'waves', { style: 'emote' });
    // Another bridge in the room copies firebell's relayed lines, without any marker.
    w.matrix.say(MATRIX_ROOM, matrixUser('@irc_firebell:example.org', 'firebell'), '<alice> hi there');
    w.irc.say(IRC_ROOM, ircUser('puppet'), `* A${Z}na waves`);
    w.irc.say(IRC_ROOM, ircUser('matterbridge'), `[matrix] <firebell> <alice> hi there`);
    w.advance(1000);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> hi there`]);
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: * A${Z}na waves`]);
  });

  test('the same words from a person are relayed: alone, or once the copy window has passed', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'hi there');
    w.advance(100);
    w.matrix.say(MATRIX_ROOM, ana, 'hi there');
    w.advance(COPY_WINDOW_MS + 1);
    w.matrix.say(MATRIX_ROOM, ana, '<alice> hi there');
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> hi there`,
      `${IRC_ROOM} message: <A${Z}na> <alice> hi there`,
    ]);
  });
  test('a copy that comes back late through a lagging server is still known', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'hi there');
    w.advance(1000);
    // The copying bridge's server lagged: the copy comes a minute and a half after the original.
    w.advance(90_000);
    w.irc.say(IRC_ROOM, ircUser('matterbridge'), `[matrix] <firebell> <alice> hi there`);
    w.matrix.say(MATRIX_ROOM, matrixUser('@irc_firebell:example.org', 'firebell'), '<alice> hi there');
    w.advance(1000);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> hi there`]);
    assert.deepEqual(w.irc.relayed(), []);
  });

  test('the copy window counts from the delivery, not from the queueing: a line kept waiting by its network', async () => {
    const w = await world();
    // The network holds the line in its own send queue (IRC pacing behind a backlog, a slow homeserver).
    const network = w.matrix.network;
    const send = network.send.bind(network);
    const waiting: (() => void)[] = [];
    network.send = (message, settle) => void waiting.push(() => send(message, settle));
    w.irc.say(IRC_ROOM, alice, 'is matrix down?');
    w.advance(1000);
    await w.settle();
    assert.equal(waiting.length, 1, 'handed to the network, which holds it');
    w.advance(COPY_WINDOW_MS + 60_000);
    for (const deliver of waiting) deliver();
    await w.settle();
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> is matrix down?`]);
    w.advance(5_000);
    w.matrix.say(MATRIX_ROOM, matrixUser('@relay:example.org', 'relay'), '<alice> is matrix down?');
    w.advance(1000);
    await w.settle();
    assert.deepEqual(w.irc.relayed(), [], 'the copy of the late line did not come back to IRC');
  });

  test('a copy that arrives before its original (the other relay synced first) is dropped after the hold', async () => {
    const w = await world();
    // A second firebell relayed Ana's Matrix line to IRC before this one saw it on Matrix.
    w.irc.say(IRC_ROOM, ircUser('fbtwo'), `<A${Z}na> is the mirror back?`);
    w.advance(20);
    w.matrix.say(MATRIX_ROOM, ana, 'is the mirror back?');
    w.advance(1000);
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na> is the mirror back?`]);
    assert.deepEqual(w.matrix.relayed(), [], 'the early copy did not go back to Matrix');
  });
});

describe('the echo guard goes by what the network says, never by the words alone', () => {
  test('a person who repeats a relayed "ok" or "+1" is relayed', async () => {
    const w = await world();
    // alice's lines arrive on Matrix as one message: "<alice> looks fine\nok\n+1".
    w.irc.say(IRC_ROOM, alice, 'looks fine');
    w.irc.say(IRC_ROOM, alice, 'ok');
    w.irc.say(IRC_ROOM, alice, '+1');
    w.advance(1000);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> looks fine\nok\n+1`]);
    // Ana agrees, in the same words, a moment later; and bob on IRC repeats what Ana relayed.
    w.matrix.say(MATRIX_ROOM, ana, 'ok');
    w.matrix.say(MATRIX_ROOM, ana, '+1');
    w.advance(100);
    w.irc.say(IRC_ROOM, bob, '+1');
    w.advance(1000);
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> ok`,
      `${IRC_ROOM} message: <A${Z}na> +1`,
    ]);
    assert.deepEqual(w.matrix.relayed().slice(1), [`${MATRIX_ROOM} message: <bob> +1`]);
  });

  test('a line that carries the network id firebell got for a relayed line is not relayed again', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'the mirror is back');
    w.advance(1000);
    await w.settle();
    assert.equal(w.matrix.relayed().length, 1);
    // The Matrix network's id for that relayed copy (the fake network numbers what it sends).
    const copyId = 'matrix-out-1';
    // Whatever its text: here as another client might render it.
    w.matrix.say(MATRIX_ROOM, matrixUser('@firebell:example.org', 'firebell'), 'alice: the mirror is back', {
      messageId: copyId,
    });
    w.matrix.say(MATRIX_ROOM, ana, '<alice> the mirror is back', { messageId: 'someone-else' });
    w.advance(1000);
    assert.deepEqual(w.irc.relayed(), [], 'the copy by its id; the quote as a copy of an attributed line');
  });
});

describe('two firebells in the same channel and room', () => {
  /** Whatever `from` sends shows up at `to` as said by `bot`, with any relay marker lost on the way. */
  function link(from: Side, to: Side, bot: Sender, pending: (() => void)[]): void {
    const send = from.network.send.bind(from.network);
    from.network.send = (message, settle) => {
      send(message, settle);
      if ('conversation' in message.to) {
        const conversation = message.to.conversation;
        const said = toPlainText(message.body);
        pending.push(() => to.say(conversation, bot, said, { style: message.style }));
      }
    };
  }

  test('a line said once is relayed by each of them once, and never bounces', async () => {
    const a = await world();
    const b = await world();
    const pending: (() => void)[] = [];
    link(a.irc, b.irc, ircUser('firebell-a'), pending);
    link(b.irc, a.irc, ircUser('firebell-b'), pending);
    link(a.matrix, b.matrix, matrixUser('@firebell-a:example.org', 'firebell A'), pending);
    link(b.matrix, a.matrix, matrixUser('@firebell-b:example.org', 'firebell B'), pending);
    // Both see every human line: they sit in the same channel and room.
    a.irc.say(IRC_ROOM, alice, 'is the gate ok?');
    b.irc.say(IRC_ROOM, alice, 'is the gate ok?');
    a.matrix.say(MATRIX_ROOM, ana, 'yes');
    b.matrix.say(MATRIX_ROOM, ana, 'yes');
    for (let round = 0; round < 20; round += 1) {
      a.advance(1000);
      b.advance(1000);
      for (const deliver of pending.splice(0)) deliver();
    }
    assert.equal(pending.length, 0);
    for (const instance of [a, b]) {
      assert.deepEqual(instance.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> is the gate ok?`]);
      assert.deepEqual(instance.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na> yes`]);
    }
  });
});
