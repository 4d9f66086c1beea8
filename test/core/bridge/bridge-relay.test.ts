import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { matrixHtmlToRich } from '../../../src/core/format/matrix-html-to-rich.js';
import { bold, text } from '../../../src/core/rich-text.js';
import { ircUser, matrixUser } from '../../support/fake-network.js';
import { IRC_ROOM, MATRIX_ROOM, Z, alice, ana, worldPerTest } from './world.js';

const world = worldPerTest();

describe('attribution', () => {
  test('IRC → Matrix: `<nick> text`, relayed chat in the relay lane', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'the gate is red again');
    w.advance(100);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> the gate is red again`]);
    const sent = w.matrix.last();
    assert.equal(sent.priority, 'relay');
    assert.equal(sent.purpose, 'relay');
    assert.equal(sent.relayed, true);
    assert.deepEqual(w.irc.all(), [], 'nothing is echoed back to where it was said');
  });

  test('Matrix → IRC: `<name> text` with a zero-width space inside every word of the name', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, matrixUser('@ana:example.org', 'Ana Banana'), 'looking at it');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na B${Z}anana> looking at it`]);
    assert.deepEqual(w.matrix.all(), []);
  });

  test('a name is capped at 30 characters', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, matrixUser('@long:example.org', 'A'.repeat(45)), 'hi');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}${'A'.repeat(28)}…> hi`]);
  });

  test('two members of a room with one display name are told apart by their Matrix id', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'first');
    w.matrix.say(MATRIX_ROOM, matrixUser('@impostor:evil.example', 'Ana'), 'second');
    w.matrix.say(MATRIX_ROOM, ana, 'third');
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> first`,
      `${IRC_ROOM} message: <A${Z}na (@i${Z}mpostor:e${Z}vil.e${Z}xample)> second`,
      `${IRC_ROOM} message: <A${Z}na (@a${Z}na:e${Z}xample.o${Z}rg)> third`,
    ]);
  });

  test('an impostor hiding invisible or bidi characters in the name is told apart all the same', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'first');
    // Shown as "Ana" on IRC, but not equal to it: without the id, IRC sees Ana say "second".
    w.matrix.say(MATRIX_ROOM, matrixUser('@impostor:evil.example', `A${Z}\u2060n\ufeffa\u202d`), 'second');
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> first`,
      `${IRC_ROOM} message: <A${Z}na (@i${Z}mpostor:e${Z}vil.e${Z}xample)> second`,
    ]);
  });

  test('a bidi override in a name cannot reorder the rest of the relayed line', async () => {
    const w = await world();
    // U+202E, unterminated, would show what follows the name right to left: the message, or a reply's text.
    w.matrix.say(MATRIX_ROOM, matrixUser('@x:example.org', 'eve\u202e\u2067'), 'kcab si rorrim eht');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <e${Z}ve> kcab si rorrim eht`]);
  });

  test('a display name with line breaks and control codes is one clean line', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, matrixUser('@x:example.org', 'evil\r\nQUIT :bye\u0002'), 'hi');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <e${Z}vil Q${Z}UIT :b${Z}ye> hi`]);
  });

  test('a display name cannot fake the attribution: its `<` and `>` become parentheses', async () => {
    const w = await world();
    // As it was, IRC read `<alice> bob> I resign`: words put in alice's mouth.
    w.matrix.say(MATRIX_ROOM, matrixUser('@eve:example.org', 'alice> bob'), 'I resign');
    w.matrix.say(MATRIX_ROOM, matrixUser('@mal:example.org', '<bob'), 'hi', { style: 'emote' });
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <a${Z}lice) b${Z}ob> I resign`,
      `${IRC_ROOM} message: * (b${Z}ob hi`,
    ]);
  });

  test('each line of a multi-line Matrix message is attributed on IRC', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'one\ntwo');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na> one\n<A${Z}na> two`]);
  });
});

describe('names that look like someone else’s', () => {
  const cyrillic = (name: string) =>
    name.replace(/a/g, '\u0430').replace(/o/g, '\u043e').replace(/B/g, '\u0412');

  test('a Matrix name that looks like a contact’s is told apart by its Matrix id; the contact is not', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, matrixUser('@impostor:evil.example', cyrillic('Ana')), 'rollback approved');
    w.matrix.say(MATRIX_ROOM, matrixUser('@x:evil.example', cyrillic('Bo')), 'me too');
    w.matrix.say(MATRIX_ROOM, ana, 'no it is not');
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}n\u0430 (@i${Z}mpostor:e${Z}vil.e${Z}xample)> rollback approved`,
      `${IRC_ROOM} message: <\u0412${Z}\u043e (@x:e${Z}vil.e${Z}xample)> me too`,
      // Two members of the room now show as Ana: the real one is named by her id too, as for equal names.
      `${IRC_ROOM} message: <A${Z}na (@a${Z}na:e${Z}xample.o${Z}rg)> no it is not`,
    ]);
  });

  test('a Matrix name that looks like an IRC nick seen in the group is told apart', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'deploying now');
    w.advance(1000);
    w.matrix.say(
      MATRIX_ROOM,
      matrixUser('@eve:evil.example', cyrillic('alice')),
      'deploy is done, all green',
    );
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <\u0430${Z}lice (@e${Z}ve:e${Z}vil.e${Z}xample)> deploy is done, all green`,
    ]);
  });

  test('an IRC nick that looks like a contact’s, of someone who is not that contact, says so on Matrix', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, ircUser('ana'), 'rollback approved');
    w.advance(1000);
    w.irc.say(IRC_ROOM, ircUser('Cy', 'someone'), 'me too');
    w.advance(1000);
    w.irc.say(IRC_ROOM, ircUser('ana', 'ana'), 'no, it is not');
    w.advance(1000);
    assert.deepEqual(w.matrix.relayed(), [
      `${MATRIX_ROOM} message: <ana (not identified)> rollback approved`,
      `${MATRIX_ROOM} message: <Cy (account someone)> me too`,
      `${MATRIX_ROOM} message: <ana> no, it is not`,
    ]);
  });

  test('a contact who speaks on both sides is not told apart from themselves', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, ircUser('ana', 'ana'), 'on IRC');
    w.advance(1000);
    w.matrix.say(MATRIX_ROOM, ana, 'and on Matrix');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na> and on Matrix`]);
  });

  test('two Matrix members whose names only look alike are told apart', async () => {
    const w = await world();
    const cy = matrixUser('@cy:example.org', 'Dana');
    w.matrix.say(MATRIX_ROOM, cy, 'first');
    w.matrix.say(MATRIX_ROOM, matrixUser('@impostor:evil.example', cyrillic('Dana')), 'second');
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <D${Z}ana> first`,
      `${IRC_ROOM} message: <D${Z}\u0430n\u0430 (@i${Z}mpostor:e${Z}vil.e${Z}xample)> second`,
    ]);
  });
});

describe('what was said to part of a channel', () => {
  test('a message to the channel operators only (IRC STATUSMSG) is not relayed to everyone', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'the root password is on the usual host', { restricted: true });
    w.irc.say(IRC_ROOM, alice, 'the gate is green');
    w.advance(1000);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> the gate is green`]);
  });
});

