/**
 * `npm run bench -- postgres`: persisted transitions on PostgreSQL, fenced as the active instance commits
 * (each commit checks its lease token inside the transaction), beside raw single-row commits (an
 * autocommitted INSERT of one small row, synchronous_commit as the server has it, as the store's) on the
 * same server, alternated in 250 ms windows so both see the same load. Needs the server the tests use
 * (FIREBELL_TEST_DATABASE_URL); each run works in a schema of its own, so two runs on one server do not meet.
 *
 *  - one transition per commit, through the product's path as incidents.bench.ts runs it on SQLite: the
 *    incident service, the journal, the durable outbox to a channel that confirms what it was handed (each
 *    commit: the new snapshot, its timeline entry, the announcement's outbox row, the previous row's
 *    outcome). The target is judged on this one.
 *  - the store alone, committing batches shaped like those (a real snapshot, varied in each batch as a
 *    transition varies it), to tell the store's share from the core's.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { systemClock } from '../src/core/clock.js';
import { DurableState } from '../src/core/durable-state.js';
import { silentLogger } from '../src/core/logger.js';
import { Lease } from '../src/store/postgres/lease.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { TEST_DATABASE_URL, testDatabase } from '../test/support/postgres.js';
import { BenchChannel, benchFirebell, declareIncidents, oneTransitionAtATime } from './incidents-setup.js';
import type { BenchFigure, Benchmark } from './report.js';
import { richestTransition, transitionBatches } from './transition-batches.js';

const DURATION_MS = 6_000;
const WINDOW_MS = 250;
const INCIDENTS = 100;
const STORE_INCIDENTS = 1_000;
const TARGET_SHARE = 0.6;
const RAW = 'raw PostgreSQL single-row commits, same server';

export type Operation = () => Promise<unknown>;

/** The operations in turns of WINDOW_MS for `ms`, so all meet the same load; each one's rate per second. */
export async function alternate<Name extends string>(
  ms: number,
  operations: Record<Name, Operation>,
): Promise<Record<Name, number>> {
  const names = Object.keys(operations) as Name[];
  const done = new Map<Name, { count: number; ms: number }>(names.map((name) => [name, { count: 0, ms: 0 }]));
  const end = performance.now() + ms;
  for (let turn = 0; performance.now() < end; turn += 1) {
    const name = names[turn % names.length] as Name;
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < WINDOW_MS) {
      await operations[name]();
      n += 1;
    }
    const tally = done.get(name) as { count: number; ms: number };
    tally.count += n;
    tally.ms += performance.now() - start;
  }
  const rates = {} as Record<Name, number>;
  for (const [name, { count, ms: spent }] of done) rates[name] = (count / spent) * 1000;
  return rates;
}

/** A fenced store in a schema of its own, with the raw table beside it; `close` drops it all. */
export async function fencedStore(admin: pg.Client, name: string) {
  const schema = `bench_${name}_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`CREATE TABLE ${schema}.raw (id bigserial PRIMARY KEY, value bigint NOT NULL)`);
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
  const lease = new Lease({
    url: TEST_DATABASE_URL,
    holder: 'bench',
    leaseSeconds: 60,
    logger: silentLogger,
    schema,
  });
  const takeover = await lease.tryAcquire();
  if (!takeover) throw new Error('the bench could not take the lease');
  store.fence(takeover.token);
  let n = 0;
  return {
    store,
    schema,
    token: takeover.token,
    raw: () => admin.query(`INSERT INTO ${schema}.raw (value) VALUES ($1)`, [(n += 1)]),
    close: async () => {
      await lease.release();
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

async function throughTheCore(admin: pg.Client): Promise<BenchFigure> {
  const { store, raw, close } = await fencedStore(admin, 'core');
  const durable = await DurableState.open(store, { clock: systemClock, logger: silentLogger });
  const channel = new BenchChannel();
  const firebell = benchFirebell(durable, channel);
  try {
    await firebell.start();
    await declareIncidents(firebell, channel, INCIDENTS);
    const transitions = oneTransitionAtATime(firebell, channel, INCIDENTS);
    const transition = transitions.next;
    await alternate(1_000, { raw, product: transition });
    const commitsBefore = durable.journal.commits;
    const eventsBefore = transitions.count();
    const rates = await alternate(DURATION_MS, { raw, product: transition });
    const commits = durable.journal.commits - commitsBefore;
    const events = transitions.count() - eventsBefore;
    if (commits !== events) throw new Error(`${events} transitions took ${commits} commits, not one each`);
    return {
      name: 'postgres.transitions_one_per_commit',
      value: rates.product,
      unit: 'transitions/s',
      baseline: { name: RAW, value: rates.raw, unit: 'tx/s' },
      note: `${((rates.product / rates.raw) * 100).toFixed(0)}% of raw; through the core, fenced; each commit: the snapshot, its timeline entry, the announcement's outbox row, the previous row's outcome`,
      target: `>= ${TARGET_SHARE * 100}% of raw`,
      met: rates.product >= TARGET_SHARE * rates.raw,
    };
  } finally {
    await firebell.stop();
    await close();
  }
}

async function storeAlone(admin: pg.Client): Promise<BenchFigure> {
  const { store, raw, close } = await fencedStore(admin, 'store');
  const batch = transitionBatches(richestTransition(), STORE_INCIDENTS);
  try {
    const commit = () => store.commit(batch());
    await alternate(1_000, { raw, product: commit });
    const rates = await alternate(DURATION_MS, { raw, product: commit });
    return {
      name: 'postgres.store_one_transition_batch_rate',
      value: rates.product,
      unit: 'batches/s',
      baseline: { name: RAW, value: rates.raw, unit: 'tx/s' },
      note: `${((rates.product / rates.raw) * 100).toFixed(0)}% of raw; the store alone, fenced; 1 snapshot, 1 timeline entry, 1 outbox row, 1 outcome per tx`,
    };
  } finally {
    await close();
  }
}

export const benchmark: Benchmark = {
  name: 'postgres-store',
  async run(): Promise<readonly BenchFigure[]> {
    await testDatabase();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      return [await throughTheCore(admin), await storeAlone(admin)];
    } finally {
      await admin.end();
    }
  },
};
