/**
 * `npm run bench -- failover`: how long people wait for the bot after the active instance's host dies. Two
 * firebell processes (the built CLI) on one PostgreSQL database, on ngIRCd and the Matrix test homeserver,
 * with the sample config's defaults for the lease (6 s) and the IRC pacing (4 lines at once, then one
 * every 2 s), a configuration `firebell check` accepts. Ten times: an incident is declared, the active
 * instance is SIGKILLed as soon as its announcement is in the room, and the clock runs until the standby's
 * first delivery (its first line in the channel or its first event in the room, whichever comes first)
 * and until the incident's page (due 3 s after the announcement, so overdue at the takeover); then a
 * fresh instance starts as the next standby. Needs the tests' PostgreSQL (FIREBELL_TEST_DATABASE_URL).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { TestHomeserver } from '../test/matrix-homeserver/homeserver.js';
import { Ngircd } from '../test/servers/ngircd.js';
import { CLI, type FirebellProcess } from '../test/support/firebell-process.js';
import { isStandingBy, startPair, until, type Pair } from '../test/support/failover-pair.js';
import { percentile, type BenchFigure, type Benchmark } from './report.js';

const KILLS = 10;
const TARGET_SECONDS = 10;

interface KillTimes {
  /** Seconds from the kill to the first thing the bot said after it, on either network. */
  readonly firstDelivery: number;
  /** Seconds from the kill to the tier 1 page (due 3 s after the announcement, overdue at the takeover). */
  readonly page: number;
}

async function oneKill(
  hs: TestHomeserver,
  pair: Pair,
  active: FirebellProcess,
  round: number,
  ana: string,
): Promise<KillTimes> {
  hs.post(ana, pair.room, { msgtype: 'm.text', body: `!incident bench round ${round}` });
  // Killed as soon as the room has the announcement, before its IRC line is paced out: the page (due 3 s
  // later) and whatever the dead instance had not delivered are the standby's to send.
  await until(
    () => pair.matrixSaid(new RegExp(`Incident #${round} declared`)).length === 1,
    15_000,
    `incident #${round} in the room`,
  );
  const killedAt = { monotonic: performance.now(), wall: Date.now() };
  active.kill('SIGKILL');
  // Each network on its own clock: the listening client's arrival times, the homeserver's timestamps.
  const firstAfterKill = (pattern: RegExp): number =>
    Math.min(
      ...pair
        .ircSaid(pattern)
        .flatMap((line) => (line.at > killedAt.monotonic ? [line.at - killedAt.monotonic] : [])),
      ...pair
        .matrixSaid(pattern)
        .flatMap((event) => (event.at > killedAt.wall ? [event.at - killedAt.wall] : [])),
    ) / 1000;
  const page = new RegExp(`paging you \\(tier 1\\) for incident #${round}\\b`);
  await until(
    () => Number.isFinite(firstAfterKill(page)),
    30_000,
    `the page of round ${round}`,
    pair.transcript,
  );
  await active.exited;
  hs.post(ana, pair.room, { msgtype: 'm.text', body: `!resolved ${round} bench round done` });
  // The next round starts once the channel has heard everything (the resolution is the last line).
  const resolved = new RegExp(`Incident #${round} .*resolved by Ana`);
  await until(
    () => pair.ircSaid(resolved).length >= 1,
    60_000,
    `incident #${round} resolved`,
    pair.transcript,
  );
  return { firstDelivery: firstAfterKill(/./), page: firstAfterKill(page) };
}

export const benchmark: Benchmark = {
  name: 'failover',
  async run(): Promise<readonly BenchFigure[]> {
    const irc = await Ngircd.start();
    const hs = await TestHomeserver.start();
    const bot = hs.createUser('firebell');
    const ana = hs.createUser('ana', { displayname: 'Ana' });
    const bo = hs.createUser('bo', { displayname: 'Bo' });
    let pair: Pair | undefined;
    try {
      // No lease and no pacing given: the sample config's defaults.
      pair = await startPair({
        ircPort: irc.port,
        hs,
        bot,
        ana,
        bo,
        name: 'failbench',
        tierMinutes: [0.05, 60],
      });
      const checked = spawnSync(process.execPath, [CLI, 'check', '--config', pair.config], {
        env: { ...process.env, ...pair.env },
        encoding: 'utf8',
      });
      if (checked.status !== 0) throw new Error(`firebell check refused the config:\n${checked.stdout}`);
      let active = pair.start();
      await until(
        () => active.stderr.some((line) => line.includes('Matrix adapter running')),
        30_000,
        'the first instance active',
      );
      const samples: KillTimes[] = [];
      for (let round = 1; round <= KILLS; round += 1) {
        const standby = pair.start();
        await until(() => isStandingBy(standby), 30_000, 'a standby');
        samples.push(await oneKill(hs, pair, active, round, ana.userId));
        active = standby;
      }
      const firsts = samples.map((sample) => sample.firstDelivery);
      const median = percentile(firsts, 50);
      const min = Math.min(...firsts);
      const max = Math.max(...firsts);
      const pages = samples.map((sample) => sample.page);
      return [
        {
          name: 'failover',
          statistic: 'median',
          value: median,
          unit: 's',
          note: `min ${min.toFixed(2)} s, max ${max.toFixed(2)} s over ${KILLS} SIGKILLs, to the standby's first delivery on IRC or Matrix (the overdue page: median ${percentile(pages, 50).toFixed(2)} s, max ${Math.max(...pages).toFixed(2)} s); lease 6 s and IRC pacing as the sample config has them`,
          target: `< ${TARGET_SECONDS} s`,
          met: max < TARGET_SECONDS,
        },
      ];
    } finally {
      await pair?.close();
      await hs.stop();
      await irc.stop();
    }
  },
};
