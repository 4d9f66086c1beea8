import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ircUser, matrixUser } from '../../support/fake-network.js';
import {
  infraGroup,
  IRC_ROOM,
  MATRIX_ROOM,
  Z,
  alice,
  ana,
  bob,
  type BridgeWorld,
  worldPerTest,
} from './world.js';

const world = worldPerTest();

describe('coalescing IRC lines into one Matrix message', () => {
  test('lines from one sender within 100 ms of each other become one message', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'one');
    w.advance(60);
    w.irc.say(IRC_ROOM, alice, 'two');
    w.advance(99);
    w.irc.say(IRC_ROOM, alice, 'three');
    w.advance(99);
    assert.deepEqual(w.matrix.all(), [], 'held while lines keep coming');
    w.advance(1);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> one\ntwo\nthree`]);
  });

  test('a pause of 100 ms starts a new message', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'one');
    w.advance(100);
    w.irc.say(IRC_ROOM, alice, 'two');
    w.advance(100);
    assert.deepEqual(w.matrix.relayed(), [
      `${MATRIX_ROOM} message: <alice> one`,
      `${MATRIX_ROOM} message: <alice> two`,
    ]);
  });

  test('a steady stream is sent at least every second', async () => {
    const w = await world();
    for (let i = 0; i < 15; i += 1) {
      w.irc.say(IRC_ROOM, alice, `line ${i}`);
      w.advance(90);
    }
    w.advance(100);
    const sent = w.matrix.relayed();
    assert.equal(sent.length, 2);
    assert.equal(
      sent[0],
      `${MATRIX_ROOM} message: <alice> ${[...Array(12).keys()].map((i) => `line ${i}`).join('\n')}`,
    );
    assert.equal(sent[1], `${MATRIX_ROOM} message: <alice> line 12\nline 13\nline 14`);
  });

  test('another sender or another style sends what is pending first, keeping the order', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'one');
    w.irc.say(IRC_ROOM, bob, 'two');
    w.irc.say(IRC_ROOM, bob, 'three', { style: 'notice' });
    w.irc.say(IRC_ROOM, bob, 'dances', { style: 'emote' });
    w.advance(100);
    assert.deepEqual(w.matrix.relayed(), [
      `${MATRIX_ROOM} message: <alice> one`,
      `${MATRIX_ROOM} message: <bob> two`,
      `${MATRIX_ROOM} notice: <bob> three`,
      `${MATRIX_ROOM} emote: bob dances`,
    ]);
  });

  test('IRC to IRC is not delayed; Matrix to IRC is not coalesced', async () => {
    const w = await world({
      groups: [
        {
          ...infraGroup,
          members: [
            ...infraGroup.members,
            { network: 'oftc', conversation: '#infra', topic: true, status: true },
          ],
        },
      ],
    });
    w.irc.say(IRC_ROOM, alice, 'one');
    w.matrix.say(MATRIX_ROOM, ana, 'two');
    w.matrix.say(MATRIX_ROOM, ana, 'three');
    assert.deepEqual(w.oftc.relayed(), [
      `#infra message: <a${Z}lice> one`,
      `#infra message: <A${Z}na> two`,
      `#infra message: <A${Z}na> three`,
    ]);
    assert.equal(w.irc.relayed().length, 2);
  });

  test('stopping sends what is pending and leaves no timer behind', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'last words');
    await w.stop();
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> last words`]);
    w.advance(5000);
    assert.equal(w.matrix.relayed().length, 1, 'no timer fires after stop');
  });
});

describe('✅ on an incident announcement', () => {
  async function declared(): Promise<{
    w: BridgeWorld;
    ircAnnouncement: string;
    matrixAnnouncement: string;
  }> {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, '!incident gate is down');
    await w.settle();
    const index = (side: typeof w.irc): number =>
      side.network.sent.findIndex((message) => message.purpose === 'announce') + 1;
    return {
      w,
      ircAnnouncement: `libera-out-${index(w.irc)}`,
      matrixAnnouncement: `matrix-out-${index(w.matrix)}`,
    };
  }

  for (const key of ['✅', '✔️', '✔']) {
    test(`${key} acknowledges the incident as the reacting user, answered on both sides`, async () => {
      const { w, matrixAnnouncement } = await declared();
      w.irc.clear();
      w.matrix.clear();
      w.matrix.react(MATRIX_ROOM, ana, matrixAnnouncement, key);
      await w.settle();
      const incident = w.firebell.service.get(1);
      assert.equal(incident?.phase, 'assigned');
      assert.equal(incident?.context.assignee?.name, 'Ana');
      assert.equal(
        w.irc.relayed().length + w.matrix.relayed().length,
        0,
        'the reaction itself is not relayed',
      );
      assert.ok(w.irc.all().some((line) => line.includes('acknowledged')));
      assert.ok(w.matrix.all().some((line) => line.includes('acknowledged')));
    });
  }

  test('permissions apply: an unverified IRC user cannot acknowledge by reaction', async () => {
    const { w, ircAnnouncement } = await declared();
    w.irc.react(IRC_ROOM, bob, ircAnnouncement, '✅');
    await w.settle();
    assert.equal(w.firebell.service.get(1)?.phase, 'announced');
  });

  test('other reactions, and ✅ on anything but an announcement, do nothing and are not relayed', async () => {
    const { w, matrixAnnouncement } = await declared();
    const chat = w.matrix.say(MATRIX_ROOM, ana, 'hello');
    w.irc.clear();
    w.matrix.clear();
    w.matrix.react(MATRIX_ROOM, ana, matrixAnnouncement, '👍');
    w.matrix.react(MATRIX_ROOM, ana, chat, '✅');
    w.matrix.react(MATRIX_ROOM, ana, 'libera-out-1', '✅');
    await w.settle();
    assert.equal(w.firebell.service.get(1)?.phase, 'announced');
    assert.deepEqual([...w.irc.all(), ...w.matrix.all()], []);
  });
});

describe('joins and parts', () => {
  test('not relayed by default', async () => {
    const w = await world();
    w.irc.membership(IRC_ROOM, alice, 'join');
    w.matrix.membership(MATRIX_ROOM, ana, 'part');
    assert.deepEqual([...w.irc.all(), ...w.matrix.all()], []);
  });

  test('relayed as notices when the group asks for it; netsplit quits never', async () => {
    const w = await world({ groups: [{ ...infraGroup, relayJoinsAndParts: true }] });
    w.irc.membership(IRC_ROOM, alice, 'join');
    w.irc.membership(IRC_ROOM, bob, 'quit', { reason: 'Quit: bye\r\nPRIVMSG #x :hi' });
    w.irc.membership(IRC_ROOM, ircUser('carol'), 'quit', { reason: '*.net *.split', netsplit: true });
    w.matrix.membership(MATRIX_ROOM, ana, 'join');
    w.matrix.membership(MATRIX_ROOM, ana, 'part');
    w.irc.membership(IRC_ROOM, ircUser('dave'), 'kick', { reason: 'spam' });
    assert.deepEqual(w.matrix.relayed(), [
      `${MATRIX_ROOM} notice: * alice joined`,
      `${MATRIX_ROOM} notice: * bob quit (Quit: bye PRIVMSG #x :hi)`,
      `${MATRIX_ROOM} notice: * dave was kicked (spam)`,
    ]);
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} notice: * A${Z}na joined`,
      `${IRC_ROOM} notice: * A${Z}na left`,
    ]);
  });
});

describe('loops and commands', () => {
  test('a message another firebell relayed is never relayed again', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, '<alice> hi', { relayedByBot: true });
    w.irc.say(IRC_ROOM, ircUser('firebell2'), '<Ana> hi', { relayedByBot: true });
    w.advance(1000);
    assert.deepEqual([...w.irc.all(), ...w.matrix.all()], []);
  });

  test('configured patterns ignore other relay bots and puppets, anchored as written', async () => {
    const w = await world({
      bridge: {
        ignoreIrcNicks: ['^matterbridge$', '\\[m\\]$'],
        ignoreMatrixUsers: ['^@irc_.*:example\\.org$', '['],
      },
    });
    w.irc.say(IRC_ROOM, ircUser('MatterBridge'), 'relayed from elsewhere');
    w.irc.say(IRC_ROOM, ircUser('alice[m]'), 'a puppet');
    w.irc.say(IRC_ROOM, ircUser('matterbridge2'), 'not matched: the pattern is anchored');
    w.matrix.say(MATRIX_ROOM, matrixUser('@irc_bob:example.org', 'bob'), 'puppet');
    w.matrix.say(MATRIX_ROOM, matrixUser('@irc_bob:elsewhere.org', 'bob'), 'another server');
    w.advance(100);
    assert.deepEqual(w.matrix.relayed(), [
      `${MATRIX_ROOM} message: <matterbridge2> not matched: the pattern is anchored`,
    ]);
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <b${Z}ob> another server`]);
  });

  test('a command is answered once on every side and not relayed', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, '!help');
    await w.settle();
    assert.deepEqual(w.irc.relayed(), []);
    assert.deepEqual(w.matrix.relayed(), []);
    assert.equal(w.irc.all().length, 1);
    assert.equal(w.matrix.all().length, 1);
    assert.equal(w.irc.last().purpose, 'reply');
    assert.deepEqual(w.irc.last().body, w.matrix.last().body);
  });

  test('firebell’s own announcement goes natively to each side, once', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, '!incident gate is down');
    await w.settle();
    w.advance(1000);
    for (const side of [w.irc, w.matrix]) {
      assert.equal(side.network.sent.filter((message) => message.purpose === 'announce').length, 1);
      assert.deepEqual(side.relayed(), []);
    }
  });
});

