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
import type { Actor, IncidentEvent } from '../machines/incident-types.js';
import { systemClock } from '../src/core/clock.js';
import { DurableState } from '../src/core/durable-state.js';
import { silentLogger } from '../src/core/logger.js';
import { emptyBatch, type IncidentTransition, type StoreBatch } from '../src/core/store.js';
import { Lease } from '../src/store/postgres/lease.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { runIncident } from '../test/store/incident-fixture.js';
import { deliveryRow } from '../test/store/store-fixture.js';
import { TEST_DATABASE_URL, testDatabase } from '../test/support/postgres.js';
import { BenchChannel, benchFirebell } from './incidents-setup.js';
import type { BenchFigure, Benchmark } from './report.js';

const DURATION_MS = 6_000;
const WINDOW_MS = 250;
const INCIDENTS = 100;
const STORE_INCIDENTS = 1_000;
const TARGET_SHARE = 0.6;
const RAW = 'raw PostgreSQL single-row commits, same server';

const alice: Actor = { name: 'alice', network: 'bench', account: 'alice' };

/** Ack, then unack, then ack...: each a timeline entry and an announcement in the channel. */
const eventFor = (round: number): IncidentEvent =>
  round % 2 === 0
    ? { type: 'incident.ack', at: systemClock.now(), by: alice }
    : { type: 'incident.unack', at: systemClock.now(), by: alice };

type Operation = () => Promise<unknown>;

/** `raw` and `product` in turns of WINDOW_MS for `ms`; each one's rate over the time spent in it. */
async function alternate(
  ms: number,
  operations: { raw: Operation; product: Operation },
): Promise<{ raw: number; product: number }> {
  const done = { raw: 0, product: 0 };
  const spent = { raw: 0, product: 0 };
  const end = performance.now() + ms;
  let turn: 'raw' | 'product' = 'raw';
  while (performance.now() < end) {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < WINDOW_MS) {
      await operations[turn]();
      n += 1;
    }
    done[turn] += n;
    spent[turn] += performance.now() - start;
    turn = turn === 'raw' ? 'product' : 'raw';
  }
  return { raw: (done.raw / spent.raw) * 1000, product: (done.product / spent.product) * 1000 };
}

/** A fenced store in a schema of its own, with the raw table beside it; `close` drops it all. */
async function fencedStore(admin: pg.Client, name: string) {
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
    for (let index = 0; index < INCIDENTS; index += 1)
      firebell.service.declare({
        summary: `incident ${index}`,
        group: 'infra',
        by: alice,
        policy: firebell.policy,
        source: { kind: 'chat' },
      });
    await firebell.idle();
    channel.confirm();
    await firebell.idle();
    let events = 0;
    const transition = async (): Promise<void> => {
      // The last event's announcement is confirmed now: its outcome rides in this event's commit.
      channel.confirm();
      const id = (events % INCIDENTS) + 1;
      const sent = firebell.service.send(id, eventFor(Math.floor(events / INCIDENTS)));
      if (!sent.ok) throw new Error(`incident #${id} did not take the event: ${sent.reason}`);
      await firebell.idle();
      events += 1;
    };
    await alternate(1_000, { raw, product: transition });
    const commitsBefore = durable.journal.commits;
    const eventsBefore = events;
    const rates = await alternate(DURATION_MS, { raw, product: transition });
    const commits = durable.journal.commits - commitsBefore;
    if (commits !== events - eventsBefore)
      throw new Error(`${events - eventsBefore} transitions took ${commits} commits, not one each`);
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

/** The richest transition of the fixture with one timeline entry and one effect: what each batch copies. */
function template(): IncidentTransition {
  const size = (transition: IncidentTransition): number => JSON.stringify(transition.snapshot).length;
  const [richest] = runIncident(1)
    .transitions.filter((t) => t.timeline.entries.length === 1 && t.effects.length === 1)
    .sort((a, b) => size(b) - size(a));
  if (!richest) throw new Error('the incident fixture has no transition with one entry and one effect');
  return richest;
}

async function storeAlone(admin: pg.Client): Promise<BenchFigure> {
  const { store, raw, close } = await fencedStore(admin, 'store');
  const base = template();
  const snapshot = base.snapshot as { context: Record<string, unknown> };
  const nextSeq = new Array<number>(STORE_INCIDENTS).fill(0);
  let count = 0;
  let previous: string | undefined;
  const batch = (): StoreBatch => {
    const slot = count % STORE_INCIDENTS;
    const from = nextSeq[slot] ?? 0;
    nextSeq[slot] = from + 1;
    count += 1;
    const at = base.at + count;
    const incidentId = slot + 1;
    const effects = base.effects.map((effect) => ({ ...effect, id: count, incidentId }));
    const id = `delivery-${count}`;
    const outcome = previous;
    previous = id;
    return {
      ...emptyBatch(at),
      transitions: [
        {
          ...base,
          incidentId,
          at,
          // A transition changes its snapshot (times, counters): the row is not rewritten identical.
          snapshot: { ...snapshot, context: { ...snapshot.context, id: incidentId, updatedAt: at } },
          effects,
          timeline: { from, entries: base.timeline.entries },
        },
      ],
      effectsDone: effects.map((effect) => effect.id),
      deliveries: [
        deliveryRow(id, `Incident #${incidentId} acknowledged by Ana.`, { incidentId, createdAt: at }),
      ],
      deliveryUpdates:
        outcome === undefined ? [] : [{ id: outcome, kind: 'outcome', state: 'delivered', at, receipt: [] }],
    };
  };
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
