/**
 * `npm run bench -- postgres`: the PostgreSQL store alone, fenced as the active instance commits (each
 * batch checks its lease token inside the transaction): the batches the core commits for one transition
 * (a real persisted snapshot, its timeline entry, one outbox row and the previous row's outcome), one
 * transaction each, beside raw single-row commits (an autocommitted INSERT of one small row) on the same
 * server, alternated in 250 ms windows so both see the same load. Needs the server the tests use
 * (FIREBELL_TEST_DATABASE_URL).
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { emptyBatch, type IncidentTransition, type StoreBatch } from '../src/core/store.js';
import { silentLogger } from '../src/core/logger.js';
import { Lease } from '../src/store/postgres/lease.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { runIncident } from '../test/store/incident-fixture.js';
import { deliveryRow } from '../test/store/store-fixture.js';
import { TEST_DATABASE_URL, testDatabase } from '../test/support/postgres.js';
import type { BenchFigure, Benchmark } from './report.js';

const DURATION_MS = 6_000;
const WINDOW_MS = 250;
const INCIDENTS = 1_000;
const SCHEMA = 'bench_postgres_store';

function template(): IncidentTransition {
  const size = (transition: IncidentTransition): number => JSON.stringify(transition.snapshot).length;
  const [richest] = runIncident(1)
    .transitions.filter((t) => t.timeline.entries.length === 1 && t.effects.length === 1)
    .sort((a, b) => size(b) - size(a));
  if (!richest) throw new Error('the incident fixture has no transition with one entry and one effect');
  return richest;
}

export const benchmark: Benchmark = {
  name: 'postgres-store',
  async run(): Promise<readonly BenchFigure[]> {
    await testDatabase();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
    await admin.query(`CREATE TABLE ${SCHEMA}.raw (id bigserial PRIMARY KEY, value bigint NOT NULL)`);
    const store = await PostgresStore.open(TEST_DATABASE_URL, { schema: SCHEMA });
    const lease = new Lease({
      url: TEST_DATABASE_URL,
      holder: 'bench',
      leaseSeconds: 60,
      logger: silentLogger,
      schema: SCHEMA,
    });
    const base = template();
    const nextSeq = new Array<number>(INCIDENTS).fill(0);
    let count = 0;
    let previous: string | undefined;
    const batch = (): StoreBatch => {
      const slot = count % INCIDENTS;
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
          { ...base, incidentId, at, effects, timeline: { from, entries: base.timeline.entries } },
        ],
        effectsDone: effects.map((effect) => effect.id),
        deliveries: [
          deliveryRow(id, `Incident #${incidentId} acknowledged by Ana.`, { incidentId, createdAt: at }),
        ],
        deliveryUpdates:
          outcome === undefined
            ? []
            : [{ id: outcome, kind: 'outcome', state: 'delivered', at, receipt: [] }],
      };
    };
    try {
      const takeover = await lease.tryAcquire();
      if (!takeover) throw new Error('the bench could not take the lease');
      store.fence(takeover.token);
      const operations = {
        raw: (n: number) => admin.query(`INSERT INTO ${SCHEMA}.raw (value) VALUES ($1)`, [n]),
        store: () => store.commit(batch()),
      };
      const done = { raw: 0, store: 0 };
      const spent = { raw: 0, store: 0 };
      const measure = async (ms: number, record: boolean): Promise<void> => {
        const end = performance.now() + ms;
        let turn: 'raw' | 'store' = 'raw';
        while (performance.now() < end) {
          const start = performance.now();
          let n = 0;
          while (performance.now() - start < WINDOW_MS) {
            await operations[turn](n);
            n += 1;
          }
          if (record) {
            done[turn] += n;
            spent[turn] += performance.now() - start;
          }
          turn = turn === 'raw' ? 'store' : 'raw';
        }
      };
      await measure(1_000, false);
      await measure(DURATION_MS, true);
      const rawRate = (done.raw / spent.raw) * 1000;
      const rate = (done.store / spent.store) * 1000;
      return [
        {
          name: 'postgres.one_transition_batch_rate',
          value: rate,
          unit: 'batches/s',
          baseline: { name: 'raw PostgreSQL single-row commits, same server', value: rawRate, unit: 'tx/s' },
          note: `${((rate / rawRate) * 100).toFixed(0)}% of raw; fenced (lease row checked in each tx); 1 snapshot, 1 timeline entry, 1 outbox row, 1 outcome per tx`,
          target: '>= 60% of raw',
          met: rate >= 0.6 * rawRate,
        },
      ];
    } finally {
      await lease.release();
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.end();
    }
  },
};
