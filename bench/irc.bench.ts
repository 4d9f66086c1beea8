/**
 * `npm run bench -- irc`: what firebell adds to a command's round trip on IRC, with an empty queue.
 * On a local ngIRCd, a test client sends `!status` in a channel and waits for the bot's reply. Two raw
 * baselines are measured in the same run, interleaved: the server hop (one client's PRIVMSG to another) and
 * the same two-hop path with a trivial echo client in the bot's place. The bot's overhead is the round trip
 * minus the echo relay, at the same percentile.
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
export type Responder = (message: InboundMessage, network: ChatNetwork) => void;

const REPLY = 'status: all quiet';
const CHANNEL = '#bench';
const OVERHEAD_TARGET_MS = 2;
/** Between samples, so the bucket (1000 lines/s) always has a token: the queue stays empty. */
const SAMPLE_GAP_MS = 5;

/** A stand-in for the router: `!status` gets an urgent reply where it was asked. */
export const statusResponder: Responder = (message, network) => {
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

const privmsg = (from: string, text: string) => (line: ReceivedLine) =>
  line.message.command === 'PRIVMSG' && line.message.nick === from && line.message.params[1] === text;

export async function measureCommandRoundTrip(
  responder: Responder = statusResponder,
  options: RoundTripOptions = {},
): Promise<BenchFigure[]> {
  const samples = options.samples ?? 1000;
  const warmup = options.warmup ?? 50;
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
    await network.start({ message: (message) => responder(message, network) });
    const [asker, peer, echo] = await Promise.all(
      ['asker', 'peer', 'echo'].map((nick) => IrcTestClient.connect({ port: server.port, nick })),
    );
    if (!asker || !peer || !echo) throw new Error('test clients missing');
    clients.push(asker, peer, echo);
    // The raw baseline for the round trip: a client that answers at once, with no logic at all. It is not
    // the hop's receiver: a client that only receives delays its ACKs, and the server's next line to it
    // would wait for them (Nagle), which is not what the bot's connection sees.
    echo.onLine((line) => {
      if (line.message.command === 'PRIVMSG' && line.message.params[1] === '!echo') echo.say('asker', REPLY);
    });
    await asker.join(CHANNEL);
    await asker.waitFor((line) => line.message.command === 'JOIN' && line.message.nick === 'fbbench', {
      timeoutMs: 10_000,
      what: 'the bot in the channel',
    });
    const hops: number[] = [];
    const relays: number[] = [];
    const trips: number[] = [];
    for (let index = 0; index < warmup + samples; index += 1) {
      const hop = await timed(
        peer,
        () => asker.say('peer', `hop ${index}`),
        privmsg('asker', `hop ${index}`),
      );
      const relay = await timed(asker, () => asker.say('echo', '!echo'), privmsg('echo', REPLY));
      const trip = await timed(asker, () => asker.say(CHANNEL, '!status'), privmsg('fbbench', REPLY));
      if (index >= warmup) {
        hops.push(hop);
        relays.push(relay);
        trips.push(trip);
      }
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_GAP_MS));
    }
    return [50, 99].map((p): BenchFigure => {
      const trip = percentile(trips, p);
      const overhead = trip - percentile(relays, p);
      return {
        name: `irc.command_round_trip_p${p}`,
        value: trip,
        unit: 'ms',
        baseline: { name: `raw server hop p${p}`, value: percentile(hops, p), unit: 'ms' },
        note: `overhead ${overhead.toFixed(2)} ms over an echo client's round trip (p${p} ${percentile(relays, p).toFixed(2)} ms); ${samples} samples`,
        target: `overhead <= ${OVERHEAD_TARGET_MS} ms at p99`,
        ...(p === 99 ? { met: overhead <= OVERHEAD_TARGET_MS } : {}),
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
