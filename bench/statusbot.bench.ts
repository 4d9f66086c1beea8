/**
 * `#status alert` fan-out, as the old statusbot did it for 104 channels (deaf for about 7 minutes): here to
 * 100 IRC channels on a local ngIRCd and 20 rooms on the test homeserver, a notice and a topic each. The
 * figure is how long the whole fan-out took against the minimum the configured IRC pacing allows for the
 * lines firebell had to send (the burst, then `linesPerSecond`); Matrix has no pacing of its own here and
 * finishes inside that. Halfway through, Alice types `!ack 1` on IRC: its answer must not wait behind the
 * fan-out (urgent lane, under 1 s).
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { IrcNetwork } from '../src/networks/irc/irc-network.js';
import { MatrixNetwork } from '../src/networks/matrix/matrix-network.js';
import { TestHomeserver } from '../test/matrix-homeserver/homeserver.js';
import { TestMatrixClient } from '../test/matrix-homeserver/test-client.js';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';
import { Ngircd } from '../test/servers/ngircd.js';
import { openBenchDurable } from './durable-store.js';
import { hours } from '../test/support/builders.js';
import { contacts, testConfig } from '../test/support/config-fixture.js';
import type { BenchFigure, Benchmark } from './report.js';

const IRC_CHANNELS = 100;
const MATRIX_ROOMS = 20;
const BURST = 5;
const LINES_PER_SECOND = 50;
const ALERT = 'PyPI mirror problems causing gate failures. Please stand by...';

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function measureFanOut(): Promise<BenchFigure[]> {
  const ircd = await Ngircd.start();
  const hs = await TestHomeserver.start();
  hs.recordRequests = false;
  const botUser = hs.createUser('firebell');
  const alice = hs.createUser('alice', { displayname: 'Alice' });
  const channels = Array.from({ length: IRC_CHANNELS }, (_, index) => `#c${index}`);
  const rooms = Array.from({ length: MATRIX_ROOMS }, (_, index) =>
    hs.createRoom(alice.userId, {
      preset: 'public_chat',
      room_alias_name: `r${index}`,
      power_level_content_override: { users: { [alice.userId]: 100, [botUser.userId]: 50 } },
    }),
  );
  const config: Config = testConfig({
    groups: [
      {
        id: 'incident',
        members: [{ network: 'bench', conversation: '#ops', topic: false, status: false }],
        relay: false,
        relayJoinsAndParts: false,
      },
      {
        id: 'status',
        members: [
          ...channels.map((conversation) => ({ network: 'bench', conversation, topic: true, status: true })),
          ...rooms.map((_, index) => ({
            network: 'matrix',
            conversation: `#r${index}:test.local`,
            topic: true,
            status: true,
          })),
        ],
        relay: false,
        relayJoinsAndParts: false,
      },
    ],
    contacts: [
      {
        ...contacts[0]!,
        irc: { account: 'alice', nick: 'alice' },
        matrix: alice.userId,
        hours: hours({ daily: '00:00-24:00' }),
      },
    ],
    whitelist: [
      { name: 'Alice', contactId: 'ana', irc: { account: 'alice', nick: 'alice' }, matrix: alice.userId },
    ],
  });
  const irc = new IrcNetwork(
    {
      id: 'bench',
      kind: 'irc',
      host: ircd.host,
      port: ircd.port,
      tls: false,
      tlsRejectUnauthorized: true,
      nick: 'fbstatus',
      altNicks: [],
      username: 'firebell',
      channelKeys: {},
      pacing: { burst: BURST, linesPerSecond: LINES_PER_SECOND, queueLimit: 1000 },
      // ngIRCd has no services: the bench trusts nicks there, as the config allows for such a network.
      trustNicksWithoutServices: true,
      pingTimeoutSeconds: 120,
    },
    {
      clock: systemClock,
      logger: silentLogger,
      channels: ['#ops', ...channels].map((name) => ({ name })),
      adminContact: 'bench',
    },
  );
  const bench = await openBenchDurable();
  const matrix = new MatrixNetwork(
    {
      id: 'matrix',
      kind: 'matrix',
      homeserver: hs.url,
      userId: botUser.userId,
      accessToken: botUser.token,
      acceptInvitesFrom: [],
      queueLimit: 1000,
    },
    {
      clock: systemClock,
      logger: silentLogger,
      kv: bench.durable.keyValues,
      rooms: rooms.map((_, index) => `#r${index}:test.local`),
      mayInvite: () => false,
    },
  );
  const firebell = new Firebell({
    config,
    durable: bench.durable,
    networks: [irc, matrix],
    clock: systemClock,
    logger: silentLogger,
    status: { alert: { publish: async () => undefined } },
  });
  const observer = new TestMatrixClient(hs.url, alice.token);
  const people: IrcTestClient[] = [];
  try {
    await firebell.start();
    await until(
      () => rooms.every((room) => hs.membership(room, botUser.userId) === 'join'),
      'the bot in every room',
    );
    const watcher = await IrcTestClient.connect({ port: ircd.port, nick: 'watcher' });
    const aliceIrc = await IrcTestClient.connect({ port: ircd.port, nick: 'alice' });
    people.push(watcher, aliceIrc);
    // The bot joined first and holds +o everywhere; the watcher sits in every channel to see the fan-out.
    await until(() => irc.connectionState() === 'connected', 'the bot on IRC');
    await new Promise((resolve) => setTimeout(resolve, (1000 * (IRC_CHANNELS + 1)) / LINES_PER_SECOND + 500));
    for (const channel of channels) watcher.send(`JOIN ${channel}`);
    await watcher.waitFor(
      (line) => line.message.command === '366' && line.message.params[1] === channels.at(-1),
      { timeoutMs: 30_000 },
    );
    await aliceIrc.join('#ops');

    aliceIrc.say('#ops', '!incident the gate is failing');
    await aliceIrc.waitFor(fromBot('#ops', /Incident #1 declared/), { timeoutMs: 10_000 });
    await observer.follow();
    // Let the bucket refill, so the fan-out starts with a full burst as the minimum assumes.
    await new Promise((resolve) => setTimeout(resolve, (1000 * BURST) / LINES_PER_SECOND + 200));

    const sentBefore = watcher.lines.length;
    const opsBefore = aliceIrc.lines.length;
    const started = performance.now();
    aliceIrc.say('#ops', `#status alert ${ALERT}`);
    const expectedIrc = IRC_CHANNELS * 2;
    const ircSeen = (): number =>
      watcher.lines
        .slice(sentBefore)
        .filter(
          (line) => line.message.nick === 'fbstatus' && (isNotice(line) || line.message.command === 'TOPIC'),
        ).length;
    await until(() => ircSeen() >= expectedIrc / 2, 'half the fan-out');
    const ackSent = performance.now();
    aliceIrc.say('#ops', '!ack 1');
    const ackReply = await aliceIrc.waitFor(fromBot('#ops', /acknowledged by/), {
      from: opsBefore,
      timeoutMs: 30_000,
    });
    const ackMs = ackReply.at - ackSent;

    await until(() => ircSeen() >= expectedIrc, 'the IRC fan-out', 60_000);
    const ircDone = Math.max(
      ...watcher.lines
        .slice(sentBefore)
        .filter((line) => line.message.nick === 'fbstatus')
        .map((line) => line.at),
    );
    const matrixEvents = () =>
      rooms.map((room) => ({
        notice: hs.messagesFrom(room, botUser.userId).some((content) => content.body === `NOTICE: ${ALERT}`),
        topic: hs
          .timeline(room, { type: 'm.room.topic', sender: botUser.userId })
          .some((event) => event.content.topic === ALERT),
      }));
    await until(
      () => matrixEvents().every((room) => room.notice && room.topic),
      'the Matrix fan-out',
      30_000,
    );
    const matrixDone = performance.now();
    const elapsed = Math.max(ircDone, started) - started;

    // Every line the bot sent on IRC in the window was paced: the fan-out, and in #ops its replies and the
    // acknowledgement. The minimum is the burst at once, then one line per 1/linesPerSecond.
    const opsLines = aliceIrc.lines
      .slice(opsBefore)
      .filter((line) => line.message.nick === 'fbstatus' && line.at <= ircDone).length;
    const linesSent = expectedIrc + opsLines;
    const minimumMs = (Math.max(0, linesSent - BURST) * 1000) / LINES_PER_SECOND;
    const ratio = elapsed / minimumMs;
    return [
      {
        name: 'status.alert_fanout_ms',
        value: elapsed,
        unit: 'ms',
        baseline: { name: 'minimum the pacing allows', value: minimumMs, unit: 'ms' },
        note: `${ratio.toFixed(3)}x the minimum; ${IRC_CHANNELS} IRC channels (notice + topic each, ${linesSent} lines at burst ${BURST} then ${LINES_PER_SECOND}/s) and ${MATRIX_ROOMS} Matrix rooms (done after ${(matrixDone - started).toFixed(0)} ms of polling)`,
        target: '<= 1.1x the minimum',
        met: ratio <= 1.1,
      },
      {
        name: 'status.ack_during_fanout_ms',
        value: ackMs,
        unit: 'ms',
        note: `!ack sent halfway through the fan-out, answered in #ops`,
        target: '< 1000 ms',
        met: ackMs < 1000,
      },
    ];
  } finally {
    for (const person of people) person.close();
    await observer.stop();
    await firebell.stop();
    await bench.close();
    await hs.stop();
    await ircd.stop();
  }
}

const isNotice = (line: ReceivedLine): boolean =>
  line.message.command === 'NOTICE' && (line.message.params[1] ?? '').startsWith('NOTICE: ');

const fromBot = (channel: string, text: RegExp) => (line: ReceivedLine) =>
  line.message.nick === 'fbstatus' &&
  ['PRIVMSG', 'NOTICE'].includes(line.message.command) &&
  line.message.params[0] === channel &&
  text.test(
    (line.message.params[1] ?? '').replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, ''),
  );

export const benchmark: Benchmark = {
  name: 'status',
  run: () => measureFanOut(),
};
