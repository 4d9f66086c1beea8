import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IRC_ATTRIBUTED_LINE_BYTES, utf8Length } from '../../../src/core/bridge/irc-lines.js';
import { renderIrc, stripIrcFormatting } from '../../../src/core/format/irc-format.js';
import { matrixHtmlToRich } from '../../../src/core/format/matrix-html-to-rich.js';
import { link, mention, text } from '../../../src/core/rich-text.js';
import { personRefOf } from '../../../src/core/directory.js';
import { contacts } from '../../support/config-fixture.js';
import { matrixUser } from '../../support/fake-network.js';
import { IRC_ROOM, MATRIX_ROOM, Z, alice, ana, bob, worldPerTest } from './world.js';

const cy = matrixUser('@cy:example.org', 'Cy');
const anaContact = personRefOf(contacts[0] as (typeof contacts)[number]);
const MIN = 60_000;

const world = worldPerTest();

describe('mentions of known contacts', () => {
  test('an IRC highlight of a contact becomes a Matrix mention of that contact; anything else is text', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'ana: can you look? bo and alice too, not banana');
    w.advance(100);
    assert.deepEqual(w.matrix.last().body, [
      text('<alice> '),
      mention(anaContact),
      text(': can you look? bo and alice too, not banana'),
    ]);
  });

  test('a highlight inside the line, in another case, with punctuation around it', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'ping ANA, please (ana)');
    w.advance(100);
    assert.deepEqual(w.matrix.last().body, [
      text('<alice> '),
      text('ping '),
      mention(anaContact),
      text(', please ('),
      mention(anaContact),
      text(')'),
    ]);
  });

  test('no highlight inside a nick-like word or in monospace', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, 'ana_ and ana-b', {
      rich: [text('ana_ and ana-b '), text('ana', { monospace: true })],
    });
    w.advance(100);
    assert.deepEqual(w.matrix.last().body, [
      text('<alice> '),
      text('ana_ and ana-b '),
      text('ana', { monospace: true }),
    ]);
  });

  test('a Matrix pill of a contact becomes their IRC nick; of anyone else, an unhighlightable name', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, cy, 'hi', {
      rich: matrixHtmlToRich(
        '<a href="https://matrix.to/#/@ana:example.org">Ana</a> and <a href="https://matrix.to/#/@zed:example.org">zed</a>: hi',
      ),
    });
    assert.deepEqual(w.irc.last().body, [
      text(`<C${Z}y> `),
      text('ana'),
      text(' and '),
      text(`z${Z}ed`),
      text(': hi'),
    ]);
  });

  test('a mention in relayed Matrix text pings nobody new: only contacts stay mentions', async () => {
    const w = await world({
      groups: [
        {
          id: 'infra',
          members: [
            { network: 'matrix', conversation: MATRIX_ROOM, topic: true, status: true },
            { network: 'matrix', conversation: '#infra2:example.org', topic: true, status: true },
          ],
          relay: true,
          relayJoinsAndParts: false,
        },
      ],
    });
    w.matrix.say(MATRIX_ROOM, cy, 'x', {
      rich: [
        mention({ name: 'Ana', matrix: { userId: '@ana:example.org' } }),
        text(' '),
        mention({ name: 'zed', matrix: { userId: '@zed:example.org' } }),
      ],
    });
    assert.deepEqual(w.matrix.last().body, [text('<Cy> '), mention(anaContact), text(' '), text('zed')]);
  });
});

