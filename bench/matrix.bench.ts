/**
 * Command round trip through the test homeserver: a client sends `!status`, the bot receives it by /sync,
 * answers, and another client receives the answer by /sync. Beside it, in the same run and interleaved:
 *   - the raw hop: one client sends, the other receives by /sync;
 *   - the raw two-hop relay: the same round trip with a bare echo client (fetch, no logic) in the bot's
 *     place. Its shape is the bot's exactly, so the bot's overhead at p99 is the round trip's p99 minus
 *     the relay's (tails do not add: the p99 of two hops is well under twice the p99 of one).
 * The bot is firebell's real core (./core-on-network.ts), its store a SQLite file at synchronous=FULL
 * holding the Matrix adapter's state too, so the round trip includes the fsync of the command's event id
 * before it is handled and that of the reply before it is sent. Everything runs in one process, so a GC
 * pause lands on all three alike.
 *
 * Then a 429 storm under Synapse's default rate limit (./matrix-storm.ts).
 */
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import { MatrixNetwork } from '../src/networks/matrix/matrix-network.js';
import { TestHomeserver } from '../test/matrix-homeserver/homeserver.js';
import { TestMatrixClient } from '../test/matrix-homeserver/test-client.js';
import type { Contact } from '../src/config/config.js';
import { botConfig } from '../test/networks/matrix/harness.js';
import { makeContact } from '../test/support/builders.js';
import { coreOnNetwork } from './core-on-network.js';
import { openBenchDurable } from './durable-store.js';
import { percentile, type BenchFigure, type Benchmark } from './report.js';
import { measureStorm } from './matrix-storm.js';

const OVERHEAD_TARGET_MS = 3;

export async function measureMatrixRoundTrip(
  contacts: readonly Contact[],
  rounds = 1000,
  warmup = 100,
): Promise<BenchFigure[]> {
  const hs = await TestHomeserver.start();
  hs.recordRequests = false;
  const botUser = hs.createUser('firebell');
  const alice = hs.createUser('alice');
  const bob = hs.createUser('bob');
  const carol = hs.createUser('carol');
  const room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'bench' });
  hs.join(bob.userId, room);
  hs.join(carol.userId, room);
  const bench = await openBenchDurable();
  const network = new MatrixNetwork(botConfig(hs, botUser), {
    clock: systemClock,
    logger: silentLogger,
    kv: bench.durable.keyValues,
    rooms: ['#bench:test.local'],
    mayInvite: () => false,
  });
  const firebell = coreOnNetwork(network, bench.durable, ['#bench:test.local'], contacts);
  const sender = new TestMatrixClient(hs.url, alice.token);
  const receiver = new TestMatrixClient(hs.url, bob.token);
  const echo = new TestMatrixClient(hs.url, carol.token);
  try {
    await firebell.start();
    await waitUntil(
      () => hs.membership(room, botUser.userId) === 'join' && network.connectionState() === 'connected',
    );
    await receiver.follow();
    await echo.follow((event) => {
      if (event.event.content.body !== '!echo') return;
      void echo.send(room, {
        msgtype: 'm.notice',
        body: 'echo',
        'm.relates_to': { 'm.in_reply_to': { event_id: event.event.event_id } },
      });
    });

    const hops: number[] = [];
    const relays: number[] = [];
    const trips: number[] = [];
    for (let round = 0; round < warmup + rounds; round += 1) {
      const hopStart = performance.now();
      const pingId = await sender.send(room, { msgtype: 'm.text', body: `ping ${round}` });
      const ping = await receiver.waitFor((event) => event.event.event_id === pingId);
      const relayStart = performance.now();
      const echoId = await sender.send(room, { msgtype: 'm.text', body: '!echo' });
      const echoed = await receiver.waitFor((event) => repliesTo(event.event.content, echoId));
      const tripStart = performance.now();
      const commandId = await sender.send(room, { msgtype: 'm.text', body: '!status' });
      const reply = await receiver.waitFor((event) => repliesTo(event.event.content, commandId));
      if (round >= warmup) {
        hops.push(ping.receivedAt - hopStart);
        relays.push(echoed.receivedAt - relayStart);
        trips.push(reply.receivedAt - tripStart);
      }
      receiver.forget();
      echo.forget();
    }

    const [hop50, hop99] = [percentile(hops, 50), percentile(hops, 99)];
    const [relay50, relay99] = [percentile(relays, 50), percentile(relays, 99)];
    const [trip50, trip99] = [percentile(trips, 50), percentile(trips, 99)];
    const overhead99 = trip99 - relay99;
    return [
      {
        name: 'matrix.raw_hop_p50',
        value: hop50,
        unit: 'ms',
        note: `p99 ${hop99.toFixed(2)} ms; one client sends, another receives it by /sync`,
      },
      {
        name: 'matrix.command_round_trip_p50',
        value: trip50,
        unit: 'ms',
        baseline: { name: 'two raw hops', value: 2 * hop50, unit: 'ms' },
        note: `bot overhead ${(trip50 - 2 * hop50).toFixed(2)} ms; echo relay p50 ${relay50.toFixed(2)} ms`,
      },
      {
        name: 'matrix.command_round_trip_p99',
        value: trip99,
        unit: 'ms',
        baseline: { name: 'raw two-hop relay (echo client) p99', value: relay99, unit: 'ms' },
        note: `bot overhead ${overhead99.toFixed(2)} ms; raw hop p99 ${hop99.toFixed(2)} ms; ${rounds} rounds`,
        target: `bot overhead <= ${OVERHEAD_TARGET_MS} ms at p99`,
        met: overhead99 <= OVERHEAD_TARGET_MS,
      },
    ];
  } finally {
    await receiver.stop();
    await echo.stop();
    await firebell.stop();
    await bench.close();
    await hs.stop();
  }
}

function repliesTo(content: Record<string, unknown>, eventId: string): boolean {
  const relation = content['m.relates_to'] as { 'm.in_reply_to'?: { event_id?: string } } | undefined;
  return relation?.['m.in_reply_to']?.event_id === eventId;
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('the bot did not come up');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const benchmark: Benchmark = {
  name: 'matrix',
  async run(): Promise<readonly BenchFigure[]> {
    // The real router, incident service and store answer `!status`, asked by alice, a contact.
    const alice = makeContact({
      id: 'alice',
      timezone: 'UTC',
      hours: { 'mon-sun': '00:00-24:00' },
      matrix: '@alice:test.local',
    });
    const roundTrip = await measureMatrixRoundTrip([alice]);
    return [...roundTrip, ...(await measureStorm())];
  },
};