describe('emotes and notices', () => {
  test('an IRC ACTION becomes an m.emote `nick text`; a Matrix emote reaches IRC as `* name text`', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'restarts zuul', { style: 'emote' });
    w.matrix.say(MATRIX_ROOM, ana, 'waves', { style: 'emote' });
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} emote: alice restarts zuul`]);
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: * A${Z}na waves`]);
  });

  test('notices stay notices both ways', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'build 42 passed', { style: 'notice' });
    w.matrix.say(MATRIX_ROOM, ana, 'deploy started', { style: 'notice' });
    w.advance(100);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} notice: <alice> build 42 passed`]);
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} notice: <A${Z}na> deploy started`]);
  });
});

describe('formatting', () => {
  test('IRC formatting reaches Matrix as RichText; control codes the adapter left in are stripped', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'status: red', {
      rich: [
        text('status\u0002: '),
        text('red', { bold: true, color: { fg: 4 } }),
        text('\u0003\u000f\u0000'),
      ],
    });
    w.advance(100);
    assert.deepEqual(w.matrix.last().body, [
      text('<alice> '),
      text('status: '),
      text('red', { bold: true, color: { fg: 4 } }),
    ]);
  });

  test('Matrix HTML reaches IRC with its formatting', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'mirror is down', {
      rich: matrixHtmlToRich('<b>mirror</b> is <font data-mx-color="#ff0000">down</font>'),
    });
    assert.deepEqual(w.irc.last().body, [
      text(`<A${Z}na> `),
      bold('mirror'),
      text(' is '),
      text('down', { color: { fg: 4 } }),
    ]);
  });

  test('an out-of-palette colour and unknown style keys from an adapter are dropped', async () => {
    const w = await world();
    const style = { color: { fg: 400, bg: 2 }, blink: true } as unknown as { color: { bg: number } };
    w.irc.say(IRC_ROOM, alice, 'x', { rich: [text('x', style)] });
    w.advance(100);
    assert.deepEqual(w.matrix.last().body, [text('<alice> '), text('x', { color: { bg: 2 } })]);
  });

  test('code blocks reach IRC as monospace lines with their indentation', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'see', {
      rich: matrixHtmlToRich('see:<pre><code>if x:\n  fail()</code></pre>'),
    });
    assert.deepEqual(w.irc.last().body, [
      text(`<A${Z}na> `),
      text('see:'),
      { kind: 'line-break' },
      text(`<A${Z}na> `),
      text('if x:', { monospace: true }),
      { kind: 'line-break' },
      text(`<A${Z}na> `),
      text('\u00a0\u00a0fail()', { monospace: true }),
    ]);
  });

  test('a message that is only control characters is not relayed', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, '\u0002\u0003\u000f');
    w.advance(1000);
    assert.deepEqual(w.matrix.all(), []);
  });
});

describe('groups', () => {
  test('every other member of the group gets it, on every network; other groups and DMs get nothing', async () => {
    const w = await world({
      groups: [
        {
          id: 'infra',
          members: [
            { network: 'libera', conversation: '#infra', topic: true, status: true },
            { network: 'oftc', conversation: '#infra-oftc', topic: true, status: true },
            { network: 'matrix', conversation: MATRIX_ROOM, topic: true, status: true },
          ],
          relay: true,
          relayJoinsAndParts: false,
        },
        {
          id: 'quiet',
          members: [
            { network: 'libera', conversation: '#quiet', topic: true, status: true },
            { network: 'matrix', conversation: '#quiet:example.org', topic: true, status: true },
          ],
          relay: false,
          relayJoinsAndParts: false,
        },
      ],
    });
    w.irc.say('#INFRA', alice, 'hello'); // IRC channel names are case-insensitive
    w.irc.say('#quiet', alice, 'not relayed: relay is off for this group');
    w.irc.say('alice', alice, 'a private message', { direct: true });
    w.advance(100);
    assert.deepEqual(w.oftc.relayed(), [`#infra-oftc message: <a${Z}lice> hello`]);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> hello`]);
    assert.deepEqual(w.irc.relayed(), []);
  });
});
