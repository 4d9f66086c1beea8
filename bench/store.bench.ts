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
import { emptyBatch, type IncidentTransition, type StoreBatch } from '../src/core/store.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { runIncident } from '../test/store/incident-fixture.js';
import { deliveryRow } from '../test/store/store-fixture.js';
import type { BenchFigure, Benchmark } from './report.js';
import { measurePaired, openRawSqliteBaseline, RAW_SQLITE_BASELINE } from './sqlite-baseline.js';

const DURATION_MS = 6_000;
const WARMUP_MS = 500;
const INCIDENTS = 1_000;

/** The fixture's richest transition with exactly one new timeline entry and one effect. */
function template(): IncidentTransition {
  const size = (transition: IncidentTransition): number => JSON.stringify(transition.snapshot).length;
  const [richest] = runIncident(1)
    .transitions.filter(
      (transition) => transition.timeline.entries.length === 1 && transition.effects.length === 1,
    )
    .sort((a, b) => size(b) - size(a));
  if (!richest) throw new Error('the incident fixture has no transition with one entry and one effect');
  return richest;
}

export const benchmark: Benchmark = {
  name: 'store',
  async run(): Promise<readonly BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'firebell-bench-store-'));
    const base = template();
    const raw = openRawSqliteBaseline(dir);
    const store = openSqliteStore(join(dir, 'store.sqlite'));
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
          deliveryRow(id, `Incident #${incidentId} acknowledged by Ana after 4 min; paging stopped.`, {
            incidentId,
            createdAt: at,
          }),
        ],
        deliveryUpdates:
          outcome === undefined
            ? []
            : [{ id: outcome, kind: 'outcome', state: 'delivered', at, receipt: [`$event-${count}`] }],
      };
    };
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