describe('outage', () => {
  test('a down side’s share is held; on recovery a note, then the messages', async () => {
    const w = await world();
    w.matrix.connection('connected');
    w.advance(60_000);
    w.matrix.connection('disconnected');
    w.irc.say(IRC_ROOM, alice, 'is matrix down?');
    w.advance(100);
    w.irc.say(IRC_ROOM, bob, 'looks like it');
    w.advance(10 * 60_000);
    assert.deepEqual(w.matrix.all(), []);
    w.matrix.connection('connecting');
    w.advance(5_000);
    w.matrix.connection('connected');
    await w.settle(); // the note is firebell's own words: stored before it is sent
    assert.deepEqual(w.matrix.all(), [
      `${MATRIX_ROOM} notice: relay was down from 15:01:00 to 15:11:05 UTC; 2 messages follow, 0 dropped`,
      `${MATRIX_ROOM} message: <alice> is matrix down?`,
      `${MATRIX_ROOM} message: <bob> looks like it`,
    ]);
    assert.equal(w.matrix.network.sent[0]?.relayed, undefined, 'the note is firebell’s own words');
  });

  test('the share is bounded; the oldest are dropped and counted', async () => {
    const w = await world({ tuning: { outageQueueLimit: 3 } });
    w.irc.connection('connected');
    w.irc.connection('disconnected');
    for (const word of ['one', 'two', 'three', 'four', 'five']) w.matrix.say(MATRIX_ROOM, ana, word);
    w.irc.connection('connected');
    await w.settle();
    assert.deepEqual(w.irc.all(), [
      `${IRC_ROOM} notice: relay was down from 15:00:00 to 15:00:00 UTC; 3 messages follow, 2 dropped`,
      `${IRC_ROOM} message: <A${Z}na> three`,
      `${IRC_ROOM} message: <A${Z}na> four`,
      `${IRC_ROOM} message: <A${Z}na> five`,
    ]);
  });

  test('no note when nothing was missed; a network that never connected is left to its own queue', async () => {
    const w = await world();
    w.irc.connection('connected');
    w.irc.connection('disconnected');
    w.irc.connection('connected');
    w.matrix.connection('connecting');
    w.irc.say(IRC_ROOM, alice, 'hello');
    w.advance(100);
    assert.deepEqual(w.irc.all(), []);
    assert.deepEqual(w.matrix.relayed(), [`${MATRIX_ROOM} message: <alice> hello`]);
  });

  test('an outage spanning midnight names the dates', async () => {
    const w = await world();
    w.irc.connection('connected');
    w.irc.connection('disconnected');
    w.matrix.say(MATRIX_ROOM, ana, 'anyone?');
    w.advance(10 * 60 * 60_000);
    w.irc.connection('connected');
    await w.settle();
    assert.equal(
      w.irc.all()[0],
      `${IRC_ROOM} notice: relay was down from 2026-11-25 15:00:00 to 2026-11-26 01:00:00 UTC; 1 message follows, 0 dropped`,
    );
  });
});
