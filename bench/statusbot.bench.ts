/**
 * `npm run bench -- status`: `#status alert` fanned out, as the old statusbot did it for 104 channels (deaf
 * for about 7 minutes): here to 100 IRC channels on a local ngIRCd and 20 rooms on the test homeserver, a
 * notice and a topic each, at the sample config's default pacing (burst 4, then 0.5 lines/s). While it
 * runs, Alice acknowledges an incident every 30 s: each answer must come within a second (urgent lane,
 * a token kept in reserve). The fan-out's duration is compared with a bare IRC client that sends the same
 * 200 NOTICE and TOPIC lines (to channels of its own) at the same pacing, on its own connection to the
 * same server, at the same time: the minimum the pacing allows, measured rather than computed. The bot
 * also says its own lines in that window (the replies); they are counted in the note.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../src/config/config.js';
import { DEFAULT_IRC_PACING } from '../src/config/schema.js';
import { benchIrcConfig } from './irc-setup.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { IrcNetwork } from '../src/networks/irc/irc-network.js';
import { TokenBucket } from '../src/networks/irc/token-bucket.js';
import { MatrixNetwork } from '../src/networks/matrix/matrix-network.js';
import { TestHomeserver } from '../test/matrix-homeserver/homeserver.js';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';
import { Ngircd } from '../test/servers/ngircd.js';
import { openBenchDurable } from './durable-store.js';
import { hours } from '../test/support/builders.js';
import { contacts, testConfig } from '../test/support/config-fixture.js';
import { benchPolicy } from './incidents-setup.js';
import { percentile, type BenchFigure, type Benchmark } from './report.js';

const IRC_CHANNELS = 100;
const MATRIX_ROOMS = 20;
/** One incident each, acknowledged during the fan-out (distinct words: not taken for duplicates). */
const SERVICES = [
  'gerrit',
  'zuul',
  'nodepool',
  'mirrors',
  'dns',
  'mail',
  'wiki',
  'etherpad',
  'paste',
  'grafana',
  'logs',
  'storyboard',
];
const ACKS = SERVICES.length;
const ACK_EVERY_MS = 30_000;
const ALERT = 'PyPI mirror problems causing gate failures. Please stand by...';
const FANOUT_TARGET = 1.1;
const ACK_TARGET_MS = 1000;

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `lines` paced like firebell's bucket (burst, then the rate); resolves when all are written. */
async function pacedSend(client: IrcTestClient, lines: readonly string[]): Promise<void> {
  const bucket = new TokenBucket(DEFAULT_IRC_PACING.burst, DEFAULT_IRC_PACING.linesPerSecond, () =>
    performance.now(),
  );
  for (const line of lines) {
    while (!bucket.tryTake(1)) await sleep(Math.max(1, bucket.msUntil(1)));
    client.send(line);
  }
}

const plain = (text: string): string =>
  text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, '');

const fromBot = (channel: string, text: RegExp) => (line: ReceivedLine) =>
  line.message.nick === 'fbstatus' &&
  ['PRIVMSG', 'NOTICE'].includes(line.message.command) &&
  line.message.params[0] === channel &&
  text.test(plain(line.message.params[1] ?? ''));

/** A fan-out line (the alert's notice or topic) from `nick` in one of `channels`. */
const fanOutLine = (nick: string, channels: ReadonlySet<string>) => (line: ReceivedLine) =>
  line.message.nick === nick &&
  channels.has(line.message.params[0] ?? '') &&
  ((line.message.command === 'NOTICE' && line.message.params[1] === `NOTICE: ${ALERT}`) ||
    (line.message.command === 'TOPIC' && line.message.params[1] === ALERT));

