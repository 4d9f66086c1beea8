/**
 * `npm run bench -- store`: the SQLite store alone, without the core in front of it: how many of the
 * batches the core commits for one transition (a real persisted snapshot of about 2 KB, its timeline
 * entry, the outbox row of the announcement it asks for, and the previous row's outcome) it writes per
 * second, one transaction each, beside the raw single-row-transaction rate on the same filesystem with the
 * same durability, measured paired (see ./sqlite-baseline.ts). The product's figure, through the service
 * and the journal, is `incidents.transitions_one_per_commit`; the difference between the two is the core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { BenchFigure, Benchmark } from './report.js';
import { measurePaired, openRawSqliteBaseline, RAW_SQLITE_BASELINE } from './sqlite-baseline.js';
import { richestTransition, transitionBatches } from './transition-batches.js';

const DURATION_MS = 6_000;
const WARMUP_MS = 500;
const INCIDENTS = 1_000;

export const benchmark: Benchmark = {
  name: 'store',
  async run(): Promise<readonly BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'firebell-bench-store-'));
    const base = richestTransition();
    const raw = openRawSqliteBaseline(dir);
    const store = openSqliteStore(join(dir, 'store.sqlite'));
    const batch = transitionBatches(base, INCIDENTS);
    try {
      const operations = {
        raw: (index: number) => raw.transact(index),
        store: () => store.commitSync(batch()),
      };
      // Fills the incidents' first pages and warms the JIT, so the measured part updates existing rows.
      measurePaired(WARMUP_MS, operations);
      const rates = measurePaired(DURATION_MS, operations);
      const rawRate = rates.raw.perSecond;
      const rate = rates.store.perSecond;
      const snapshotBytes = JSON.stringify(base.snapshot).length;
      return [
        {
          name: 'store.one_transition_batch_rate',
          value: rate,
          unit: 'batches/s',
          baseline: { name: RAW_SQLITE_BASELINE, value: rawRate, unit: 'tx/s' },
          note: `${((rate / rawRate) * 100).toFixed(0)}% of raw; the store alone: ${snapshotBytes}-byte snapshot, 1 timeline entry, 1 outbox row, 1 outcome per tx`,
        },
      ];
    } finally {
      raw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
