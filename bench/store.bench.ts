/**
 * `npm run bench -- store`: how many transitions per second `saveTransition` stores (a real persisted
 * snapshot of about 2 KB, one timeline entry, one effect, one transaction each), beside the raw
 * single-row-transaction rate on the same filesystem with the same durability, measured paired
 * (see ./sqlite-baseline.ts). Two more figures show what the service's use of the store costs or saves:
 * completing each effect in its own commit, and group commit (`saveTransitions`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncidentTransition } from '../src/core/store.js';
import { openDatabase } from '../src/store/database.js';
import { SqliteIncidentStore } from '../src/store/sqlite-incident-store.js';
import { runIncident } from '../test/store/incident-fixture.js';
import type { BenchFigure, Benchmark } from './report.js';
import { measurePaired, openRawSqliteBaseline, RAW_SQLITE_BASELINE } from './sqlite-baseline.js';

const DURATION_MS = 6_000;
const WARMUP_MS = 500;
const INCIDENTS = 1_000;
const TARGET_SHARE = 0.6;
/** Transitions per transaction in the group-commit figure. */
const GROUP = 10;

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

type Mode = 'save' | 'save-and-complete' | 'group-commit';

interface SavingStore {
  /** One transaction: one transition (GROUP of them in group-commit mode), incidents taking turns. */
  save(): void;
  close(): void;
}

function openSavingStore(dir: string, base: IncidentTransition, mode: Mode): SavingStore {
  const path = join(dir, `${mode}.sqlite`);
  const store = new SqliteIncidentStore(openDatabase(path));
  const nextSeq = new Array<number>(INCIDENTS).fill(0);
  let count = 0;
  const next = (): IncidentTransition => {
    const slot = count % INCIDENTS;
    const from = nextSeq[slot] ?? 0;
    nextSeq[slot] = from + 1;
    count += 1;
    const timeline = { from, entries: base.timeline.entries };
    return { ...base, incidentId: slot + 1, at: base.at + count, timeline };
  };
  return {
    save() {
      if (mode === 'group-commit') {
        store.saveTransitions(Array.from({ length: GROUP }, next));
        return;
      }
      const stored = store.saveTransition(next());
      if (mode === 'save-and-complete') store.completeEffects(stored.map((effect) => effect.id));
    },
    close() {
      store.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
    },
  };
}

export const benchmark: Benchmark = {
  name: 'store',
  async run(): Promise<readonly BenchFigure[]> {
    const dir = mkdtempSync(join(tmpdir(), 'firebell-bench-store-'));
    const base = template();
    const raw = openRawSqliteBaseline(dir);
    const save = openSavingStore(dir, base, 'save');
    const saveAndComplete = openSavingStore(dir, base, 'save-and-complete');
    const groupCommit = openSavingStore(dir, base, 'group-commit');
    try {
      const operations = {
        raw: (index: number) => raw.transact(index),
        save: () => save.save(),
        saveAndComplete: () => saveAndComplete.save(),
        groupCommit: () => groupCommit.save(),
      };
      // Fills the incidents' first pages and warms the JIT, so the measured part updates existing rows.
      measurePaired(WARMUP_MS, operations);
      const rates = measurePaired(DURATION_MS, operations);
      const rawRate = rates.raw.perSecond;
      const baseline = { name: RAW_SQLITE_BASELINE, value: rawRate, unit: 'tx/s' };
      const share = (value: number): string => `${((value / rawRate) * 100).toFixed(0)}% of raw`;
      const saveRate = rates.save.perSecond;
      const completeRate = rates.saveAndComplete.perSecond;
      const groupRate = rates.groupCommit.perSecond * GROUP;
      const snapshotBytes = JSON.stringify(base.snapshot).length;
      return [
        {
          name: 'store.save_transition_rate',
          value: saveRate,
          unit: 'transitions/s',
          baseline,
          note: `${share(saveRate)}; ${snapshotBytes}-byte snapshot, 1 timeline entry, 1 effect per tx`,
          target: `>= ${TARGET_SHARE * 100}% of raw, synchronous=FULL`,
          met: saveRate >= TARGET_SHARE * rawRate,
        },
        {
          name: 'store.save_then_complete_rate',
          value: completeRate,
          unit: 'transitions/s',
          baseline,
          note: `${share(completeRate)}; completeEffects after each save: a second commit per transition`,
        },
        {
          name: 'store.group_commit_rate',
          value: groupRate,
          unit: 'transitions/s',
          baseline,
          note: `${share(groupRate)}; saveTransitions, ${GROUP} transitions per tx`,
        },
      ];
    } finally {
      raw.close();
      save.close();
      saveAndComplete.close();
      groupCommit.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
