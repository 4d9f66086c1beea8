/**
 * `npm run bench -- irc`: a page that falls due while firebell rejoins its channels after a reconnect. The
 * bot sits in 101 channels of a local ngIRCd at the sample config's default pacing (burst 4, then 0.5
 * lines/s); the server is killed and started again; as soon as the bot is back and its first channels are
 * joined again, the incident's page falls due (the clock jumps to its due time), and the figure is how
 * late its private message reaches the person paged. Five rounds; the figure is the worst. The baseline
 * is the raw server hop (one bare client's PRIVMSG to another) measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config, Contact } from '../src/config/config.js';
import { DEFAULT_IRC_PACING } from '../src/config/schema.js';
import { benchIrcConfig } from './irc-setup.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { IrcNetwork } from '../src/networks/irc/irc-network.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { DurableState } from '../src/core/durable-state.js';
import { Ngircd } from '../test/servers/ngircd.js';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';
import { makeContact } from '../test/support/builders.js';
import { JumpClock } from '../test/support/jump-clock.js';
import { MemoryLogger } from '../test/support/memory-logger.js';
import { benchConfig, benchPolicy } from './incidents-setup.js';
import { percentile, type Benchmark, type BenchFigure } from './report.js';

const CHANNELS = ['#infra', ...Array.from({ length: 100 }, (_, index) => `#status-channel-${index}`)];
const ROUNDS = 5;
const PAGE_AFTER_MINUTES = 10;
const TARGET_MS = 1000;

const pager: Contact = makeContact({
  id: 'pager',
  timezone: 'UTC',
  hours: { daily: '00:00-24:00' },
  tier: 1,
  irc: { account: 'pager', nick: 'pager' },
});

const config: Config = {
  ...benchConfig,
  groups: [
    // The incident's channel, and a hundred status channels (as the OpenStack statusbot sat in).
    {
      id: 'infra',
      members: [{ network: 'bench', conversation: '#infra', topic: false, status: false }],
      relay: false,
      relayJoinsAndParts: false,
    },
    {
      id: 'status',
      members: CHANNELS.slice(1).map((conversation) => ({
        network: 'bench',
        conversation,
        topic: true,
        status: true,
      })),
      relay: false,
      relayJoinsAndParts: false,
    },
  ],
  policies: { bench: { ...benchPolicy, tiers: [{ tier: 1, afterMinutes: PAGE_AFTER_MINUTES }] } },
  contacts: [pager],
};

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const pageFor = (incident: number) => (line: ReceivedLine) =>
  line.message.nick === 'fbrejoin' &&
  ['PRIVMSG', 'NOTICE'].includes(line.message.command) &&
  line.message.params[0] === 'pager' &&
  (line.message.params[1] ?? '').replace(/[\x02\x0f]/g, '').includes(`incident #${incident} `);

export async function measurePageDuringRejoin(): Promise<BenchFigure[]> {
  const server = await Ngircd.start();
  const dir = mkdtempSync(join(tmpdir(), 'firebell-rejoin-bench-'));
  const store = openSqliteStore(join(dir, 'firebell.sqlite'));
  const clock = new JumpClock();
  const log = new MemoryLogger();
  const irc = new IrcNetwork(
    benchIrcConfig(server, 'fbrejoin'),
    // The adapter keeps real time (its ping watchdog would take the jump for a silent server).
    { clock: systemClock, logger: log, channels: CHANNELS.map((name) => ({ name })), adminContact: 'bench' },
  );
  const durable = await DurableState.open(store, { clock, logger: log });
  const firebell = new Firebell({ config, durable, networks: [irc], clock, logger: log });
  const clients: IrcTestClient[] = [];
  const joinedSince = (mark: number): number =>
    log.entries.slice(mark).filter((entry) => entry.message.startsWith('joined ')).length;
  try {
    await firebell.start();
    await until(() => joinedSince(0) === CHANNELS.length, 'the bot in its 101 channels');
    const late: number[] = [];
    const channelsBack: number[] = [];
    const hops: number[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      firebell.service.declare({
        summary: `mirror ${round} is stale`,
        group: 'infra',
        by: { name: 'bench', network: 'bench' },
        policy: config.policies.bench as typeof benchPolicy,
        source: { kind: 'chat' },
      });
      await firebell.service.idle();
      const mark = log.entries.length;
      await server.crash();
      await server.restart();
      const person = await IrcTestClient.connect({ port: server.port, nick: 'pager' });
      const peer = await IrcTestClient.connect({ port: server.port, nick: 'peer' });
      clients.push(person, peer);
      // The raw hop, on the same server in the same run.
      for (let sample = 0; sample < 10; sample += 1) {
        const from = peer.lines.length;
        const sent = performance.now();
        person.say('peer', `hop ${sample}`);
        const line = await peer.waitFor((candidate) => candidate.message.params[1] === `hop ${sample}`, {
          from,
        });
        hops.push(line.at - sent);
      }
      // Back and rejoining: the page falls due now.
      await until(() => joinedSince(mark) > 0, 'the first rejoin');
      channelsBack.push(joinedSince(mark));
      clock.jump(PAGE_AFTER_MINUTES * 60_000);
      const due = performance.now();
      const page = await person.waitFor(pageFor(round), { timeoutMs: 20_000, what: 'the page' });
      late.push(page.at - due);
      await until(
        () => joinedSince(mark) === CHANNELS.length,
        `the rest of the rejoin (${joinedSince(mark)} joined; ${log.entries
          .slice(-5)
          .map((e) => e.message)
          .join(' / ')})`,
      );
      person.close();
      peer.close();
    }
    const worst = Math.max(...late);
    return [
      {
        name: 'irc.page_during_rejoin_late_ms',
        value: worst,
        unit: 'ms',
        baseline: { name: 'raw server hop p50', value: percentile(hops, 50), unit: 'ms' },
        note: `worst of ${ROUNDS} rounds (p50 ${percentile(late, 50).toFixed(1)} ms); the private page fell due when ${Math.min(...channelsBack)}-${Math.max(...channelsBack)} of ${CHANNELS.length} channels were rejoined after a server restart; default pacing (burst ${DEFAULT_IRC_PACING.burst}, ${DEFAULT_IRC_PACING.linesPerSecond} lines/s)`,
        target: `< ${TARGET_MS} ms late`,
        met: worst < TARGET_MS,
      },
    ];
  } finally {
    for (const client of clients) client.close();
    await firebell.stop();
    await store.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = {
  name: 'irc-rejoin',
  run: () => measurePageDuringRejoin(),
};