describe('long messages from Matrix', () => {
  const fiveLines = 'one\ntwo\nthree\nfour\nfive';

  test('more than maxLines lines: the first lines, then `(N more lines: <link>)` to firebell’s page', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, fiveLines);
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> one\n<A${Z}na> two\n<A${Z}na> three (2 more lines: https://firebell.example.org/m/0-token0001)`,
    ]);
    assert.deepEqual(w.irc.last().body.slice(-3), [
      text(' (2 more lines: '),
      link('https://firebell.example.org/m/0-token0001'),
      text(')'),
    ]);
    assert.deepEqual(await w.longMessages.load('0-token0001'), {
      sender: 'Ana (@ana:example.org)',
      network: 'matrix',
      conversation: MATRIX_ROOM,
      at: w.clock.now(),
      text: fiveLines,
    });
  });

  test('the page names the sender once, with their Matrix id', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'hi');
    w.matrix.say(MATRIX_ROOM, matrixUser('@other:example.org', 'Ana'), fiveLines);
    assert.equal((await w.longMessages.load('0-token0001'))?.sender, 'Ana (@other:example.org)');
  });

  test('Matrix gets the whole message; the limit is configurable', async () => {
    const w = await world({ bridge: { maxLines: 5 } });
    w.irc.say(IRC_ROOM, alice, 'x');
    w.matrix.say(MATRIX_ROOM, ana, fiveLines);
    assert.equal(w.irc.relayed().length, 1);
    assert.equal(w.irc.relayed()[0]?.split('\n').length, 5);
  });

  test('without a public URL the marker says plainly that lines were left out', async () => {
    const w = await world({ publicUrl: null });
    w.matrix.say(MATRIX_ROOM, ana, fiveLines);
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> one\n<A${Z}na> two\n<A${Z}na> three (2 more lines not shown)`,
    ]);
    await w.settle();
    assert.deepEqual(
      [w.store.rows('SELECT slot FROM long_messages'), w.store.rows('SELECT key FROM kv')],
      [[], []],
      'nothing is stored when there is no page to show it',
    );
  });

  test('one very long line is cut at about maxLines IRC lines, with a link to the rest', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'x'.repeat(5000));
    const line = w.irc.relayed()[0] ?? '';
    assert.ok(line.startsWith(`${IRC_ROOM} message: <A${Z}na> xxx`));
    assert.ok(line.endsWith('x… (full message: https://firebell.example.org/m/0-token0001)'), line);
    // Sent as IRC lines that each fit with their attribution, every one of them attributed.
    const shown = line.slice(`${IRC_ROOM} message: `.length).split('\n');
    assert.ok(
      shown.every((piece) => piece.startsWith(`<A${Z}na> x`)),
      line,
    );
    const before = line.slice(0, line.indexOf('…'));
    assert.equal(before.match(/x/g)?.length, 1197, '3 lines of 400 bytes, less the ellipsis');
  });

  test('a line too long for one IRC line is cut into attributed lines, never an unattributed rest', async () => {
    const w = await world();
    // The IRC adapter cuts what does not fit in 512 bytes; a rest without `<name> ` would read as firebell's own
    // words ("Incident 12 is resolved"), in its nick, on a line of its own.
    const padding = 'word '.repeat(75);
    w.matrix.say(MATRIX_ROOM, ana, `${padding}Incident 12 is resolved, no need to page anyone`, {
      rich: [text(padding, { bold: true }), text('Incident 12 is resolved, no need to page anyone')],
    });
    const lines = renderIrc(w.irc.last().body).split('\n');
    assert.ok(lines.length > 1);
    for (const line of lines) {
      assert.ok(line.startsWith(`<A${Z}na> `), line);
      assert.ok(utf8Length(line) <= IRC_ATTRIBUTED_LINE_BYTES, `${utf8Length(line)} bytes`);
    }
    assert.equal(
      lines.map((line) => stripIrcFormatting(line).slice(`<A${Z}na> `.length)).join(' '),
      `${padding.trim()} Incident 12 is resolved, no need to page anyone`,
      'every word is shown, once',
    );
  });

  test('blank lines do not count and are not sent', async () => {
    const w = await world();
    w.matrix.say(MATRIX_ROOM, ana, 'one\n\n\ntwo\n   \nthree');
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na> one\n<A${Z}na> two\n<A${Z}na> three`]);
  });
});

