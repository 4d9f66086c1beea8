/**
 * Checks that run the same way against every real server (InspIRCd with services, bare ngIRCd): each takes
 * a running bot, a human test client in the bot's channel, and asserts what the human sees on the wire.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rich, type RichText } from '../../../src/core/rich-text.js';
import type { OutboundMessage, Priority } from '../../../src/core/messages.js';
import type { IrcTestClient, ReceivedLine } from '../../servers/irc-test-client.js';
import { STATUS_REPLY, waitJoined, type RunningBot } from './bot-harness.js';
import { until } from './helpers.js';

export interface Scene {
  readonly bot: RunningBot;
  readonly botNick: string;
  readonly channel: string;
  /** A human in `channel`. */
  readonly human: IrcTestClient;
}

const isPrivmsgFrom =
  (nick: string, target: string, text?: string) =>
  (line: ReceivedLine): boolean =>
    line.message.command === 'PRIVMSG' &&
    line.message.nick.toLowerCase() === nick.toLowerCase() &&
    (line.message.params[0] ?? '').toLowerCase() === target.toLowerCase() &&
    (text === undefined || line.message.params[1] === text);

export function say(
  bot: RunningBot,
  conversation: string,
  body: RichText,
  priority: Priority = 'normal',
  purpose?: string,
): void {
  const message: OutboundMessage = {
    to: { network: bot.network.id, conversation },
    body,
    style: 'message',
    priority,
    ...(purpose === undefined ? {} : { purpose }),
  };
  bot.network.send(message, (outcome) => {
    if (outcome.status === 'delivered') bot.events.delivered(message);
  });
}

/** `!status` in the channel and in a private message each get the responder's reply where they were asked. */
export async function commandRoundTrips(scene: Scene): Promise<void> {
  const { human, botNick, channel, bot } = scene;
  const before = bot.commands.length;
  let from = human.lines.length;
  human.say(channel, '!status');
  await human.waitFor(isPrivmsgFrom(botNick, channel, STATUS_REPLY), {
    from,
    what: 'the reply in the channel',
  });
  from = human.lines.length;
  human.say(botNick, '!status');
  await human.waitFor(isPrivmsgFrom(botNick, human.nick, STATUS_REPLY), {
    from,
    what: 'the reply in private',
  });
  const [inChannel, inPrivate] = bot.commands.slice(before);
  assert.deepEqual(inChannel?.conversation, { network: bot.network.id, id: channel, direct: false });
  assert.deepEqual(inPrivate?.conversation, { network: bot.network.id, id: human.nick, direct: true });
  assert.equal(inChannel?.sender.id, human.nick);
}

/** Our own lines come back with echo-message (where offered) and must not reach the core as messages. */
export async function ownEchoesIgnored(scene: Scene): Promise<void> {
  const { human, botNick, channel, bot } = scene;
  const before = bot.events.messages.length;
  const from = human.lines.length;
  say(scene.bot, channel, rich('!status'));
  await human.waitFor(isPrivmsgFrom(botNick, channel, '!status'), { from });
  // A round trip after it: anything the echo would have caused has arrived by then.
  await commandRoundTrips(scene);
  const fromBot = bot.events.messages.slice(before).filter((message) => message.sender.id === botNick);
  assert.deepEqual(fromBot, []);
}

