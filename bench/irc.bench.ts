/**
 * `npm run bench -- irc`: what firebell adds to a command's round trip on IRC, with an empty queue.
 * On a local ngIRCd, a test client sends `!status` in a channel and waits for the bot's reply. Two raw
 * baselines are measured in the same run, interleaved: the server hop (one client's PRIVMSG to another) and
 * the same two-hop path with a trivial echo client in the bot's place. The bot's overhead is the round trip
 * minus the echo relay, at the same percentile. The bot is the real router (./router-responder.ts); the
 * measuring clients and the echo client run in processes of their own, as the bot's users would.
 */
import { systemClock } from '../src/core/clock.js';
import { silentLogger } from '../src/core/logger.js';
import type { ChatNetwork } from '../src/core/network.js';
import { IrcNetwork } from '../src/networks/irc/irc-network.js';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ngircd } from '../test/servers/ngircd.js';
import { routerResponder, type NetworkResponder } from './router-responder.js';
import { percentile, type Benchmark, type BenchFigure } from './report.js';

/** What the echo client answers; the measuring child waits for exactly this. */
const ECHO_REPLY = 'echo: all quiet';
const CHANNEL = '#bench';
const OVERHEAD_TARGET_MS = 2;
/** Between samples, so the bucket (1000 lines/s) always has a token: the queue stays empty. */
const SAMPLE_GAP_MS = 5;

export interface RoundTripOptions {
  readonly samples?: number;
  readonly warmup?: number;
}

export async function measureCommandRoundTrip(
  responder: NetworkResponder<ChatNetwork>,
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
  const echo = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./irc-echo-child.js', import.meta.url)),
      String(server.port),
      'asker',
      ECHO_REPLY,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      echo.stdout.once('data', () => resolve());
      echo.once('exit', (code) => reject(new Error(`the echo client exited (${code})`)));
    });
    await network.start({ message: (message) => responder(message, network) });
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./irc-clients-child.js', import.meta.url)),
        String(server.port),
        'fbbench',
        CHANNEL,
        String(samples),
        String(warmup),
        String(SAMPLE_GAP_MS),
        ECHO_REPLY,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`the measuring clients failed: ${errors}`);
    const { hops, relays, trips } = JSON.parse(output) as {
      hops: number[];
      relays: number[];
      trips: number[];
    };
    return [50, 99].map((p): BenchFigure => {
      const trip = percentile(trips, p);
      const overhead = trip - percentile(relays, p);
      return {
        name: `irc.command_round_trip_p${p}`,
        value: trip,
        unit: 'ms',
        baseline: { name: `raw server hop p${p}`, value: percentile(hops, p), unit: 'ms' },
        note: `overhead ${overhead.toFixed(2)} ms over an echo client's round trip (p${p} ${percentile(relays, p).toFixed(2)} ms); ${samples} samples, clients in another process`,
        target: `overhead <= ${OVERHEAD_TARGET_MS} ms at p99`,
        ...(p === 99 ? { met: overhead <= OVERHEAD_TARGET_MS } : {}),
      };
    });
  } finally {
    echo.kill();
    await network.stop();
    await server.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'irc',
  // The real router, incident service and store answer `!status`.
  run: () => measureCommandRoundTrip(routerResponder([CHANNEL])),
};
