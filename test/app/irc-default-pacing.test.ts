/**
 * firebell's core with the real IRC adapter on InspIRCd 3 with Anope, at the sample config's default pacing
 * (burst 4, then 0.5 lines/s), in the hour it exists for: a `!ack` typed while `#status alert` fans out to
 * 100 channels is answered within a second; a page that falls due while the bot rejoins its 101 channels
 * after the server came back reaches its person within a second; and the alert's closing report says what
 * the server confirmed and refused, a change written into the frozen server waiting for it instead of
 * timing out. A 100-channel fan-out takes 400 s at this pacing: the tests assert while it runs and stop.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, Contact } from '../../src/config/config.js';
import { DEFAULT_IRC_PACING } from '../../src/config/schema.js';
import type { Clock } from '../../src/core/clock.js';
import { systemClock } from '../../src/core/clock.js';
import { Firebell } from '../../src/core/firebell.js';
import { IrcNetwork } from '../../src/networks/irc/irc-network.js';
import { ircConfig, until } from '../networks/irc/helpers.js';
import { InspircdWithAnope } from '../servers/inspircd-anope.js';
import { IrcTestClient, type ReceivedLine } from '../servers/irc-test-client.js';
import { makeContact } from '../support/builders.js';
import { testConfig, testPolicy } from '../support/config-fixture.js';
import { JumpClock } from '../support/jump-clock.js';
import { openDurable, TestStore } from '../support/test-store.js';
import { MemoryLogger } from '../support/memory-logger.js';

const PASSWORDS = { fbone: 'bot-one-pass', fbtwo: 'bot-two-pass', ana: 'ana-pass-123' } as const;
const STATUS = Array.from({ length: 100 }, (_, index) => `#s${index}`);
/** Names as long as real ones (#openstack-infra): the rejoin takes several JOIN lines, a few seconds apart. */
const LONG_STATUS = Array.from({ length: 100 }, (_, index) => `#status-channel-${index}`);
const ALERT = 'The gate is failing on mirror errors. Please stand by...';
/** The page falls due this long after the incident is declared. */
const PAGE_AFTER_MINUTES = 10;

const ana: Contact = makeContact({
  id: 'ana',
  name: 'Ana',
  timezone: 'UTC',
  hours: { daily: '00:00-24:00' },
  tier: 1,
  irc: { account: 'ana', nick: 'ana' },
});

function configFor(status: readonly string[]): Config {
  return testConfig({
    groups: [
      {
        id: 'infra',
        name: 'infra',
        members: [{ network: 'libera', conversation: '#infra', topic: false, status: false }],
        relay: false,
        relayJoinsAndParts: false,
      },
      {
        id: 'status',
        name: 'status',
        members: status.map((conversation) => ({
          network: 'libera',
          conversation,
          topic: true,
          status: true,
        })),
        relay: false,
        relayJoinsAndParts: false,
      },
    ],
    policies: { default: { ...testPolicy, tiers: [{ tier: 1, afterMinutes: PAGE_AFTER_MINUTES }] } },
    contacts: [ana],
    whitelist: [{ name: 'Ana', contactId: 'ana', irc: { account: 'ana', nick: 'ana' } }],
  });
}

interface Bot {
  readonly firebell: Firebell;
  readonly irc: IrcNetwork;
  readonly log: MemoryLogger;
}

/** Text without IRC formatting (incident numbers are bold). */
const plain = (text: string): string =>
  text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, '');

const fromBot = (nick: string, target: string, text: RegExp) => (line: ReceivedLine) =>
  line.message.nick === nick &&
  ['PRIVMSG', 'NOTICE'].includes(line.message.command) &&
  line.message.params[0]?.toLowerCase() === target.toLowerCase() &&
  text.test(plain(line.message.params[1] ?? ''));

