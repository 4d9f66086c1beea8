/**
 * The bridge end to end: InspIRCd 3 with Anope and the test homeserver, firebell with the real adapters,
 * and people on both sides (see ./live-world.ts). One set of servers for the file; tests run in order.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Content } from '../../matrix-homeserver/events.js';
import type { SyncedEvent, TestMatrixClient } from '../../matrix-homeserver/test-client.js';
import type { IrcTestClient, ReceivedLine } from '../../servers/irc-test-client.js';
import type { Bridge } from '../../../src/core/bridge/bridge.js';
import { CHANNEL, startLiveWorld, until, type LiveWorld } from './live-world.js';

const Z = '\u200b';

describe('the bridge between InspIRCd+Anope and a Matrix homeserver', () => {
  let w: LiveWorld;
  before(async () => {
    w = await startLiveWorld();
  });
  after(async () => {
    await w?.stop();
  });

  /** The next relayed event firebell (`bot`, default the first instance) posts whose body matches. */
  const fromBot = (
    client: TestMatrixClient,
    body: string | RegExp,
    bot = w.one.matrixUser.userId,
  ): Promise<SyncedEvent> =>
    client.waitFor(
      (event) =>
        event.event.sender === bot &&
        event.event.type === 'm.room.message' &&
        (typeof body === 'string'
          ? event.event.content.body === body
          : body.test(String(event.event.content.body))),
      10_000,
    );

  /** The next line firebell says in the channel whose text matches, from line index `from`. */
  const inChannel = (client: IrcTestClient, text: string | RegExp, from = 0): Promise<ReceivedLine> =>
    client.waitFor(
      (line) =>
        ['PRIVMSG', 'NOTICE'].includes(line.message.command) &&
        line.message.nick === 'fbone' &&
        line.message.params[0] === CHANNEL &&
        (typeof text === 'string'
          ? line.message.params[1] === text
          : text.test(line.message.params[1] ?? '')),
      { from, timeoutMs: 10_000, what: `firebell saying ${String(text)}` },
    );

  const send = (client: TestMatrixClient, content: Content): Promise<string> =>
    client.send(w.roomId, content);

  test('IRC → Matrix: `<nick> text`, IRC formatting as HTML, HTML typed on IRC stays text, no pings', async () => {
    w.people.bob.say(CHANNEL, '\x02gate\x02 is \x0304red\x03 <script>alert(1)</script> <b>x</b>');
    const event = await fromBot(w.people.zed, /^<bob> gate is red/);
    const content = event.event.content;
    assert.equal(content.body, '<bob> gate is red <script>alert(1)</script> <b>x</b>');
    assert.equal(
      content.formatted_body,
      '&lt;bob&gt; <strong>gate</strong> is <font data-mx-color="#ff0000">red</font> &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt;',
    );
    assert.deepEqual(content['m.mentions'], {});
    assert.equal(content.msgtype, 'm.text');
    assert.equal(content['org.firebell.relayed'], true, 'marked, so that no firebell relays it again');
  });

  test('Matrix → IRC: `<name> text` with a zero-width space in the name, so no one is highlighted', async () => {
    const from = w.people.bob.lines.length;
    await send(w.people.zed, { msgtype: 'm.text', body: 'mirror is down' });
    const line = await inChannel(w.people.bob, `<z${Z}ed> mirror is down`, from);
    assert.equal(line.message.command, 'PRIVMSG');
  });

  test('Matrix → IRC: HTML formatting becomes IRC formatting codes', async () => {
    const from = w.people.bob.lines.length;
    await send(w.people.zed, {
      msgtype: 'm.text',
      body: 'gate is down, run zuul-client',
      format: 'org.matrix.custom.html',
      formatted_body: '<strong>gate</strong> is <em>down</em>, run <code>zuul-client</code>',
    });
    const line = await inChannel(w.people.bob, /gate/, from);
    assert.equal(line.message.params[1], `<z${Z}ed> \x02gate\x0f is \x1ddown\x0f, run \x11zuul-client\x0f`);
  });

  test('emotes and notices, both ways', async () => {
    w.people.bob.send(`PRIVMSG ${CHANNEL} :\x01ACTION restarts zuul\x01`);
    const emote = await fromBot(w.people.zed, 'bob restarts zuul');
    assert.equal(emote.event.content.msgtype, 'm.emote');
    w.people.bob.send(`NOTICE ${CHANNEL} :build 42 passed`);
    const notice = await fromBot(w.people.zed, '<bob> build 42 passed');
    assert.equal(notice.event.content.msgtype, 'm.notice');

    const from = w.people.bob.lines.length;
    await send(w.people.zed, { msgtype: 'm.emote', body: 'waves' });
    await send(w.people.zed, { msgtype: 'm.notice', body: 'deploy started' });
    const action = await inChannel(w.people.bob, `* z${Z}ed waves`, from);
    assert.equal(action.message.command, 'PRIVMSG');
    const noticed = await inChannel(w.people.bob, `<z${Z}ed> deploy started`, from);
    assert.equal(noticed.message.command, 'NOTICE');
  });

  test('an edit reaches IRC as s/old/new/, a bigger one as `* corrected text`', async () => {
    const from = w.people.bob.lines.length;
    const original = await send(w.people.zed, {
      msgtype: 'm.text',
      body: 'the mirror in dfw is broken again',
    });
    const edit = (body: string): Content => ({
      msgtype: 'm.text',
      body: `* ${body}`,
      'm.new_content': { msgtype: 'm.text', body },
      'm.relates_to': { rel_type: 'm.replace', event_id: original },
    });
    await inChannel(w.people.bob, `<z${Z}ed> the mirror in dfw is broken again`, from);
    await send(w.people.zed, edit('the mirror in ord is broken again'));
    await inChannel(w.people.bob, `<z${Z}ed> s/dfw/ord/`, from);
    await send(w.people.zed, edit('never mind, all the mirrors are fine'));
    await inChannel(w.people.bob, `<z${Z}ed> * never mind, all the mirrors are fine`, from);
  });

  test('a reply to an IRC line reaches IRC as `nick: text`', async () => {
    w.people.bob.say(CHANNEL, 'is the gate ok?');
    const relayed = await fromBot(w.people.zed, '<bob> is the gate ok?');
    const from = w.people.bob.lines.length;
    await send(w.people.zed, {
      msgtype: 'm.text',
      body: 'yes, fixed',
      'm.relates_to': { 'm.in_reply_to': { event_id: relayed.event.event_id } },
    });
    await inChannel(w.people.bob, `<z${Z}ed> bob: yes, fixed`, from);
  });

  test('a long Matrix message: its first lines on IRC, the rest on firebell’s page', async () => {
    const from = w.people.bob.lines.length;
    const body = ['one', 'two', 'three', 'four', 'five', 'six'].join('\n');
    await send(w.people.zed, { msgtype: 'm.text', body });
    await inChannel(w.people.bob, `<z${Z}ed> one`, from);
    await inChannel(w.people.bob, `<z${Z}ed> two`, from);
    const last = await inChannel(
      w.people.bob,
      /^<z\u200bed> three \(3 more lines: http:\/\/127\.0\.0\.1:\d+\/m\/\S+\)$/,
      from,
    );
    const url = /(http:\/\/\S+)\)$/.exec(last.message.params[1] ?? '')?.[1] as string;
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(
      await page.text(),
      /^zed \(@zed:example\.org\) in #infra:example\.org \(matrix\), .* UTC\n\none\ntwo\nthree\nfour\nfive\nsix\n$/,
    );
  });

  test('an IRC highlight of a contact is a Matrix mention of that contact', async () => {
    w.people.bob.say(CHANNEL, 'ana: can you look?');
    const event = await fromBot(w.people.zed, '<bob> Ana: can you look?');
    assert.deepEqual(event.event.content['m.mentions'], { user_ids: ['@ana:example.org'] });
    assert.match(
      String(event.event.content.formatted_body),
      /<a href="https:\/\/matrix\.to\/#\/@ana:example\.org">Ana<\/a>/,
    );
  });

  test('a command is answered once on each side and not relayed', async () => {
    const from = w.people.bob.lines.length;
    const sent = await send(w.people.zed, { msgtype: 'm.text', body: '!incidents' });
    const answer = await inChannel(w.people.bob, /^zed: /, from);
    const matrixAnswer = await w.people.zed.waitFor(
      (event) =>
        event.event.sender === w.one.matrixUser.userId && /^zed: /.test(String(event.event.content.body)),
    );
    assert.equal(String(matrixAnswer.event.content.body), answer.message.params[1]);
    assert.deepEqual(
      w.people.bob.messagesFrom('fbone', CHANNEL, from).filter((line) => /!incidents/.test(line.raw)),
      [],
      'the command itself is not relayed',
    );
    assert.ok(sent);
  });

  test('✅ on an announcement acknowledges the incident as the reacting person', async () => {
    const from = w.people.bob.lines.length;
    w.people.ana.say(CHANNEL, '!incident the gate is down');
    const announcement = await w.people.zed.waitFor(
      (event) =>
        event.event.sender === w.one.matrixUser.userId &&
        /^Incident #1 declared/.test(String(event.event.content.body)),
    );
    await w.people.anaMatrix.send(
      w.roomId,
      { 'm.relates_to': { rel_type: 'm.annotation', event_id: announcement.event.event_id, key: '✅' } },
      'm.reaction',
    );
    await inChannel(w.people.bob, /Ana .*#1|#1.*Ana/, from);
    await until(
      () => w.one.firebell.service.get(1)?.phase === 'assigned',
      'incident #1 to be acknowledged',
      10_000,
    );
    assert.equal(w.one.firebell.service.get(1)?.context.assignee?.name, 'Ana');
  });

  test('a Matrix outage: IRC’s share is held, then a note and the messages', async () => {
    const fault = w.hs.faults.add({
      route: 'sync',
      userId: w.one.matrixUser.userId,
      kind: 'error',
      status: 502,
      times: 1_000_000,
    });
    await until(
      () => w.one.matrix.connectionState() === 'disconnected',
      'the Matrix side to be down',
      10_000,
    );
    w.people.bob.say(CHANNEL, 'is matrix down?');
    w.people.bob.say(CHANNEL, 'looks like it');
    const bridge = w.one.firebell.relay as Bridge;
    await until(() => bridge.heldCount() >= 1, 'the lines to be held', 10_000);
    fault.remaining = 0;
    const note = await fromBot(
      w.people.zed,
      /^relay was down from \d\d:\d\d:\d\d to \d\d:\d\d:\d\d UTC; \d messages? follows?, 0 dropped$/,
    );
    const held = Number(/; (\d) message/.exec(String(note.event.content.body))?.[1]);
    const after = await w.people.zed.waitFor(
      (event) =>
        event.event.sender === w.one.matrixUser.userId &&
        /looks like it/.test(String(event.event.content.body)),
      10_000,
    );
    assert.ok(after.event.origin_server_ts >= note.event.origin_server_ts);
    assert.ok(held >= 1 && held <= 2);
  });

  test('two firebells in the same channel and room: each relays once, nothing bounces', async () => {
    const two = await w.startSecond();
    const fromIrc = w.people.bob.lines.length;
    w.people.bob.say(CHANNEL, 'loop check');
    await fromBot(w.people.zed, '<bob> loop check');
    await fromBot(w.people.zed, '<bob> loop check', two.matrixUser.userId);
    await send(w.people.zed, { msgtype: 'm.text', body: 'loop check from matrix' });
    // A sentinel after the test lines: by the time both relays of it arrived, any bounce would have too.
    w.people.bob.say(CHANNEL, 'sentinel');
    await fromBot(w.people.zed, '<bob> sentinel');
    await fromBot(w.people.zed, '<bob> sentinel', two.matrixUser.userId);
    const matrixCopies = w.hs
      .timeline(w.roomId, { type: 'm.room.message' })
      .filter((event) => String(event.content.body).includes('loop check'));
    const ircCopies = w.people.bob.lines
      .slice(fromIrc)
      .filter(
        (line) => line.message.command === 'PRIVMSG' && (line.message.params[1] ?? '').includes('loop check'),
      );
    // Matrix: zed's own line, and bob's line from each firebell. IRC: zed's line from each firebell.
    assert.equal(
      matrixCopies.length,
      3,
      matrixCopies.map((event) => `${event.sender}: ${String(event.content.body)}`).join('\n'),
    );
    assert.equal(ircCopies.length, 2, ircCopies.map((line) => line.raw).join('\n'));
    await two.firebell.stop();
  });
});
