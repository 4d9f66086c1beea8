/**
 * `npm run bench -- irc`: what firebell adds to a command's round trip on IRC, with an empty queue.
 * On a local ngIRCd, a test client sends `!status` in a channel and waits for the bot's reply; in the same
 * run, interleaved, one client's PRIVMSG to another through the same server gives the raw server hop. The
 * round trip crosses the server twice, so the bot's overhead is round trip − 2 × hop.
 * The responder is a parameter: the composition root's router plugs in where the stand-in answers now.
 */
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { InboundMessage } from '../src/core/messages.js';
import type { ChatNetwork } from '../src/core/network.js';
import { rich } from '../src/core/rich-text.js';
import { IrcNetwork } from '../src/networks/irc/irc-network.js';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';
import { Ngircd } from '../test/servers/ngircd.js';
import { percentile, type Benchmark, type BenchFigure } from './report.js';

/** Answers an inbound message on the network it came from (the real router goes here). */
export type Responder = (network: ChatNetwork, message: InboundMessage) => void;

const REPLY = 'status: all quiet';

/** A stand-in for the router: `!status` gets an urgent reply where it was asked. */
export const statusResponder: Responder = (network, message) => {
  if (message.style !== 'message' || message.text.trim() !== '!status') return;
  network.send({
    to: { network: network.id, conversation: message.conversation.id },
    body: rich(REPLY),
    style: 'message',
    priority: 'urgent',
    purpose: 'reply',
  });
};

export interface RoundTripOptions {
  readonly samples?: number;
  readonly warmup?: number;
}

const CHANNEL = '#bench';
/** Between samples, so the bucket (1000 lines/s) always has a token: the queue stays empty. */
const SAMPLE_GAP_MS = 5;

async function timed(
  client: IrcTestClient,
  send: () => void,
  arrived: (line: ReceivedLine) => boolean,
): Promise<number> {
  const from = client.lines.length;
  const started = performance.now();
  send();
  const line = await client.waitFor(arrived, { from, timeoutMs: 5000 });
  return line.at - started;
}

export async function measureCommandRoundTrip(
  responder: Responder,
  options: RoundTripOptions = {},
): Promise<BenchFigure[]> {
  const samples = options.samples ?? 300;
  const warmup = options.warmup ?? 30;
  const server = await Ngircd.start();
  // Pacing well above the sample rate (samples are spaced): the queue stays empty and the token bucket
  // never holds a reply back, so this measures the adapter, not the flood limit.
  const network = new IrcNetwork(
    {
      id: 'bench',
      kind: 'irc',
      host: server.host,
      port: server.port,
      tls: false,
      tlsRejectUnauthorized: true,
      nick: 'fbbench',
      altNicks: [],
      username: 'firebell',
      channelKeys: {},
      pacing: { burst: 50, linesPerSecond: 1000, queueLimit: 1000 },
      trustNicksWithoutServices: false,
      pingTimeoutSeconds: 120,
    },
    { clock: systemClock, logger: silentLogger, channels: [{ name: CHANNEL }], adminContact: 'bench' },
  );
  const clients: IrcTestClient[] = [];
  try {
    let joined = false;
    await network.start({
      message: (message) => responder(network, message),
    });
    const [asker, peer] = await Promise.all([
      IrcTestClient.connect({ port: server.port, nick: 'asker' }),
      IrcTestClient.connect({ port: server.port, nick: 'peer' }),
    ]);
    clients.push(asker, peer);
    await asker.join(CHANNEL);
    await asker.waitFor((line) => line.message.command === 'JOIN' && line.message.nick === 'fbbench', {
      timeoutMs: 10_000,
      what: 'the bot in the channel',
    });
    joined = true;
    const hops: number[] = [];
    const trips: number[] = [];
    for (let index = 0; index < warmup + samples; index += 1) {
      const hop = await timed(
        peer,
        () => asker.say('peer', `hop ${index}`),
        (line) => line.message.command === 'PRIVMSG' && line.message.params[1] === `hop ${index}`,
      );
      const trip = await timed(
        asker,
        () => asker.say(CHANNEL, '!status'),
        (line) => line.message.nick === 'fbbench' && line.message.params[1] === REPLY,
      );
      if (index >= warmup) {
        hops.push(hop);
        trips.push(trip);
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_GAP_MS));
    }
    if (!joined) throw new Error('the bot never joined');
    return [50, 99].map((p): BenchFigure => {
      const trip = percentile(trips, p);
      const hop = percentile(hops, p);
      const overhead = trip - 2 * hop;
      return {
        name: `irc.command_round_trip_p${p}`,
        value: trip,
        unit: 'ms',
        baseline: { name: `raw server hop p${p}`, value: hop, unit: 'ms' },
        note: `overhead ${overhead.toFixed(2)} ms over ${samples} samples`,
        target: 'overhead <= 2 ms at p99',
        ...(p === 99 ? { met: overhead <= 2 } : {}),
      };
    });
  } finally {
    await network.stop();
    for (const client of clients) client.close();
    await server.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'irc',
  run: () => measureCommandRoundTrip(statusResponder),
};