/** Notices reach the core with style 'notice' (which never runs commands), actions as emotes. */
export async function noticesActionsAndCtcp(scene: Scene): Promise<void> {
  const { human, botNick, channel, bot } = scene;
  const before = bot.events.messages.length;
  const commandsBefore = bot.commands.length;
  human.send(`NOTICE ${channel} :!status`);
  human.send(`PRIVMSG ${channel} :\x01ACTION looks at the graphs\x01`);
  human.send(`PRIVMSG ${botNick} :\x01PING 12345\x01`);
  const from = human.lines.length;
  human.send(`PRIVMSG ${botNick} :\x01VERSION\x01`);
  const version = await human.waitFor(
    (line) => line.message.command === 'NOTICE' && line.message.nick === botNick,
    { from, what: 'the VERSION reply' },
  );
  assert.equal(version.message.params[1], '\x01VERSION firebell incident bot (admin: ops@firebell.test)\x01');
  await until(() => bot.events.messages.length >= before + 2, 'the notice and the action');
  const [notice, action, ...rest] = bot.events.messages.slice(before);
  assert.deepEqual([notice?.style, notice?.text], ['notice', '!status']);
  assert.deepEqual([action?.style, action?.text], ['emote', 'looks at the graphs']);
  assert.deepEqual(rest, [], 'CTCP PING and VERSION are not messages');
  assert.equal(bot.commands.length, commandsBefore);
  assert.ok(human.messagesFrom(botNick).every((line) => !(line.message.params[1] ?? '').includes('PING')));
}

/** CR, LF and NUL in outgoing text never become protocol: no QUIT, two harmless lines, still connected. */
export async function injectionIsHarmless(scene: Scene): Promise<void> {
  const { human, botNick, channel, bot } = scene;
  const from = human.lines.length;
  say(scene.bot, channel, rich('first line\r\nQUIT :bye\u0000 tail\nPRIVMSG #other :x'));
  await human.waitFor(isPrivmsgFrom(botNick, channel, 'PRIVMSG #other :x'), { from, what: 'the third line' });
  const seen = human.messagesFrom(botNick, channel, from).map((line) => line.message.params[1]);
  assert.deepEqual(seen, ['first line', 'QUIT :bye tail', 'PRIVMSG #other :x']);
  // A target with protocol in it is refused, not sent.
  say(scene.bot, `${channel}\r\nQUIT :bye`, rich('x'));
  assert.equal(bot.log.matching('not an IRC nick or channel', 'warn').length > 0, true);
  await commandRoundTrips(scene);
  const quits = human.lines.slice(from).filter((line) => line.message.command === 'QUIT');
  assert.deepEqual(quits, []);
  assert.equal(bot.network.connectionState(), 'connected');
}

/**
 * A long multibyte text arrives cut into lines that fit 512 bytes as relayed (prefix included), nothing
 * lost or garbled, and formatting reopened on each continuation.
 */
export async function longTextIsSplitByBytes(scene: Scene): Promise<void> {
  const { human, botNick, channel } = scene;
  const words = Array.from({ length: 120 }, (_, index) => `wörd${index}-日本語-👩‍💻`);
  const from = human.lines.length;
  say(scene.bot, channel, [{ kind: 'text', text: words.join(' '), style: { bold: true } }]);
  await human.waitFor(isPrivmsgFrom(botNick, channel), { from });
  await until(
    () =>
      human
        .messagesFrom(botNick, channel, from)
        .map((line) => line.message.params[1] ?? '')
        .join(' ')
        .includes('wörd119'),
    'every part of the long text',
  );
  const lines = human.messagesFrom(botNick, channel, from);
  assert.ok(lines.length >= 3, `expected the text in several lines, got ${lines.length}`);
  for (const line of lines) {
    assert.ok(Buffer.byteLength(line.raw) <= 510, `a relayed line of ${Buffer.byteLength(line.raw)} bytes`);
    assert.ok((line.message.params[1] ?? '').startsWith('\x02'), 'every line is bold');
    assert.ok(!(line.message.params[1] ?? '').includes('\uFFFD'), 'no broken UTF-8');
  }
  const text = lines.map((line) => (line.message.params[1] ?? '').replace(/[\x02\x0f]/g, '')).join(' ');
  assert.equal(text, words.join(' '));
}

export interface FloodFigures {
  readonly linesPerSecond: number;
  readonly replyWaitMs: number;
}

/**
 * 200 queued bulk lines drain at the configured rate without a disconnect, while a `!status` reply sent in
 * the middle jumps the queue.
 */
