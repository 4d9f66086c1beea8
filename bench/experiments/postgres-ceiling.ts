/**
 * An experiment, not a benchmark of the product (`npm run bench` does not run it): how close to raw
 * single-row commits any design of the PostgreSQL store could bring one transition per commit on this
 * server. Run it with `npm run build && node dist/bench/experiments/postgres-ceiling.js`.
 *
 * Four operations in alternated windows, through the same core as `postgres.transitions_one_per_commit`:
 *  - raw: an autocommitted one-row INSERT (the benchmark's baseline);
 *  - product: the store as it is (one call of `firebell_commit`: the snapshot, its timeline entry, the
 *    outbox row, the previous row's outcome);
 *  - one-row ceiling: each batch written as one JSON row of an append-only log, fenced as the product is,
 *    and never folded into the tables. No real design can be cheaper per commit than that (it would have
 *    to fold the log into the tables later, on the same server), so where it misses 60 % of raw, no store
 *    design reaches it;
 *  - core alone: the commit resolves at the next turn of the event loop without any server, for the
 *    core's own cost per transition.
 */
import pg from 'pg';
import { systemClock } from '../../src/core/clock.js';
import { DurableState } from '../../src/core/durable-state.js';
import { silentLogger } from '../../src/core/logger.js';
import type { StoreBatch } from '../../src/core/store.js';
import { FENCE_LOCK_CLASS } from '../../src/store/postgres/commit-function.js';
import { withoutTimeline } from '../../src/store/snapshot-timeline.js';
import { TEST_DATABASE_URL, testDatabase } from '../../test/support/postgres.js';
import { BenchChannel, benchFirebell, declareIncidents, oneTransitionAtATime } from '../incidents-setup.js';
import { alternate, fencedStore } from '../postgres-store.bench.js';

const INCIDENTS = 100;
const ROUNDS = 3;
const ROUND_MS = 4_000;

const CEILING_SQL = (schema: string) => `
  CREATE TABLE ${schema}.batch_log (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, batch text NOT NULL);
  CREATE FUNCTION ${schema}.ceiling_commit(fence bigint, batch text) RETURNS void LANGUAGE plpgsql AS $c$
  BEGIN
    PERFORM pg_advisory_xact_lock_shared(${FENCE_LOCK_CLASS}, '${schema}.lease'::regclass::oid::integer);
    PERFORM 1 FROM ${schema}.lease WHERE name = 'active' AND token = fence AND expires_at > now();
    IF NOT FOUND THEN
      RAISE EXCEPTION 'fencing token % is not the current lease', fence USING ERRCODE = 'FB001';
    END IF;
    INSERT INTO ${schema}.batch_log (batch) VALUES (batch);
  END
  $c$;
`;

await testDatabase();
const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
await admin.connect();
const { store, schema, token, raw, close } = await fencedStore(admin, 'ceiling');
await admin.query(CEILING_SQL(schema));
const logClient = new pg.Client({ connectionString: TEST_DATABASE_URL });
await logClient.connect();
const realCommit = store.commit.bind(store);
const oneRow = (batch: StoreBatch) =>
  logClient.query({
    name: 'ceiling_commit',
    text: `SELECT ${schema}.ceiling_commit($1::bigint, $2::text)`,
    // The snapshots without their timelines, as the product stores them (the entries are in the batch).
    values: [
      token.toString(),
      JSON.stringify({
        ...batch,
        transitions: batch.transitions.map((t) => ({ ...t, snapshot: withoutTimeline(t.snapshot) })),
      }),
    ],
  });
const noServer = () => new Promise<void>((settle) => setImmediate(settle));
const durable = await DurableState.open(store, { clock: systemClock, logger: silentLogger });
const channel = new BenchChannel();
const firebell = benchFirebell(durable, channel);
try {
  await firebell.start();
  await declareIncidents(firebell, channel, INCIDENTS);
  const transition = oneTransitionAtATime(firebell, channel, INCIDENTS).next;
  const through = (commit: (batch: StoreBatch) => Promise<unknown>) => () => {
    store.commit = async (batch) => void (await commit(batch));
    return transition();
  };
  const operations = {
    raw,
    product: through(realCommit),
    ceiling: through(oneRow),
    coreAlone: through(noServer),
  };
  await alternate(1_000, operations);
  for (let round = 1; round <= ROUNDS; round += 1) {
    const rates = await alternate(ROUND_MS, operations);
    const share = (rate: number) => `${((rate / rates.raw) * 100).toFixed(0)} %`;
    const micros = (rate: number) => `${(1e6 / rate).toFixed(0)} µs`;
    console.log(
      `round ${round}: raw ${rates.raw.toFixed(0)} tx/s (${micros(rates.raw)}); ` +
        `product ${rates.product.toFixed(0)}/s, ${share(rates.product)} (${micros(rates.product)}); ` +
        `one-row ceiling ${rates.ceiling.toFixed(0)}/s, ${share(rates.ceiling)} (${micros(rates.ceiling)}); ` +
        `core alone ${micros(rates.coreAlone)} per transition`,
    );
  }
} finally {
  store.commit = realCommit;
  await firebell.stop();
  await logClient.end();
  await close();
  await admin.end();
}
