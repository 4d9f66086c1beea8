/**
 * The incident core under load, on a real SQLite file with the store's durability (WAL, synchronous=FULL):
 *
 *  - persisted transitions per second through 1,000 concurrent incident actors (each transition stored
 *    with its timeline entry and effect before the effect runs), beside the raw better-sqlite3 rate of
 *    single-row transactions measured in the same run, taking turns so both meet the same disk;
 *  - restore time and resident memory for 10,000 open incidents, measured in a fresh process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/core/clock.js';
import type { Actor } from '../machines/incident-types.js';
import { openSqliteStores } from '../src/store/sqlite-store.js';
import type { BenchFigure, Benchmark } from './report.js';
import { openRawSqliteBaseline, RAW_SQLITE_BASELINE } from './sqlite-baseline.js';
import { CountingStore, quietFirebell } from './incidents-setup.js';

const ACTORS = 1000;
const RESTORED = 10_000;
const RAW_PER_TURN = 200;
const MEASURE_MS = 4000;

const alice: Actor = { name: 'alice', network: 'bench', account: 'alice' };

async function throughput(dir: string): Promise<BenchFigure[]> {
  const stores = openSqliteStores(join(dir, 'throughput.sqlite'));
  const store = new CountingStore(stores.incidents);
  const firebell = quietFirebell(store);
  const raw = openRawSqliteBaseline(dir);
  try {
    for (let index = 0; index < ACTORS; index += 1) {
      firebell.service.declare({
        summary: `incident ${index}`,
        group: 'infra',
        by: alice,
        policy: firebell.policy,
        source: { kind: 'chat' },
      });
    }
    await firebell.service.idle();

    // Turns: a burst of raw single-row transactions, then one event to each of the 1,000 actors (ack, then
    // unack: each a timeline entry and an effect), waiting until every effect ran and was marked done.
    let rawOps = 0;
    let rawMs = 0;
    let actorMs = 0;
    let round = 0;
    const transitionsBefore = store.transitions;
    const commitsBefore = store.commits;
    const start = performance.now();
    while (performance.now() - start < MEASURE_MS) {
      const rawStart = performance.now();
      for (let i = 0; i < RAW_PER_TURN; i += 1) raw.transact(rawOps + i);
      rawMs += performance.now() - rawStart;
      rawOps += RAW_PER_TURN;

      const actorStart = performance.now();
      const at = systemClock.now();
      for (let id = 1; id <= ACTORS; id += 1) {
        firebell.service.send(
          id,
          round % 2 === 0
            ? { type: 'incident.ack', at, by: alice }
            : { type: 'incident.unack', at, by: alice },
        );
      }
      await firebell.service.idle();
      actorMs += performance.now() - actorStart;
      round += 1;
    }
    const transitions = store.transitions - transitionsBefore;
    const commits = store.commits - commitsBefore;
    const rate = (transitions * 1000) / actorMs;
    const rawRate = (rawOps * 1000) / rawMs;
    const ratio = rate / rawRate;
    return [
      {
        name: 'incidents.persisted_transitions_per_second',
        value: rate,
        unit: 'transitions/s',
        baseline: { name: RAW_SQLITE_BASELINE, value: rawRate, unit: 'tx/s' },
        note: `${(ratio * 100).toFixed(0)}% of raw; ${ACTORS} concurrent actors, ${transitions} transitions in ${commits} commits (group commit), each with its timeline entry and effect`,
        target: '>= 60% of raw, synchronous=FULL',
        met: ratio >= 0.6,
      },
    ];
  } finally {
    await firebell.stop();
    raw.close();
    stores.close();
  }
}

async function restore(dir: string): Promise<BenchFigure[]> {
  const path = join(dir, 'restore.sqlite');
  const stores = openSqliteStores(path);
  const firebell = quietFirebell(stores.incidents);
  for (let index = 0; index < RESTORED; index += 1) {
    firebell.service.declare({
      summary: `incident ${index}`,
      group: 'infra',
      by: alice,
      policy: firebell.policy,
      source: { kind: 'chat' },
    });
    if (index % 1000 === 999) await firebell.service.idle();
  }
  await firebell.service.idle();
  await firebell.stop();
  stores.close();

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
      return [...(await throughput(dir)), ...(await restore(dir))];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
