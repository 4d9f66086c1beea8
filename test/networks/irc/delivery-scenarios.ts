/**
 * Deliveries on the real servers: when a delivery counts as delivered (only the server confirms a line:
 * InspIRCd offers echo-message, so by its echo; ngIRCd does not, so by its answer to a line written
 * after it, here a PING's PONG: server-answers.ts), what the server's refusals become, and the IRC resend
 * rule (a delivery handed over again after a restart may repeat its line once; neither server keeps
 * chathistory, so there is nothing to look in first: see chathistory.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Delivery, DeliveryOutcome, Lane } from '../../../src/core/delivery.js';
import type { Destination } from '../../../src/core/messages.js';
import { rich } from '../../../src/core/rich-text.js';
import type { IrcTestClient, ReceivedLine } from '../../servers/irc-test-client.js';
import type { RunningBot } from './bot-harness.js';
import { until } from './helpers.js';
import type { Scene } from './scenarios.js';

export interface Freezable {
  freeze(): void;
  thaw(): void;
}

export interface DeliveryTestOptions {
  readonly scene: () => Scene;
  readonly server: () => Freezable;
  /** The server offers echo-message (and message ids). */
  readonly echoes: boolean;
  /** Connects another human (for a channel of their own). */
  readonly connect: (nick: string) => Promise<IrcTestClient>;
}

export function messageDelivery(
  bot: RunningBot,
  to: Destination,
  text: string,
  options: { lane?: Lane; id?: string; attempts?: number } = {},
): Delivery {
  return {
    id: options.id ?? randomUUID(),
    channel: bot.network.id,
    lane: options.lane ?? 'urgent',
    content: {
      kind: 'message',
      message: {
        to,
        body: rich(text),
        style: 'message',
        priority: options.lane ?? 'urgent',
        purpose: 'test',
      },
    },
    durable: true,
    attempts: options.attempts ?? 0,
    createdAt: Date.now(),
  };
}

/** The outcome when it settled, or undefined while it has not. */
function watch(outcome: Promise<DeliveryOutcome>): () => DeliveryOutcome | undefined {
  let settled: DeliveryOutcome | undefined;
  void outcome.then((value) => (settled = value));
  return () => settled;
}

const saidBy = (nick: string, target: string, text: string) => (line: ReceivedLine) =>
  line.message.command === 'PRIVMSG' &&
  line.message.nick === nick &&
  line.message.params[0]?.toLowerCase() === target.toLowerCase() &&
  line.message.params[1] === text;