export async function floodDrainsAtRateWhileUrgentJumps(scene: Scene, rate: number): Promise<FloodFigures> {
  const { human, botNick, channel, bot } = scene;
  const disconnectsBefore = bot.events.states.filter((entry) => entry.state === 'disconnected').length;
  const from = human.lines.length;
  for (let index = 0; index < 200; index += 1) say(scene.bot, channel, rich(`bulk ${index}`), 'bulk');
  const bulk = (): ReceivedLine[] =>
    human
      .messagesFrom(botNick, channel, from)
      .filter((line) => (line.message.params[1] ?? '').startsWith('bulk '));
  await until(() => bulk().length >= 40, '40 bulk lines', 10_000);
  const asked = performance.now();
  human.say(channel, '!status');
  const reply = await human.waitFor(isPrivmsgFrom(botNick, channel, STATUS_REPLY), {
    from,
    what: 'the reply',
  });
  const replyWaitMs = reply.at - asked;
  await until(() => bulk().length === 200, 'all 200 bulk lines', 20_000);
  const lines = bulk();
  assert.deepEqual(
    lines.map((line) => line.message.params[1]),
    Array.from({ length: 200 }, (_, index) => `bulk ${index}`),
    'every bulk line, in order',
  );
  // The rate after the burst: lines 20..199.
  const first = lines[20] as ReceivedLine;
  const last = lines[199] as ReceivedLine;
  const linesPerSecond = (199 - 20) / ((last.at - first.at) / 1000);
  assert.ok(
    linesPerSecond <= rate * 1.1 && linesPerSecond >= rate * 0.8,
    `drained at ${linesPerSecond.toFixed(1)} lines/s, configured ${rate}`,
  );
  assert.ok(reply.at < last.at, 'the reply went out before the queue drained');
  assert.ok(replyWaitMs < 500, `the reply waited ${replyWaitMs.toFixed(0)} ms behind the bulk lines`);
  assert.equal(bot.events.states.filter((entry) => entry.state === 'disconnected').length, disconnectsBefore);
  assert.equal(bot.network.connectionState(), 'connected');
  return { linesPerSecond, replyWaitMs };
}

/** Topic set (the bot is a channel operator), read back, and changes by others seen. */
export async function topicSetAndRead(scene: Scene, opChannel: string): Promise<void> {
  const { human, bot } = scene;
  const from = human.lines.length;
  const result = await bot.network.setTopic(opChannel, 'Incident #1: investigating\r\nQUIT :bye');
  assert.deepEqual(result, { ok: true });
  const topic = await human.waitFor((line) => line.message.command === 'TOPIC', { from });
  assert.equal(topic.message.params[1], 'Incident #1: investigating QUIT :bye');
  assert.equal(await bot.network.getTopic(opChannel), 'Incident #1: investigating QUIT :bye');
}

/** Without channel operator rights on a +t channel, setTopic says why, within its timeout. */
export async function topicRefusedWithoutRights(
  scene: Scene,
  lockedChannel: string,
  topicThere: string,
): Promise<void> {
  const { bot } = scene;
  assert.equal(await bot.network.getTopic(lockedChannel), topicThere);
  const started = performance.now();
  const result = await bot.network.setTopic(lockedChannel, 'firebell was here');
  assert.equal(result.ok, false);
  assert.match(
    result.ok ? '' : result.reason,
    new RegExp(`not a channel operator in ${lockedChannel.replace('#', '\\#')}`),
  );
  assert.ok(performance.now() - started < 5000);
  assert.equal(bot.log.matching(`cannot set the topic of ${lockedChannel}`, 'warn').length, 1);
}