describe('the whole firebell on IRC at the default pacing (burst 4, 0.5 lines/s)', () => {
  let server: InspircdWithAnope;
  const clients: IrcTestClient[] = [];
  const bots: Bot[] = [];

  const human = async (nick: string, sasl = false): Promise<IrcTestClient> => {
    const client = await IrcTestClient.connect({
      port: server.port,
      nick,
      ...(sasl ? { sasl: { account: nick, password: PASSWORDS[nick as keyof typeof PASSWORDS] } } : {}),
    });
    clients.push(client);
    return client;
  };

  async function startBot(
    nick: 'fbone' | 'fbtwo',
    status: readonly string[],
    options: { clock?: Clock; topicTimeoutMs?: number } = {},
  ): Promise<Bot> {
    const clock = options.clock ?? systemClock;
    const log = new MemoryLogger();
    const config = configFor(status);
    const irc = new IrcNetwork(
      ircConfig({
        id: 'libera',
        port: server.port,
        nick,
        sasl: { account: nick, password: PASSWORDS[nick] },
        pacing: { ...DEFAULT_IRC_PACING },
      }),
      {
        // The adapter keeps real time: a jump of the core's clock is not a silent server.
        clock: systemClock,
        logger: log,
        channels: ['#infra', ...status].map((name) => ({ name })),
        adminContact: 'ops@firebell.test',
        random: () => 0.999,
        ...(options.topicTimeoutMs === undefined ? {} : { topicTimeoutMs: options.topicTimeoutMs }),
      },
    );
    const firebell = new Firebell({
      config,
      durable: await openDurable(new TestStore(), clock, { logger: log }),
      networks: [irc],
      clock,
      logger: log,
      status: { alert: { publish: async () => undefined } },
    });
    const bot = { firebell, irc, log };
    bots.push(bot);
    await firebell.start();
    return bot;
  }

  const joined = (bot: Bot, channel: string, since = 0): boolean =>
    bot.log.entries.slice(since).some((entry) => entry.message === `joined ${channel}`);

  before(async () => {
    server = await InspircdWithAnope.start();
    await Promise.all(
      Object.entries(PASSWORDS).map(async ([account, password]) => {
        const client = await IrcTestClient.connect({ port: server.port, nick: account });
        client.say('NickServ', `REGISTER ${password} ${account}@firebell.test`);
        await client.waitFor((line) => line.message.command === '900', { what: `${account} registered` });
        await client.quit();
      }),
    );
  });

  after(async () => {
    for (const bot of bots) await bot.firebell.stop();
    for (const client of clients) client.close();
    await server?.stop();
  });

  test('a !ack typed during a 100-channel #status alert is answered in under 1 s', async (t) => {
    const bot = await startBot('fbone', STATUS);
    await until(() => joined(bot, '#infra') && joined(bot, '#s99'), 'the bot in its 101 channels', 20_000);
    const person = await human('ana', true);
    t.after(() => person.quit());
    for (const channel of ['#infra', ...STATUS.slice(0, 8)]) await person.join(channel);
    person.say('#infra', '!incident the gate is failing');
    await person.waitFor(fromBot('fbone', '#infra', /Incident #1 declared/), { timeoutMs: 15_000 });
    const before = person.lines.length;
    person.say('#infra', `#status alert ${ALERT}`);
    await person.waitFor(fromBot('fbone', '#infra', /^ana: Sending alert to 100 channels/), {
      from: before,
      timeoutMs: 15_000,
    });
    // Three channels into the fan-out (a notice every 2 s), Ana acknowledges.
    await person.waitFor(fromBot('fbone', '#s2', /^NOTICE: /), { from: before, timeoutMs: 15_000 });
    const asked = performance.now();
    person.say('#infra', '!ack');
    const answer = await person.waitFor(fromBot('fbone', '#infra', /acknowledged by Ana/), {
      from: before,
      timeoutMs: 10_000,
    });
    const waitedMs = answer.at - asked;
    t.diagnostic(`the !ack was answered after ${waitedMs.toFixed(0)} ms, mid fan-out`);
    assert.ok(waitedMs < 1000, `the !ack waited ${waitedMs.toFixed(0)} ms`);
    // The fan-out goes on after the answer: it only yielded.
    await person.waitFor(fromBot('fbone', '#s4', /^NOTICE: /), { from: before, timeoutMs: 15_000 });
    assert.ok(
      person
        .messagesFrom('fbone', '#infra', before)
        .every((line) => !/Finished/.test(line.message.params[1] ?? '')),
    );
    await bot.firebell.stop();
  });

  test('a page that falls due while 101 channels are rejoined reaches its person in under 1 s', async (t) => {
    const clock = new JumpClock();
    const bot = await startBot('fbone', LONG_STATUS, { clock });
    await until(
      () => joined(bot, '#infra') && LONG_STATUS.every((channel) => joined(bot, channel)),
      'the bot in its 101 channels',
      30_000,
    );
    const first = await human('ana', true);
    t.after(() => first.close());
    await first.join('#infra');
    first.say('#infra', '!incident the mirror is stale');
    await first.waitFor(fromBot('fbone', '#infra', /Incident #1 declared/), { timeoutMs: 15_000 });

    // The server dies; once the bot waits 4 s or more between attempts, it comes back and Ana with it.
    const logMark = bot.log.entries.length;
    await server.crash();
    await until(
      () => bot.log.entries.slice(logMark).some((entry) => Number(entry.fields.delayMs) >= 4000),
      'a reconnect wait of 4 s or more',
      20_000,
    );
    await server.restart();
    const person = await human('ana', true);
    t.after(() => person.quit());
    await person.join('#infra');
    const reconnected = bot.log.entries.length;
    await until(
      () => bot.log.entries.slice(reconnected).some((e) => e.message.startsWith('joined ')),
      'a rejoin',
      20_000,
    );
    // The rejoin is under way: the page falls due now.
    const rejoinedBefore = LONG_STATUS.filter((channel) => joined(bot, channel, reconnected)).length;
    clock.jump(PAGE_AFTER_MINUTES * 60_000);
    const due = performance.now();
    const toAna = await person.waitFor(fromBot('fbone', 'ana', /incident #1/i), { timeoutMs: 10_000 });
    const inChannel = await person.waitFor(fromBot('fbone', '#infra', /^ana: paging you .*incident #1/), {
      timeoutMs: 10_000,
    });
    const lateMs = toAna.at - due;
    const channelLateMs = inChannel.at - due;
    t.diagnostic(
      `private page ${lateMs.toFixed(0)} ms late, channel highlight ${channelLateMs.toFixed(0)} ms late; ${rejoinedBefore} of 100 status channels rejoined when it fell due`,
    );
    assert.ok(rejoinedBefore < LONG_STATUS.length, 'it fell due during the rejoin');
    assert.ok(lateMs < 1000, `the private page was ${lateMs.toFixed(0)} ms late`);
    assert.ok(
      channelLateMs < 2500,
      `the channel highlight was ${channelLateMs.toFixed(0)} ms late (one pacing slot)`,
    );
    await until(
      () => LONG_STATUS.every((channel) => joined(bot, channel, reconnected)),
      'the rest of the rejoin',
      30_000,
    );
    await bot.firebell.stop();
  });

  test('the closing report: confirmed and refused with the reason; a change the frozen server could not answer is no timeout, and set once it runs again', async (t) => {
    const opuser = await human('opuser');
    await opuser.join('#locked');
    opuser.send('MODE #locked +t');
    opuser.send('TOPIC #locked :only operators change this');
    await opuser.waitFor((line) => line.message.command === 'TOPIC');
    // #ok and #slow are new: the bot creates them and is their operator.
    const bot = await startBot('fbtwo', ['#ok', '#locked', '#slow'], { topicTimeoutMs: 2000 });
    await until(
      () => ['#infra', '#ok', '#locked', '#slow'].every((c) => joined(bot, c)),
      'the bot in its channels',
    );
    const person = await human('ana', true);
    t.after(() => person.quit());
    await person.join('#infra');
    const before = person.lines.length;
    person.say('#infra', `#status alert ${ALERT}`);
    // #locked is refused at once; the server then stops answering, just before #slow's TOPIC is written.
    await until(
      () => bot.log.matching('cannot set the topic of #locked', 'warn').length > 0,
      'the refusal',
      20_000,
    );
    server.freeze();
    try {
      // #slow's TOPIC goes at the next pacing slot (2 s), then longer than its 2 s timeout: a silent server
      // may be a dead one, and a change settled timed-out would never go again.
      await sleep(6_000);
      assert.deepEqual(
        bot.log.matching('cannot set the topic of #slow', 'warn'),
        [],
        'no timeout while silent',
      );
    } finally {
      server.thaw();
    }
    const report = await person.waitFor(fromBot('fbtwo', '#infra', /^ana: Finished sending alert/), {
      from: before,
      timeoutMs: 10_000,
    });
    assert.match(
      plain(report.message.params[1] ?? ''),
      new RegExp(
        '^ana: Finished sending alert: topics changed in 2, ' +
          'not in 1 \\(#locked: firebell is not a channel operator in #locked, and only operators may change its topic \\(\\+t\\) \\(server: .+\\)\\)\\.$',
      ),
    );
    // The server set it once it ran again.
    const from = person.lines.length;
    person.send('TOPIC #slow');
    const topic = await person.waitFor((line) => line.message.command === '332', { from });
    assert.equal(topic.message.params[2], ALERT);
    await bot.firebell.stop();
  });
});
