/**
 * The IRC adapter against InspIRCd 3 linked to Anope 2 services: SASL, NickServ, account-tag,
 * extended-join, account-notify, WHOX, a cloaked host, and real flood protection ("Excess Flood" past a
 * 30-line penalty, 20 lines/s). One server for the whole file; tests run in order and share its state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InspircdWithAnope } from '../../servers/inspircd-anope.js';
import type { IrcTestClient } from '../../servers/irc-test-client.js';
import { TestBed, waitJoined, type RunningBot } from './bot-harness.js';
import { ircConfig, until } from './helpers.js';
import { linesInFlightSurviveTheServer, registerDeliveryTests } from './delivery-scenarios.js';
import { registerRestartTest, registerSharedTests, type Scene } from './scenarios.js';

const PASSWORDS = {
  fbbot: 'bot-pass-123',
  fbtwo: 'two-pass-123',
  fbthree: 'three-pass-123',
  alice: 'alice-pass-123',
};
const CHANNELS = ['#ops', '#keyed', '#locked'];
const LOCKED_TOPIC = 'only operators change this';

describe('IRC adapter on InspIRCd 3 with Anope 2 services', () => {
  let server: InspircdWithAnope;
  let bot: RunningBot;
  let carol: IrcTestClient;
  let opuser: IrcTestClient;
  /** Holds the nick of the whitelisted person (alice) without her account. */
  let impostor: IrcTestClient;
  /** Alice herself, logged in to her account, on another nick. */
  let realAlice: IrcTestClient;
  const bed = new TestBed(() => server.port);
  const connect = bed.connect.bind(bed);
  const launch = bed.launch.bind(bed);
  const scene = (): Scene => ({ bot, botNick: 'fbbot', channel: '#ops', human: carol });

  before(async () => {
    server = await InspircdWithAnope.start({ floodBurst: 30, floodLinesPerSecond: 20 });
    // Anope cannot pre-create accounts: register them over IRC, as a person would.
    await Promise.all(
      Object.entries(PASSWORDS).map(async ([account, password]) => {
        const client = await connect(account);
        client.say('NickServ', `REGISTER ${password} ${account}@firebell.test`);
        await client.waitFor((line) => line.message.command === '900', { what: `${account} registered` });
        await client.quit();
      }),
    );
    opuser = await connect('opuser');
    await opuser.join('#locked');
    await opuser.join('#keyed');
    opuser.send('MODE #locked +t');
    opuser.send(`TOPIC #locked :${LOCKED_TOPIC}`);
    opuser.send('MODE #keyed +k sesame');
    await opuser.waitFor((line) => line.message.command === 'MODE' && line.message.params.includes('sesame'));
    bot = await launch(
      ircConfig({
        port: server.port,
        nick: 'fbbot',
        sasl: { account: 'fbbot', password: PASSWORDS.fbbot },
        channelKeys: { '#keyed': 'sesame' },
      }),
      CHANNELS.map((name) => ({ name })),
      { random: () => 0.999 },
    );
    carol = await connect('carol');
    await waitJoined(bot, CHANNELS);
    await carol.join('#ops');
  });

  after(async () => {
    await bed.close();
    await server?.stop();
  });

  test('connects with SASL, joins its channels (with a key), and is labelled a bot with an admin contact', async () => {
    assert.equal(bot.log.matching('logged in to services as fbbot', 'info').length, 1);
    assert.equal(bot.log.matching('SASL login', 'warn').length, 0);
    const whois = await bed.whois(carol, 'fbbot');
    const user = whois.find((line) => line.message.command === '311');
    assert.equal(user?.message.params[5], 'firebell incident bot (admin: ops@firebell.test)');
    assert.equal(whois.find((line) => line.message.command === '330')?.message.params[2], 'fbbot');
    assert.ok(
      whois.some((line) => line.message.command === '335'),
      'WHOIS shows the bot mode (+B)',
    );
    const channels = whois.find((line) => line.message.command === '319')?.message.params[2] ?? '';
    for (const channel of CHANNELS) assert.match(channels, new RegExp(`(^|[ @+])\\${channel}( |$)`));
    assert.equal(bot.network.connectionState(), 'connected');
    assert.equal(bot.network.caseMapping(), 'rfc1459', "InspIRCd's CASEMAPPING drives the folding");
  });

  registerSharedTests({
    scene,
    locked: { channel: '#locked', topic: LOCKED_TOPIC },
    prefixNote: 'real (cloaked)',
    floodControl: async () => {
      // The server does enforce its limit: a client writing 60 lines at once is disconnected (as carol sees).
      const flooder = await connect('flooder');
      await flooder.join('#ops');
      const from = carol.lines.length;
      for (let index = 0; index < 60; index += 1) flooder.say('#ops', `flood ${index}`);
      const quit = await carol.waitFor(
        (line) => line.message.command === 'QUIT' && line.message.nick === 'flooder',
        {
          from,
          what: "the flooder's quit",
        },
      );
      assert.match(quit.message.params[0] ?? '', /Excess Flood/);
    },
  });

  test('a nick impostor is unverified; the account holder is verified by services (account-tag)', async () => {
    impostor = await connect('alice');
    realAlice = await connect('alice2', { sasl: { account: 'alice', password: PASSWORDS.alice } });
    const real = realAlice;
    await Promise.all([impostor.join('#ops'), real.join('#ops')]);
    const before = bot.commands.length;
    impostor.say('#ops', '!status');
    await until(() => bot.commands.length === before + 1, "the impostor's command");
    real.say('#ops', '!status');
    await until(() => bot.commands.length === before + 2, "the account holder's command");
    impostor.say('fbbot', '!status');
    await until(() => bot.commands.length === before + 3, "the impostor's private command");
    const [fake, genuine, fakePrivate] = bot.commands.slice(before).map((message) => message.sender);
    assert.deepEqual(fake, {
      id: 'alice',
      name: 'alice',
      verification: 'none',
      unverified: 'not-identified',
    });
    assert.deepEqual(genuine, { id: 'alice2', name: 'alice2', account: 'alice', verification: 'services' });
    assert.deepEqual(fakePrivate, {
      id: 'alice',
      name: 'alice',
      verification: 'none',
      unverified: 'not-identified',
    });
  });

  test('without account-tag, the account comes from a WHOX lookup, cached and invalidated on NICK', async () => {
    const whoxBot = await launch(
      ircConfig({ id: 'whoxnet', port: server.port, nick: 'fbwhox' }),
      [{ name: '#ops' }],
      {
        ignoreCaps: ['account-tag', 'account-notify', 'extended-join'],
      },
    );
    await waitJoined(whoxBot, ['#ops']);
    const real = realAlice;
    const ask = async (client: IrcTestClient) => {
      const count = whoxBot.commands.length;
      client.say('#ops', '!status');
      await until(() => whoxBot.commands.length === count + 1, `${client.nick}'s command`);
      return whoxBot.commands[count]?.sender;
    };
    assert.deepEqual(await ask(impostor), {
      id: 'alice',
      name: 'alice',
      verification: 'none',
      unverified: 'not-identified',
    });
    assert.deepEqual(await ask(real), {
      id: 'alice2',
      name: 'alice2',
      account: 'alice',
      verification: 'services',
    });
    // The account holder renames: the cache forgets the old nick, a fresh lookup finds the account again.
    real.send('NICK alice3');
    await real.waitFor((line) => line.message.command === 'NICK' && line.message.params[0] === 'alice3');
    assert.deepEqual(await ask(real), {
      id: 'alice3',
      name: 'alice3',
      account: 'alice',
      verification: 'services',
    });
    // The impostor takes the freed nick: still nobody's account.
    impostor.send('NICK alice2');
    await impostor.waitFor((line) => line.message.command === 'NICK' && line.message.params[0] === 'alice2');
    assert.deepEqual(await ask(impostor), {
      id: 'alice2',
      name: 'alice2',
      verification: 'none',
      unverified: 'not-identified',
    });
    assert.equal(whoxBot.log.matching('services account within', 'warn').length, 0, 'no lookup timed out');
    await whoxBot.network.stop();
  });

  test('nick collision: registers on the alternate nick, then regains its own through NickServ', async () => {
    const intruder = await connect('fbtwo');
    const second = await launch(
      ircConfig({
        id: 'twonet',
        port: server.port,
        nick: 'fbtwo',
        altNicks: ['fbtwo-alt'],
        sasl: { account: 'fbtwo', password: PASSWORDS.fbtwo },
      }),
      [{ name: '#ops' }],
    );
    await until(() => second.log.matching('registered on', 'info').length > 0, 'the second bot to register');
    assert.equal(second.log.matching('nick fbtwo refused', 'warn').length, 1);
    assert.equal(second.log.matching('registered on', 'info')[0]?.fields.nick, 'fbtwo-alt');
    await until(() => second.network.currentNick() === 'fbtwo', 'the nick regained', 10_000);
    assert.equal(second.log.matching('regained nick fbtwo', 'info').length, 1);
    await intruder.waitFor((line) => line.message.command === 'NICK', {
      what: 'the intruder renamed by services',
    });
    await second.network.stop();
  });

  test('SASL failure: a clear log line, then NickServ IDENTIFY logs in and the channels are joined', async () => {
    const third = await launch(
      ircConfig({
        id: 'threenet',
        port: server.port,
        nick: 'fbthree',
        sasl: { account: 'fbthree', password: 'not-the-password' },
        nickservPassword: PASSWORDS.fbthree,
      }),
      [{ name: '#ops' }],
    );
    await waitJoined(third, ['#ops']);
    const [failure] = third.log.matching('SASL login as fbthree failed', 'warn');
    assert.match(
      failure?.message ?? '',
      /SASL login as fbthree failed \(fail: .+\); falling back to NickServ IDENTIFY/,
    );
    assert.equal(
      third.log.matching('identifying to NickServ as fbthree (fallback after SASL failed)', 'info').length,
      1,
    );
    assert.equal(third.log.matching('logged in to services as fbthree', 'info').length, 1);
    assert.ok(!JSON.stringify(third.log.entries).includes('not-the-password'), 'no password in the logs');
    assert.ok(!JSON.stringify(third.log.entries).includes(PASSWORDS.fbthree), 'no password in the logs');
    await third.network.stop();
  });

  test('TLS: connects over TLS; with certificate checks on, a self-signed server is refused and retried', async () => {
    const secure = await launch(
      ircConfig({
        id: 'tlsnet',
        port: server.tlsPort,
        nick: 'fbtls',
        tls: true,
        tlsRejectUnauthorized: false,
      }),
      [{ name: '#ops' }],
    );
    await waitJoined(secure, ['#ops']);
    const whois = await bed.whois(carol, 'fbtls');
    assert.ok(
      whois.some((line) => line.message.command === '671'),
      'WHOIS shows a secure connection',
    );
    const strict = await launch(
      ircConfig({ id: 'strictnet', port: server.tlsPort, nick: 'fbstrict', tls: true }),
      [{ name: '#ops' }],
    );
    await until(
      () => strict.log.matching('reconnecting in', 'warn').length > 0,
      'the refused TLS connection',
    );
    assert.match(strict.log.matching('reconnecting in', 'warn')[0]?.message ?? '', /certificate/);
    assert.equal(strict.network.connectionState(), 'disconnected');
    await Promise.all([secure.network.stop(), strict.network.stop()]);
  });

  test('kicked, then banned: rejoins with a growing wait, logged, and gets back in once unbanned', async () => {
    const mark = bot.log.entries.length;
    opuser.send('KICK #locked fbbot :testing');
    await until(
      () =>
        bot.log.matching('kicked from #locked by opuser (testing); rejoining in 1 s', 'warn').length === 1,
      'the kick',
    );
    await waitJoined(bot, ['#locked'], { since: mark, timeoutMs: 3000 });
    const banned = bot.log.entries.length;
    opuser.send('MODE #locked +b fbbot!*@*');
    opuser.send('KICK #locked fbbot :and stay out');
    await until(
      () =>
        bot.log.entries
          .slice(banned)
          .some((entry) => /^cannot join #locked: .*\(474\); rejoining in 4 s$/.test(entry.message)),
      'the refused rejoin',
      6000,
    );
    assert.equal(
      bot.log.matching('kicked from #locked by opuser (and stay out); rejoining in 2 s', 'warn').length,
      1,
    );
    opuser.send('MODE #locked -b fbbot!*@*');
    await waitJoined(bot, ['#locked'], { since: banned, timeoutMs: 6000 });
  });

  registerDeliveryTests({ scene, server: () => server, echoes: true, connect: (nick) => connect(nick) });

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

  test('a line written into a frozen server that dies is written again after the reconnect, once (echo-message)', async () => {
    await linesInFlightSurviveTheServer({ bot, botNick: 'fbbot', channel: '#ops' }, server, async () => {
      const human = await connect('erin');
      await human.join('#ops');
      return human;
    });
  });
});