export interface Restartable {
  crash(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * The server dies; a page queued meanwhile waits; the server comes back; the bot reconnects within its
 * backoff, rejoins, and the page arrives exactly once. `rejoinHuman` reconnects the test's human.
 */
export async function survivesServerRestart(
  scene: Omit<Scene, 'human'>,
  server: Restartable,
  rejoinHuman: () => Promise<IrcTestClient>,
): Promise<void> {
  const { bot, botNick, channel } = scene;
  const logMark = bot.log.entries.length;
  await server.crash();
  await until(() => bot.network.connectionState() === 'disconnected', 'the bot to notice the crash', 5000);
  say(bot, channel, rich('PAGE: database down, please look'), 'urgent', 'page');
  // Restart once the bot waits at least 2 s, so the human is back in the channel before the bot is.
  await until(
    () => bot.log.entries.slice(logMark).some((entry) => Number(entry.fields.delayMs) >= 2000),
    'a reconnect wait of 2 s or more',
    10_000,
  );
  const waiting = bot.log.entries.slice(logMark).filter((entry) => entry.fields.delayMs !== undefined);
  const delayMs = Number(waiting[waiting.length - 1]?.fields.delayMs);
  const restartedAt = performance.now();
  await server.restart();
  const human = await rejoinHuman();
  await waitJoined(bot, [channel], { since: logMark, timeoutMs: delayMs + 5000 });
  assert.ok(
    performance.now() - restartedAt < delayMs + 4000,
    'back in the channel within the backoff wait plus registration',
  );
  const page = await human.waitFor(isPrivmsgFrom(botNick, channel, 'PAGE: database down, please look'), {
    what: 'the page',
  });
  assert.ok(page);
  // Give a duplicate time to show up, then count.
  await commandRoundTrips({ ...scene, human });
  assert.equal(
    human.messagesFrom(botNick, channel).filter((line) => line.message.params[1]?.startsWith('PAGE:')).length,
    1,
  );
  // Confirmed by the server (its echo, or its PONG to a PING that waits its turn in the bulk lane).
  const pages = () => bot.events.deliveries.filter((message) => message.purpose === 'page').length;
  await until(() => pages() > 0, 'the page confirmed', 10_000);
  assert.equal(pages(), 1);
}

export interface SharedTestOptions {
  readonly scene: () => Scene;
  /** A +t channel where the bot is not an operator, and its topic. */
  readonly locked: { readonly channel: string; readonly topic: string };
  /** What the server is, for test titles ("with the real (cloaked) prefix"). */
  readonly prefixNote: string;
  /** Runs before the flood test: proof that the server enforces a limit, where it does. */
  readonly floodControl?: () => Promise<void>;
}

/** The tests every server gets, registered in the calling describe() in this order. */
export function registerSharedTests(options: SharedTestOptions): void {
  const { scene } = options;
  test('a command round trip in the channel and in a private message', async () => {
    await commandRoundTrips(scene());
  });

  test('its own lines never come back as messages (echo-message where offered)', async () => {
    await ownEchoesIgnored(scene());
  });

  test('notices arrive as notices, actions as emotes; CTCP VERSION is answered, other CTCP ignored', async () => {
    await noticesActionsAndCtcp(scene());
  });

  test('topic: set and read back as channel operator, refused with a reason on a +t channel', async () => {
    await topicSetAndRead(scene(), scene().channel);
    await topicRefusedWithoutRights(scene(), options.locked.channel, options.locked.topic);
  });

  test('CR, LF and NUL in outgoing text never become protocol', async () => {
    await injectionIsHarmless(scene());
  });

  test(`long multibyte text is split by bytes with the ${options.prefixNote} prefix counted`, async () => {
    await longTextIsSplitByBytes(scene());
  });

  test('200 queued lines drain at 20 lines/s without a disconnect while a reply jumps the queue', async (t) => {
    await options.floodControl?.();
    const figures = await floodDrainsAtRateWhileUrgentJumps(scene(), 20);
    t.diagnostic(
      `drained at ${figures.linesPerSecond.toFixed(1)} lines/s; the reply waited ${figures.replyWaitMs.toFixed(0)} ms`,
    );
  });
}

/** The last test of a file: it kills the server, so every test client goes. */
export function registerRestartTest(
  scene: () => Omit<Scene, 'human'>,
  server: () => Restartable,
  closeClients: () => void,
  rejoinHuman: () => Promise<IrcTestClient>,
): void {
  test('the server is killed and restarted: back in its channels within its backoff, a page delivered once', async () => {
    closeClients();
    await survivesServerRestart(scene(), server(), rejoinHuman);
  });
}