describe('edits', () => {
  test('a small edit reaches IRC as s/old/new/', async () => {
    const w = await world();
    const id = w.matrix.say(MATRIX_ROOM, ana, 'the mirror in dfw is broken again');
    w.matrix.say(MATRIX_ROOM, ana, 'the mirror in ord is broken again', { editOf: { messageId: id } });
    assert.deepEqual(w.irc.relayed().at(-1), `${IRC_ROOM} message: <A${Z}na> s/dfw/ord/`);
  });

  test('an insertion is anchored on the word before it', async () => {
    const w = await world();
    const id = w.matrix.say(MATRIX_ROOM, ana, 'the mirror in dfw is broken');
    w.matrix.say(MATRIX_ROOM, ana, 'the mirror in dfw is broken again', { editOf: { messageId: id } });
    assert.deepEqual(w.irc.relayed().at(-1), `${IRC_ROOM} message: <A${Z}na> s/broken/broken again/`);
  });

  test('a larger edit, a short one, or an ambiguous one reaches IRC as `* corrected text`', async () => {
    const w = await world();
    const long = w.matrix.say(MATRIX_ROOM, ana, 'the mirror in dfw is broken again');
    w.matrix.say(MATRIX_ROOM, ana, 'actually all the mirrors are fine now', { editOf: { messageId: long } });
    const short = w.matrix.say(MATRIX_ROOM, ana, 'gate is ok');
    w.matrix.say(MATRIX_ROOM, ana, 'gate is red', { editOf: { messageId: short } });
    const twice = w.matrix.say(MATRIX_ROOM, ana, 'the dfw gate is red and the ord gate is red');
    w.matrix.say(MATRIX_ROOM, ana, 'the dfw gate is red and the ord gate is green', {
      editOf: { messageId: twice },
    });
    assert.deepEqual(
      w.irc
        .relayed()
        .slice(1)
        .filter((_, index) => index % 2 === 0),
      [
        `${IRC_ROOM} message: <A${Z}na> * actually all the mirrors are fine now`,
        `${IRC_ROOM} message: <A${Z}na> * gate is red`,
        `${IRC_ROOM} message: <A${Z}na> * the dfw gate is red and the ord gate is green`,
      ],
    );
  });

  test('edits diff against the last version; an unchanged edit and an edit of an unknown message', async () => {
    const w = await world();
    const id = w.matrix.say(MATRIX_ROOM, ana, 'the mirror in dfw is broken again');
    w.matrix.say(MATRIX_ROOM, ana, 'the mirror in ord is broken again', { editOf: { messageId: id } });
    w.matrix.say(MATRIX_ROOM, ana, 'the mirror in iad is broken again', { editOf: { messageId: id } });
    w.matrix.say(MATRIX_ROOM, ana, 'the mirror in iad is broken again', { editOf: { messageId: id } });
    w.matrix.say(MATRIX_ROOM, ana, 'something I said long ago', { editOf: { messageId: '$gone' } });
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> the mirror in dfw is broken again`,
      `${IRC_ROOM} message: <A${Z}na> s/dfw/ord/`,
      `${IRC_ROOM} message: <A${Z}na> s/ord/iad/`,
      `${IRC_ROOM} message: <A${Z}na> * something I said long ago`,
    ]);
  });

  test("an edit of someone else's message is that person's words, not a correction of the original", async () => {
    const w = await world();
    // Matrix servers do not check who edits; clients ignore an edit from anyone but the sender (CS API,
    // "Validity of replacement events"). Shown as a correction, or remembered as Cy's text, it puts words in Cy's mouth.
    const question = w.matrix.say(MATRIX_ROOM, cy, 'who restarted the zuul scheduler this morning?');
    w.matrix.say(
      MATRIX_ROOM,
      matrixUser('@mallory:evil.example', 'Mallory'),
      'who broke the zuul scheduler this morning?',
      {
        editOf: { messageId: question },
      },
    );
    w.advance(6 * MIN);
    w.matrix.say(MATRIX_ROOM, ana, 'me', { replyTo: { messageId: question } });
    assert.deepEqual(w.irc.relayed().slice(1), [
      `${IRC_ROOM} message: <M${Z}allory> * who broke the zuul scheduler this morning?`,
      `${IRC_ROOM} message: <A${Z}na> C${Z}y: "who restarted the zuul schedule…" <- me`,
    ]);
  });

  test('an edit into a command is neither run nor relayed', async () => {
    const w = await world();
    const id = w.matrix.say(MATRIX_ROOM, ana, 'typo');
    w.matrix.say(MATRIX_ROOM, ana, '!incident gate is down', { editOf: { messageId: id } });
    await w.settle();
    assert.deepEqual(w.irc.all(), [`${IRC_ROOM} message: <A${Z}na> typo`]);
    assert.equal(w.firebell.service.open().length, 0);
  });
});

describe('replies', () => {
  test('a Matrix reply to a relayed IRC message reaches IRC as `nick: text`, highlighting them', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, bob, 'is the gate ok?');
    w.advance(100);
    await w.settle(); // the delivery's event id comes back from the outbox
    const copy = w.matrix.network.sent.length;
    const relayedId = `matrix-out-${copy}`;
    w.matrix.say(MATRIX_ROOM, ana, 'yes, fixed', { replyTo: { messageId: relayedId } });
    assert.deepEqual(w.irc.relayed(), [`${IRC_ROOM} message: <A${Z}na> bob: yes, fixed`]);
  });

  test('a reply to a Matrix message names its sender without highlighting; an old one is quoted', async () => {
    const w = await world();
    const question = w.matrix.say(MATRIX_ROOM, cy, 'who restarted the zuul scheduler this morning?');
    w.advance(4 * MIN);
    w.matrix.say(MATRIX_ROOM, ana, 'me', { replyTo: { messageId: question } });
    w.advance(2 * MIN);
    w.matrix.say(MATRIX_ROOM, ana, 'me again', { replyTo: { messageId: question } });
    assert.deepEqual(w.irc.relayed().slice(1), [
      `${IRC_ROOM} message: <A${Z}na> C${Z}y: me`,
      `${IRC_ROOM} message: <A${Z}na> C${Z}y: "who restarted the zuul schedule…" <- me again`,
    ]);
  });

  test('a reply to firebell’s own message names firebell; a reply to something unknown is plain', async () => {
    const w = await world();
    w.irc.say(IRC_ROOM, alice, '!incident gate is down');
    await w.settle();
    const announcement = w.matrix.network.sent.findIndex((message) => message.purpose === 'announce');
    w.matrix.say(MATRIX_ROOM, ana, 'on it', { replyTo: { messageId: `matrix-out-${announcement + 1}` } });
    w.matrix.say(MATRIX_ROOM, ana, 'sure', { replyTo: { messageId: '$unknown' } });
    assert.deepEqual(w.irc.relayed(), [
      `${IRC_ROOM} message: <A${Z}na> f${Z}irebell: on it`,
      `${IRC_ROOM} message: <A${Z}na> sure`,
    ]);
  });
});

describe('between two Matrix rooms, and to the shell', () => {
  const twoRooms = {
    groups: [
      {
        id: 'infra',
        members: [
          { network: 'matrix', conversation: MATRIX_ROOM, topic: true, status: true },
          { network: 'matrix', conversation: '#infra2:example.org', topic: true, status: true },
          { network: 'shell', conversation: '#infra', topic: true, status: true },
        ],
        relay: true,
        relayJoinsAndParts: false,
      },
    ],
  };

  test('a reply is a reply relation to the relayed copy in the other room', async () => {
    const w = await world(twoRooms);
    const question = w.matrix.say(MATRIX_ROOM, ana, 'is the gate ok?');
    assert.equal(w.matrix.last().to.network, 'matrix');
    const copy = `matrix-out-${w.matrix.network.sent.length}`;
    await w.settle(); // the delivery's event id comes back from the outbox
    w.matrix.say(MATRIX_ROOM, cy, 'yes', { replyTo: { messageId: question } });
    assert.equal(w.matrix.last().replyTo, copy);
    assert.deepEqual(w.matrix.relayed().at(-1), '#infra2:example.org message: <Cy> yes');
    await w.settle();
    w.matrix.say('#infra2:example.org', cy, 'really', { replyTo: { messageId: copy } });
    assert.equal(w.matrix.last().replyTo, question, 'and back: to the original');
  });

  test('the shell gets plain `<name> text`, replies as `name: text`', async () => {
    const w = await world(twoRooms);
    const question = w.matrix.say(MATRIX_ROOM, ana, 'is the gate ok?');
    w.matrix.say(MATRIX_ROOM, cy, 'yes', { replyTo: { messageId: question } });
    w.matrix.say(MATRIX_ROOM, cy, 'nods', { style: 'emote' });
    assert.deepEqual(w.shell.relayed(), [
      '#infra message: <Ana> is the gate ok?',
      '#infra message: <Cy> Ana: yes',
      '#infra message: * Cy nods',
    ]);
  });
});