export function registerDeliveryTests(options: DeliveryTestOptions): void {
  const { scene, echoes } = options;

  test(
    echoes
      ? 'a delivery settles on its echo: written to a frozen server it waits, and settles when the echo comes'
      : 'without echo-message a delivery settles on the PONG to a later PING: a frozen server’s socket taking it is not enough',
    async () => {
      const { bot, botNick, channel, human } = scene();
      const server = options.server();
      const from = human.lines.length;
      server.freeze();
      let outcome: () => DeliveryOutcome | undefined = () => undefined;
      try {
        outcome = watch(
          bot.network.deliver(
            messageDelivery(bot, { network: bot.network.id, conversation: channel }, 'frozen?'),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.equal(outcome(), undefined, echoes ? 'no echo yet' : 'no PONG yet: not delivered');
      } finally {
        server.thaw();
      }
      await until(() => outcome() !== undefined, 'the outcome');
      const settled = outcome();
      assert.equal(settled?.status, 'delivered');
      if (echoes)
        assert.equal(settled?.status === 'delivered' && settled.receipt.length, 1, 'the msgid of the echo');
      await human.waitFor(saidBy(botNick, channel, 'frozen?'), { from });
    },
  );

  test('a message of several lines settles once its last line is confirmed', async () => {
    const { bot, botNick, channel, human } = scene();
    const from = human.lines.length;
    const outcome = await bot.network.deliver(
      messageDelivery(bot, { network: bot.network.id, conversation: channel }, 'one\ntwo\nthree'),
    );
    assert.equal(outcome.status, 'delivered');
    if (echoes) {
      const receipt = outcome.status === 'delivered' ? outcome.receipt : [];
      assert.equal(new Set(receipt).size, 3, 'one message id per line');
    }
    await human.waitFor(saidBy(botNick, channel, 'three'), { from });
    assert.deepEqual(
      human.messagesFrom(botNick, channel, from).map((line) => line.message.params[1]),
      ['one', 'two', 'three'],
    );
  });

  test("refusals carry the server's reason: no such nick, a +n channel the bot is not in", async () => {
    const { bot } = scene();
    const owner = await options.connect('chanowner');
    await owner.join('#outside');
    owner.send('MODE #outside +n');
    await owner
      .waitFor((line) => line.message.command === 'MODE' || line.message.command === '324', {
        timeoutMs: 2000,
      })
      .catch(() => undefined);
    const logMark = bot.log.entries.length;
    const toNobody = await bot.network.deliver(
      messageDelivery(
        bot,
        { network: bot.network.id, person: { name: 'Nobody', irc: { nick: 'nobody-here' } } },
        'hello?',
      ),
    );
    const toOutside = await bot.network.deliver(
      messageDelivery(bot, { network: bot.network.id, conversation: '#outside' }, 'let me in'),
    );
    assert.equal(toNobody.status, 'refused');
    assert.match(toNobody.status === 'refused' ? toNobody.reason : '', /^nobody-here: .+ \(401\)$/);
    assert.equal(toOutside.status, 'refused');
    assert.match(toOutside.status === 'refused' ? toOutside.reason : '', /^#outside: .+ \(404\)$/);
    assert.equal(
      bot.log.entries.slice(logMark).filter((entry) => /refused a line/.test(entry.message)).length,
      0,
      'each refusal settled its delivery, so none is left for the log',
    );
    await owner.quit();
  });

  test('the resend rule: a delivery handed over again after a restart is written again, once', async () => {
    const { bot, botNick, channel, human } = scene();
    const from = human.lines.length;
    const id = randomUUID();
    const to = { network: bot.network.id, conversation: channel };
    const first = await bot.network.deliver(messageDelivery(bot, to, 'PAGE: disk full', { id }));
    assert.equal(first.status, 'delivered');
    // The store never heard of that outcome (a crash before its commit): the same delivery, attempts 1.
    const again = await bot.network.deliver(messageDelivery(bot, to, 'PAGE: disk full', { id, attempts: 1 }));
    assert.equal(again.status, 'delivered');
    const marker = `marker ${id}`;
    await bot.network.deliver(messageDelivery(bot, to, marker));
    await human.waitFor(saidBy(botNick, channel, marker), { from });
    const pages = human
      .messagesFrom(botNick, channel, from)
      .filter((line) => line.message.params[1] === 'PAGE: disk full');
    assert.equal(pages.length, 2, 'one repeat, no more (no chathistory on this server to look in)');
  });
}

/**
 * A line written into a frozen server that then dies: the socket took it, but the server never confirmed
 * it (no echo, or no PONG to the PING after it), so firebell writes it again once it is back in the
 * channel. The human sees it exactly once (the first copy died unread with the server).
 */
export async function linesInFlightSurviveTheServer(
  scene: Omit<Scene, 'human'>,
  server: Freezable & { crash(): Promise<void>; restart(): Promise<void> },
  rejoinHuman: () => Promise<IrcTestClient>,
): Promise<void> {
  const { bot, botNick, channel } = scene;
  const logMark = bot.log.entries.length;
  server.freeze();
  const outcome = watch(
    bot.network.deliver(
      messageDelivery(bot, { network: bot.network.id, conversation: channel }, 'PAGE: in flight'),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(outcome(), undefined, 'written, not confirmed');
  await server.crash();
  await until(
    () => bot.log.entries.slice(logMark).some((entry) => Number(entry.fields.delayMs) >= 2000),
    'a reconnect wait of 2 s or more',
    15_000,
  );
  await server.restart();
  const human = await rejoinHuman();
  await until(() => outcome() !== undefined, 'the outcome after the reconnect', 20_000);
  assert.equal(outcome()?.status, 'delivered');
  await human.waitFor(saidBy(botNick, channel, 'PAGE: in flight'), { timeoutMs: 5000 });
  const marker = `marker ${randomUUID()}`;
  await bot.network.deliver(messageDelivery(bot, { network: bot.network.id, conversation: channel }, marker));
  await human.waitFor(saidBy(botNick, channel, marker));
  assert.equal(
    human.messagesFrom(botNick, channel).filter((line) => line.message.params[1] === 'PAGE: in flight')
      .length,
    1,
  );
}
