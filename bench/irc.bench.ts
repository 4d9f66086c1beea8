/**
 * `npm run bench -- irc`: what firebell adds to an `!ack` on IRC, as users run it: the sample config's
 * default pacing (burst 4, then 0.5 lines/s), the real router and incident service, and the SQLite store on
 * a file at synchronous=FULL, so every acknowledgement waits for its fsync before the confirmation is said.
 * On a local ngIRCd a test client types `!ack <n>` in the channel (a fresh incident each time) and waits
 * for the bot's announcement of it, which goes out only once the transition is committed. The incidents
 * are declared before the bot connects: their announcements wait in the normal lane all along, and the
 * acknowledgements pass them (urgent lane, a token kept in reserve). Three baselines are measured in the
 * same run, interleaved: the server hop (one client's PRIVMSG to another), the same two-hop path with a
 * trivial echo client in the bot's place, and a bare fsync'd single-row commit halfway between samples
 * (what the disk alone costs a commit that follows an idle second, as every acknowledgement here does).
 * The bot's overhead is the round trip minus the echo relay, sample by sample, at the same percentile.
 * Samples are 2.1 s apart, as the default pacing allows one line per 2 s: the bucket always has a token,
 * so this measures the bot, not the wait for one. The clients run in processes of their own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../src/config/config.js';
import { DEFAULT_IRC_PACING } from '../src/config/schema.js';
import { benchIrcConfig } from './irc-setup.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { IrcNetwork } from '../src/networks/irc/irc-network.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { DurableState } from '../src/core/durable-state.js';
import { Ngircd } from '../test/servers/ngircd.js';
import { benchConfig, benchPolicy } from './incidents-setup.js';
import { percentile, type Benchmark, type BenchFigure } from './report.js';

/** What the echo client answers; the measuring child waits for exactly this. */
const ECHO_REPLY = 'echo: all quiet';
const CHANNEL = '#bench';
const OVERHEAD_TARGET_MS = 2;
/** One line per 2 s at the default pacing, plus a margin for timers. */
const SAMPLE_GAP_MS = 2100;

export interface RoundTripOptions {
  readonly samples?: number;
  readonly warmup?: number;
}

const config: Config = {
  ...benchConfig,
  groups: [
    {
      id: 'bench',
      members: [{ network: 'bench', conversation: CHANNEL, topic: false, status: false }],
      relay: false,
      relayJoinsAndParts: false,
    },
  ],
};

export async function measureAckRoundTrip(options: RoundTripOptions = {}): Promise<BenchFigure[]> {
  const samples = options.samples ?? 120;
  const warmup = options.warmup ?? 5;
  const server = await Ngircd.start();
  const dir = mkdtempSync(join(tmpdir(), 'firebell-irc-bench-'));
  const store = openSqliteStore(join(dir, 'firebell.sqlite'));
  const durable = await DurableState.open(store, { clock: systemClock, logger: silentLogger });
  const network = new IrcNetwork(benchIrcConfig(server, 'fbbench'), {
    clock: systemClock,
    logger: silentLogger,
    channels: [{ name: CHANNEL }],
    adminContact: 'bench',
  });
  const firebell = new Firebell({
    config,
    durable,
    networks: [network],
    clock: systemClock,
    logger: silentLogger,
  });
  const journalMode = String(store.db.pragma('journal_mode', { simple: true }));
  const synchronous = Number(store.db.pragma('synchronous', { simple: true }));
  const echo = spawn(
    process.execPath,
    [
      fileURLToPath(new URL('./irc-echo-child.js', import.meta.url)),
      String(server.port),
      'asker',
      ECHO_REPLY,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    if (synchronous !== 2) throw new Error(`the store runs at synchronous=${synchronous}, not FULL`);
    await new Promise<void>((resolve, reject) => {
      echo.stdout.once('data', () => resolve());
      echo.once('exit', (code) => reject(new Error(`the echo client exited (${code})`)));
    });
    await firebell.start();
    for (let index = 0; index < warmup + samples; index += 1)
      firebell.service.declare({
        summary: `bench incident ${index + 1}`,
        group: 'bench',
        by: { name: 'bench', network: 'bench' },
        policy: benchPolicy,
        source: { kind: 'chat' },
      });
    await firebell.service.idle();
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
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`the measuring clients failed: ${errors}`);
    const { hops, relays, trips, commits } = JSON.parse(output) as {
      hops: number[];
      relays: number[];
      trips: number[];
      commits: number[];
    };
    const acknowledged = firebell.service.open().filter((incident) => incident.context.assignee).length;
    if (acknowledged !== warmup + samples)
      throw new Error(`${acknowledged} of ${warmup + samples} incidents were acknowledged`);
    const pacing = `burst ${DEFAULT_IRC_PACING.burst}, ${DEFAULT_IRC_PACING.linesPerSecond} lines/s`;
    // Samples were taken in turn, so each trip has its echo relay of the same moment: the overhead is
    // their difference, sample by sample.
    const overheads = trips.map((trip, index) => trip - (relays[index] ?? 0));
    return [50, 99].map((p): BenchFigure => {
      const trip = percentile(trips, p);
      const overhead = percentile(overheads, p);
      return {
        name: `irc.ack_round_trip_p${p}`,
        value: trip,
        unit: 'ms',
        baseline: { name: `raw server hop p${p}`, value: percentile(hops, p), unit: 'ms' },
        note: `overhead p${p} ${overhead.toFixed(2)} ms over an echo client's round trip taken in turn (its p${p} ${percentile(relays, p).toFixed(2)} ms); the ack committed to SQLite (${journalMode}, synchronous=FULL) before its announcement; default pacing (${pacing}), ${warmup + samples} announcements waiting in the normal lane; ${samples} samples, clients in another process; a bare fsync'd single-row commit between samples, after the same idle wire: p${p} ${percentile(commits, p).toFixed(2)} ms`,
        target: `overhead <= ${OVERHEAD_TARGET_MS} ms at p99`,
        ...(p === 99 ? { met: overhead <= OVERHEAD_TARGET_MS } : {}),
      };
    });
  } finally {
    echo.kill();
    await firebell.stop();
    await store.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'irc',
  run: () => measureAckRoundTrip(),
};