export async function measureFanOut(): Promise<BenchFigure[]> {
  const ircd = await Ngircd.start();
  const hs = await TestHomeserver.start();
  hs.recordRequests = false;
  const botUser = hs.createUser('firebell');
  const alice = hs.createUser('alice', { displayname: 'Alice' });
  const channels = Array.from({ length: IRC_CHANNELS }, (_, index) => `#c${index}`);
  const bareChannels = Array.from({ length: IRC_CHANNELS }, (_, index) => `#b${index}`);
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
    // Nobody is paged while the benchmark runs: every line in the window is the fan-out or an answer.
    policies: { default: benchPolicy },
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
    // ngIRCd has no services: the bench trusts nicks there, as the config allows for such a network.
    benchIrcConfig(ircd, 'fbstatus', { trustNicksWithoutServices: true }),
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
  const people: IrcTestClient[] = [];
  try {
    await firebell.start();
    await until(
      () => rooms.every((room) => hs.membership(room, botUser.userId) === 'join'),
      'the bot in every room',
    );
    // The bare client makes its own channels (and is their operator); the bot makes its own.
    const bare = await IrcTestClient.connect({ port: ircd.port, nick: 'bare' });
    people.push(bare);
    bare.send(`JOIN ${bareChannels.join(',')}`);
    await bare.waitFor(
      (line) => line.message.command === '366' && line.message.params[1] === bareChannels.at(-1),
      {
        timeoutMs: 30_000,
      },
    );
    await until(() => irc.connectionState() === 'connected', 'the bot on IRC');
    const watcher = await IrcTestClient.connect({ port: ircd.port, nick: 'watcher' });
    const aliceIrc = await IrcTestClient.connect({ port: ircd.port, nick: 'alice' });
    people.push(watcher, aliceIrc);
    await aliceIrc.join('#ops');
    // The bot is in its channels (they exist, made by it) before the watcher joins them all.
    await aliceIrc.waitFor(
      (line) =>
        line.message.command === '353' && /(^|\s)[@]?fbstatus(\s|$)/.test(line.message.params[3] ?? ''),
      { timeoutMs: 30_000 },
    );
    await sleep(5000);
    watcher.send(`JOIN ${channels.join(',')}`);
    watcher.send(`JOIN ${bareChannels.join(',')}`);
    await watcher.waitFor(
      (line) => line.message.command === '366' && line.message.params[1] === bareChannels.at(-1),
      {
        timeoutMs: 30_000,
      },
    );

    // Incidents to acknowledge during the fan-out; their announcements go out before it starts.
    for (const service of SERVICES) aliceIrc.say('#ops', `!incident ${service} is failing`);
    await aliceIrc.waitFor(fromBot('#ops', new RegExp(`Incident #${ACKS} declared`)), { timeoutMs: 120_000 });
    // A full bucket, as the minimum assumes (burst 4 refills in 8 s at 0.5 lines/s).
    await sleep((1000 * DEFAULT_IRC_PACING.burst) / DEFAULT_IRC_PACING.linesPerSecond + 1000);

    const opsBefore = aliceIrc.lines.length;
    const watchBefore = watcher.lines.length;
    const started = performance.now();
    aliceIrc.say('#ops', `#status alert ${ALERT}`);
    const bareLines = [
      ...bareChannels.map((channel) => `NOTICE ${channel} :NOTICE: ${ALERT}`),
      ...bareChannels.map((channel) => `TOPIC ${channel} :${ALERT}`),
    ];
    const bareStarted = performance.now();
    const bareDone = pacedSend(bare, bareLines);

    const ackMs: number[] = [];
    for (let index = 1; index <= ACKS; index += 1) {
      await sleep(Math.max(0, started + index * ACK_EVERY_MS - 10_000 - performance.now()));
      const from = aliceIrc.lines.length;
      const asked = performance.now();
      aliceIrc.say('#ops', `!ack ${index}`);
      const answer = await aliceIrc.waitFor(
        fromBot('#ops', new RegExp(`Incident #${index} acknowledged by`)),
        {
          from,
          timeoutMs: 30_000,
        },
      );
      ackMs.push(answer.at - asked);
    }

    const botFanOut = fanOutLine('fbstatus', new Set(channels));
    const bareFanOut = fanOutLine('bare', new Set(bareChannels));
    const seen = (predicate: (line: ReceivedLine) => boolean) =>
      watcher.lines.slice(watchBefore).filter(predicate);
    await bareDone;
    await until(() => seen(botFanOut).length >= 2 * IRC_CHANNELS, 'the bot’s IRC fan-out', 300_000);
    await until(() => seen(bareFanOut).length >= 2 * IRC_CHANNELS, 'the bare fan-out', 30_000);
    const botDone = Math.max(...seen(botFanOut).map((line) => line.at));
    const bareEnd = Math.max(...seen(bareFanOut).map((line) => line.at));
    const report = await aliceIrc.waitFor(fromBot('#ops', /Finished sending alert/), {
      from: opsBefore,
      timeoutMs: 60_000,
    });
    const matrixDone = () =>
      rooms.every(
        (room) =>
          hs.messagesFrom(room, botUser.userId).some((content) => content.body === `NOTICE: ${ALERT}`) &&
          hs
            .timeline(room, { type: 'm.room.topic', sender: botUser.userId })
            .some((event) => event.content.topic === ALERT),
      );
    await until(matrixDone, 'the Matrix fan-out', 60_000);

    const botMs = botDone - started;
    const bareMs = bareEnd - bareStarted;
    const ratio = botMs / bareMs;
    const ownLines = aliceIrc.lines
      .slice(opsBefore)
      .filter((line) => line.message.nick === 'fbstatus' && line.at <= botDone).length;
    const pacing = `burst ${DEFAULT_IRC_PACING.burst}, then ${DEFAULT_IRC_PACING.linesPerSecond} lines/s`;
    return [
      {
        name: 'status.alert_fanout_ms',
        value: botMs,
        unit: 'ms',
        baseline: { name: 'bare client, the same 200 lines at the same pacing', value: bareMs, unit: 'ms' },
        note: `${ratio.toFixed(3)}x the bare client; ${IRC_CHANNELS} IRC channels (notice + topic each; ${ownLines} more lines of the bot's own answers in the window) and ${MATRIX_ROOMS} Matrix rooms; ${pacing}; report: "${plain(report.message.params[1] ?? '')}"`,
        target: `<= ${FANOUT_TARGET}x the bare client`,
        met: ratio <= FANOUT_TARGET,
      },
      ...[50, 99].map((p): BenchFigure => ({
        name: `status.ack_during_fanout_p${p}_ms`,
        value: percentile(ackMs, p),
        unit: 'ms',
        note: `${ACKS} acknowledgements, one every ${ACK_EVERY_MS / 1000} s while the fan-out ran, answered in #ops`,
        target: `< ${ACK_TARGET_MS} ms`,
        ...(p === 99 ? { met: percentile(ackMs, p) < ACK_TARGET_MS } : {}),
      })),
    ];
  } finally {
    for (const person of people) person.close();
    await firebell.stop();
    await bench.close();
    await hs.stop();
    await ircd.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'status',
  run: () => measureFanOut(),
};
