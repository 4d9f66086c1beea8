/**
 * The incident core under load, on a real SQLite file with the store's durability (WAL, synchronous=FULL),
 * through the product's path: the incident service, the journal, the durable outbox (each transition's
 * announcement stored as an outbox row, its effect marked done, in the transition's commit) to a channel
 * that confirms what it was handed, so each outcome is written too:
 *
 *  - one transition per commit: one event at a time, each waiting for its commit, beside the raw SQLite
 *    rate of single-row transactions (same SQLite driver) measured in the same run, taking turns so both meet
 *    the same disk (target: 60% of raw);
 *  - group commit, labelled as such: 1,000 incident actors sent an event each at once, so one commit
 *    carries many transitions (what a burst costs; no target);
 *  - restore time and resident memory for 10,000 open incidents, measured in a fresh process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BenchFigure, Benchmark } from './report.js';
import { openRawSqliteBaseline, RAW_SQLITE_BASELINE } from './sqlite-baseline.js';
import { openBenchDurable } from './durable-store.js';
import {
  ackOrUnack,
  benchDeclaration,
  BenchChannel,
  benchFirebell,
  declareIncidents,
  oneTransitionAtATime,
  quietFirebell,
} from './incidents-setup.js';

const ONE_BY_ONE_INCIDENTS = 100;
const ACTORS = 1000;
const RESTORED = 10_000;
const RAW_PER_TURN = 50;
const EVENTS_PER_TURN = 50;
const MEASURE_MS = 4000;
const TARGET_SHARE = 0.6;

async function declared(dir: string, file: string, count: number) {
  const bench = await openBenchDurable(join(dir, file));
  const channel = new BenchChannel();
  const firebell = benchFirebell(bench.durable, channel);
  await firebell.start();
  await declareIncidents(firebell, channel, count);
  return { bench, channel, firebell, journal: bench.durable.journal };
}

/**
 * For MEASURE_MS, a burst of `rawPerTurn` raw single-row transactions, then one `turn` of the product, and
 * again, so both meet the same disk weather; the raw rate, and the time the product's turns took.
 */
async function takingTurns(
  dir: string,
  rawPerTurn: number,
  turn: () => Promise<void>,
): Promise<{ rawRate: number; productMs: number }> {
  const raw = openRawSqliteBaseline(dir);
  try {
    let rawOps = 0;
    let rawMs = 0;
    let productMs = 0;
    const start = performance.now();
    while (performance.now() - start < MEASURE_MS) {
      const rawStart = performance.now();
      for (let i = 0; i < rawPerTurn; i += 1) raw.transact(rawOps + i);
      rawMs += performance.now() - rawStart;
      rawOps += rawPerTurn;
      const productStart = performance.now();
      await turn();
      productMs += performance.now() - productStart;
    }
    return { rawRate: (rawOps * 1000) / rawMs, productMs };
  } finally {
    raw.close();
  }
}

async function oneTransitionPerCommit(dir: string): Promise<BenchFigure> {
  const { bench, channel, firebell, journal } = await declared(dir, 'one.sqlite', ONE_BY_ONE_INCIDENTS);
  try {
    const transitions = oneTransitionAtATime(firebell, channel, ONE_BY_ONE_INCIDENTS);
    const commitsBefore = journal.commits;
    const { rawRate, productMs } = await takingTurns(dir, RAW_PER_TURN, async () => {
      for (let i = 0; i < EVENTS_PER_TURN; i += 1) await transitions.next();
    });
    const events = transitions.count();
    const commits = journal.commits - commitsBefore;
    if (commits !== events) throw new Error(`${events} transitions took ${commits} commits, not one each`);
    const rate = (events * 1000) / productMs;
    return {
      name: 'incidents.transitions_one_per_commit',
      value: rate,
      unit: 'transitions/s',
      baseline: { name: RAW_SQLITE_BASELINE, value: rawRate, unit: 'tx/s' },
      note: `${((rate / rawRate) * 100).toFixed(0)}% of raw; each commit: the snapshot, its timeline entry, the effect's outbox row, the previous row's outcome`,
      target: `>= ${TARGET_SHARE * 100}% of raw, synchronous=FULL`,
      met: rate >= TARGET_SHARE * rawRate,
    };
  } finally {
    await firebell.stop();
    await bench.close();
  }
}

async function groupCommit(dir: string): Promise<BenchFigure> {
  const { bench, channel, firebell, journal } = await declared(dir, 'group.sqlite', ACTORS);
  try {
    // Each turn: one event to each of the 1,000 actors, waiting until every one is committed (and the
    // channel confirmed what they said, for the next turn).
    let round = 0;
    const commitsBefore = journal.commits;
    const { rawRate, productMs } = await takingTurns(dir, RAW_PER_TURN * 4, async () => {
      for (let id = 1; id <= ACTORS; id += 1) firebell.service.send(id, ackOrUnack(round));
      await firebell.idle();
      channel.confirm();
      await firebell.idle();
      round += 1;
    });
    const transitions = round * ACTORS;
    const commits = journal.commits - commitsBefore;
    const rate = (transitions * 1000) / productMs;
    return {
      name: 'incidents.transitions_group_commit',
      value: rate,
      unit: 'transitions/s',
      baseline: { name: RAW_SQLITE_BASELINE, value: rawRate, unit: 'tx/s' },
      note: `group commit: ${(rate / rawRate).toFixed(1)}x raw; ${ACTORS} concurrent actors, ${transitions} transitions in ${commits} commits, each with its timeline entry, outbox row and outcome`,
    };
  } finally {
    await firebell.stop();
    await bench.close();
  }
}

async function restore(dir: string): Promise<BenchFigure[]> {
  const path = join(dir, 'restore.sqlite');
  const bench = await openBenchDurable(path);
  const firebell = quietFirebell(bench.durable);
  for (let index = 0; index < RESTORED; index += 1) {
    firebell.service.declare(benchDeclaration(firebell.policy, index));
    if (index % 1000 === 999) await firebell.idle();
  }
  await firebell.idle();
  await firebell.stop();
  await bench.close();

  // A fresh process, so the memory figure is what restoring costs, not what creating them left behind,
  // with the V8 flag firebell runs with (see src/cli.ts).
  const child = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-semi-space-size=4',
      fileURLToPath(new URL('./restore-child.js', import.meta.url)),
      path,
    ],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`restore child failed: ${child.stderr}`);
  const result = JSON.parse(child.stdout) as {
    restored: number;
    ms: number;
    rssMb: number;
    baselineRssMb: number;
  };
  if (result.restored !== RESTORED) throw new Error(`restored ${result.restored} of ${RESTORED}`);
  return [
    {
      name: 'incidents.restore_10000_open_ms',
      value: result.ms,
      unit: 'ms',
      target: '< 2000 ms',
      met: result.ms < 2000,
      note: `${result.restored} incidents restored with their timers re-armed; read from SQLite, each an xstate actor`,
    },
    {
      name: 'incidents.rss_10000_open_mb',
      value: result.rssMb,
      unit: 'MB',
      baseline: { name: 'the same process before restoring', value: result.baselineRssMb, unit: 'MB' },
      target: '< 200 MB',
      met: result.rssMb < 200,
    },
  ];
}

export const benchmark: Benchmark = {
  name: 'incidents',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'firebell-bench-incidents-'));
    try {
      return [await oneTransitionPerCommit(dir), await groupCommit(dir), ...(await restore(dir))];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
