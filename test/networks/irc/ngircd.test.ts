/**
 * The IRC adapter against a bare ngIRCd: no services, no SASL, no account tags, no echo-message. Nobody can
 * be verified there; only a config that explicitly trusts nicks on such a network turns nicks into
 * identities ('nick-fallback'). One server for the whole file; tests run in order and share its state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ngircd } from '../../servers/ngircd.js';
import type { IrcTestClient } from '../../servers/irc-test-client.js';
import { TestBed, waitJoined, type RunningBot } from './bot-harness.js';
import { ircConfig, until } from './helpers.js';
import {
  linesInFlightSurviveTheServer,
  messageDelivery,
  registerDeliveryTests,
} from './delivery-scenarios.js';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import { JumpClock } from '../../support/jump-clock.js';
import { registerRestartTest, registerSharedTests, type Scene } from './scenarios.js';

const CHANNELS = ['#ops', '#locked'];
const LOCKED_TOPIC = 'only operators change this';

describe('IRC adapter on a bare ngIRCd (no services)', () => {
  let server: Ngircd;
  let bot: RunningBot;
  let carol: IrcTestClient;
  const bed = new TestBed(() => server.port);
  const connect = bed.connect.bind(bed);
  const launch = bed.launch.bind(bed);
  const scene = (): Scene => ({ bot, botNick: 'fbbot', channel: '#ops', human: carol });

  before(async () => {
    server = await Ngircd.start();
    const opuser = await connect('opuser');
    await opuser.join('#locked');
    opuser.send('MODE #locked +t');
    opuser.send(`TOPIC #locked :${LOCKED_TOPIC}`);
    await opuser.waitFor((line) => line.message.command === 'TOPIC');
    bot = await launch(
      ircConfig({ port: server.port, nick: 'fbbot' }),
      CHANNELS.map((name) => ({ name })),
      {
        random: () => 0.999,
      },
    );
    carol = await connect('carol');
    await waitJoined(bot, CHANNELS);
    await carol.join('#ops');
    // carol has her JOIN back before the bot has its copy: wait for it, so the tests below see only theirs.
    await until(
      () => bot.events.memberships.some((change) => change.sender.id === 'carol'),
      "the bot to see carol's join",
    );
  });

  after(async () => {
    await bed.close();
    await server?.stop();
  });

  test('connects, joins its channels, and carries the bot label with an admin contact', async () => {
    const whois = await bed.whois(carol, 'fbbot');
    assert.equal(
      whois.find((line) => line.message.command === '311')?.message.params[5],
      'firebell incident bot (admin: ops@firebell.test)',
    );
    const channels = whois.find((line) => line.message.command === '319')?.message.params[2] ?? '';
    for (const channel of CHANNELS) assert.match(channels, new RegExp(`(^|[ @+])\\${channel}( |$)`));
    assert.equal(bot.network.connectionState(), 'connected');
    assert.equal(bot.network.caseMapping(), 'ascii', "ngIRCd's CASEMAPPING drives the folding");
  });

  test('joins, parts and quits of others are reported, for the bridge to relay where asked', async () => {
    const from = bot.events.memberships.length;
    const dave = await connect('dave');
    await dave.join('#ops');
    dave.send('PART #ops :lunch');
    await dave.join('#ops');
    dave.send('QUIT :gone home');
    await until(() => bot.events.memberships.length >= from + 4, 'four membership changes');
    assert.deepEqual(
      bot.events.memberships
        .slice(from)
        .map((change) => [
          change.change,
          change.conversation.id.toLowerCase(),
          change.sender.id,
          change.reason ?? '',
          change.netsplit ?? false,
        ]),
      [
        ['join', '#ops', 'dave', '', false],
        ['part', '#ops', 'dave', 'lunch', false],
        ['join', '#ops', 'dave', '', false],
        // ngIRCd quotes a user's quit message, which also tells it apart from a netsplit's server names.
        ['quit', '#ops', 'dave', '"gone home"', false],
      ],
    );
  });

  registerSharedTests({ scene, locked: { channel: '#locked', topic: LOCKED_TOPIC }, prefixNote: 'real' });

  test('without services nobody is verified; a nick is an identity only when the config says so', async () => {
    const alice = await connect('alice');
    await alice.join('#ops');
    const before = bot.commands.length;
    alice.say('#ops', '!status');
    await until(() => bot.commands.length === before + 1, "alice's command");
    assert.deepEqual(bot.commands[before]?.sender, {
      id: 'alice',
      name: 'alice',
      verification: 'none',
      unverified: 'no-services',
    });

    const trusting = await launch(
      ircConfig({ id: 'trustnet', port: server.port, nick: 'fbtrust', trustNicksWithoutServices: true }),
      [{ name: '#ops' }],
    );
    await waitJoined(trusting, ['#ops']);
    alice.say('#ops', '!status');
    await until(() => trusting.commands.length === 1, "alice's command to the trusting bot");
    assert.deepEqual(trusting.commands[0]?.sender, {
      id: 'alice',
      name: 'alice',
      account: 'alice',
      verification: 'nick-fallback',
    });
    await trusting.network.stop();
  });

  test('nick collision: alternate nick, then the own nick back as soon as its holder quits', async () => {
    const intruder = await connect('fbtwo');
    await intruder.join('#ops');
    const second = await launch(
      ircConfig({ id: 'twonet', port: server.port, nick: 'fbtwo', altNicks: ['fbtwo-alt'] }),
      [{ name: '#ops' }],
    );
    await waitJoined(second, ['#ops']);
    assert.equal(second.network.currentNick(), 'fbtwo-alt');
    assert.equal(second.log.matching('nick fbtwo refused', 'warn').length, 1);
    await intruder.quit();
    await until(() => second.network.currentNick() === 'fbtwo', 'the nick regained after the quit', 5000);
    assert.equal(second.log.matching('regained nick fbtwo', 'info').length, 1);
    await second.network.stop();
  });

  test('SASL configured on a server without it: a clear log line, no NickServ to fall back to, channels joined', async () => {
    const third = await launch(
      ircConfig({
        id: 'threenet',
        port: server.port,
        nick: 'fbthree',
        sasl: { account: 'fbthree', password: 'three-pass-123' },
      }),
      [{ name: '#ops' }],
    );
    await waitJoined(third, ['#ops']);
    assert.equal(
      third.log.matching(
        /^SASL login as fbthree failed \(127\.0\.0\.1:\d+ offers no SASL\); falling back to NickServ IDENTIFY$/,
        'warn',
      ).length,
      1,
    );
    assert.equal(third.log.matching('there is no NickServ', 'warn').length, 1);
    assert.ok(!JSON.stringify(third.log.entries).includes('three-pass-123'), 'no password in the logs');
    await third.network.stop();
  });

  test('a line on a connection gone silent does not time out: it waits, and is delivered once the server reads it', async () => {
    const clock = new JumpClock();
    const quiet = await launch(
      ircConfig({ id: 'quietnet', port: server.port, nick: 'fbquiet' }),
      [{ name: '#ops' }],
      { clock },
    );
    await waitJoined(quiet, ['#ops']);
    const from = carol.lines.length;
    const seen: { outcome?: DeliveryOutcome } = {};
    const outcome = (): DeliveryOutcome | undefined => seen.outcome;
    server.freeze();
    try {
      void quiet.network
        .deliver(messageDelivery(quiet, { network: 'quietnet', conversation: '#ops' }, 'PAGE: still there?'))
        .then((settled) => (seen.outcome = settled));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the line and the PING after it go out
      clock.jump(31_000); // past the confirmation timeout, short of the ping timeout
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(
        seen.outcome,
        undefined,
        'not a word from the server: the line may be lost, not timed out',
      );
    } finally {
      server.thaw();
    }
    await until(() => outcome() !== undefined, 'the outcome once the server reads again');
    assert.equal(outcome()?.status, 'delivered');
    await carol.waitFor(
      (line) => line.message.nick === 'fbquiet' && line.message.params[1] === 'PAGE: still there?',
      { from },
    );
    await quiet.network.stop();
  });

  registerDeliveryTests({ scene, server: () => server, echoes: false, connect: (nick) => connect(nick) });

  registerRestartTest(
    () => ({ bot, botNick: 'fbbot', channel: '#ops' }),
    () => server,
    () => bed.closeClients(),
    async () => {
      const human = await connect('dave');
      await human.join('#ops');
      return human;
    },
  );

  test('a line written into a frozen server that dies is written again after the reconnect, once (no echo-message: the PING after it was never answered)', async () => {
    await linesInFlightSurviveTheServer({ bot, botNick: 'fbbot', channel: '#ops' }, server, async () => {
      const human = await connect('erin');
      await human.join('#ops');
      return human;
    });
  });
});
