/**
 * `npm run soak [-- --quick] [-- --seed N]`: firebell's promises checked under seeded random faults.
 *
 * Two stages, judged together by the checker (soak/checker.ts), which prints the table and sets the exit
 * code: mutated configurations through the real `firebell check` (each accepted or refused with file and
 * line, never a stack trace or a hang), and the real firebell on IRC behind the tap and on the Matrix test
 * homeserver in its own process (soak/chat-stage.ts): incidents escalating through their tiers under
 * SIGKILL, SIGTERM, IRC server faults, Matrix 429/500/slow/lost answers and a full disk, with fuzzed chat
 * lines throughout; and beside them the same chat stage with two firebell processes sharing a fresh
 * PostgreSQL database (the active one SIGKILLed, stopped, or frozen past its lease while the standby takes
 * over), judged in the same table under `pg-` rows.
 */
import { parseArgs } from 'node:util';
import { check, formatReport, promiseBroken, type Crash } from './checker.js';
import { fuzzConfigs } from './config-fuzz.js';
import {
  FULL_FAULTS,
  PAIR_FULL_FAULTS,
  PAIR_QUICK_FAULTS,
  QUICK_FAULTS,
  type FaultCounts,
} from './fault-plan.js';
import { runChatStage } from './chat-stage.js';
import { dropSoakDatabase, freshSoakDatabase, type SoakDatabase } from './pg-store.js';
import { Random } from './random.js';
import { mergeStages, tagFaults, tagStage } from './stage-tag.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string' },
    // A shorter run than the full one on a machine too loaded for it (docs/reliability.md): how many
    // configurations, and which fraction of the full run's faults and fuzzed lines.
    configs: { type: 'string' },
    faults: { type: 'string' },
    // No two-instance stage (no PostgreSQL server on this machine, or a comparison of wall clocks).
    'sqlite-only': { type: 'boolean', default: false },
  },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, not ${String(values.seed)}`);
const quick = values.quick === true;
// Quick stays within 150 s on a busy 2-core machine (CI): each check is a fresh node process, and the
// chat stage's restarts cost about 3 s each.
const configs = values.configs === undefined ? (quick ? 20 : 500) : Number(values.configs);
const fraction = values.faults === undefined ? 1 : Number(values.faults);
if (!Number.isInteger(configs) || configs < 0) throw new Error('--configs must be a whole number');
if (!(fraction > 0 && fraction <= 1)) throw new Error('--faults must be a fraction in (0, 1]');
const scaled = (counts: FaultCounts): FaultCounts =>
  Object.fromEntries(
    Object.entries(counts).map(([kind, count]) => [
      kind,
      count === 0 ? 0 : Math.max(1, Math.round(count * fraction)),
    ]),
  ) as FaultCounts;
const faults = quick ? QUICK_FAULTS : scaled(FULL_FAULTS);
const pairFaults = quick ? PAIR_QUICK_FAULTS : scaled(PAIR_FULL_FAULTS);
const fuzzLines = quick ? 300 : Math.round(10_000 * fraction);
const pairFuzzLines = quick ? 100 : Math.round(2_000 * fraction);
const CHECK_DEADLINE_MS = 15_000;

process.stdout.write(
  `soak: seed ${seed}${quick ? ' (quick)' : ''}; rerun with: npm run soak -- ${quick ? '--quick ' : ''}` +
    `${values.configs === undefined ? '' : `--configs ${configs} `}` +
    `${values.faults === undefined ? '' : `--faults ${fraction} `}` +
    `${values['sqlite-only'] === true ? '--sqlite-only ' : ''}--seed ${seed}\n`,
);
const sqliteOnly = values['sqlite-only'] === true;
let database: SoakDatabase | undefined;
try {
  database = sqliteOnly ? undefined : await freshSoakDatabase();
} catch (error) {
  // One line naming the package, as the tests say it (test/support/postgres.ts).
  process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const started = Date.now();
const progress = (line: string): void => {
  process.stdout.write(`  ${line} (${Math.round((Date.now() - started) / 1000)} s)\n`);
};
// The stages run side by side (the chat stages mostly wait on their timers and restarts), each with its
// own generator so that the seed repeats each whatever their interleaving.
const record = process.env.FIREBELL_SOAK_RECORD;
const [configResult, chat, pair] = await Promise.all([
  fuzzConfigs(new Random(seed), configs, CHECK_DEADLINE_MS, progress),
  runChatStage({
    random: new Random(seed + 1),
    faults,
    fuzzLines,
    fuzzIntervalMs: quick ? 150 : 60,
    log: progress,
    // For a broken promise's post-mortem: the run's raw record as JSON.
    recordTo: record,
  }),
  database &&
    runChatStage({
      random: new Random(seed + 2),
      faults: pairFaults,
      fuzzLines: pairFuzzLines,
      fuzzIntervalMs: 150,
      log: (line) => progress(`pg ${line}`),
      recordTo: record && `${record}.pg.json`,
      database,
    }).finally(() => database && dropSoakDatabase(database)),
]);
process.stdout.write(
  `configurations: ${configResult.runs} checked, ${configResult.accepted} accepted, ${configResult.refused} refused, ` +
    `${configResult.failures.length} broke a promise\n`,
);
const faultList = (injected: Readonly<Record<string, number>>): string =>
  Object.entries(injected)
    .map(([fault, count]) => `${fault} ${count}`)
    .join(', ');
process.stdout.write(
  `chat: ${chat.incidents} incidents, ${chat.fuzzed} fuzzed lines, faults ${faultList(chat.injected)}\n`,
);
process.stdout.write(
  `matrix: ${chat.matrix.events} events in the rooms from ${chat.matrix.sends} sends, ` +
    `${chat.matrix.resent} sends repeating a transaction id, ${chat.matrix.faulted} requests faulted\n`,
);
process.stdout.write(
  `disk: the store refused writes for ${chat.disk.refusedMs.map((ms) => `${ms} ms`).join(', ') || 'no time'}` +
    `${chat.disk.untaken > 0 ? `; ${chat.disk.untaken} not felt at the store's size, made fuller` : ''}\n`,
);
if (pair)
  process.stdout.write(
    `pg pair: ${pair.incidents} incidents, ${pair.fuzzed} fuzzed lines, faults ${faultList(pair.injected)}; ` +
      `matrix: ${pair.matrix.events} events in the rooms from ${pair.matrix.sends} sends, ` +
      `${pair.matrix.resent} repeating a transaction id, ${pair.matrix.faulted} requests faulted; ` +
      `${pair.leasesLost} leases lost unprovoked (no renewal within the lease: exit 3, started again)\n`,
  );
const configCrashes: Crash[] = configResult.failures.map((failure) => ({
  fault: 'config-mutation',
  at: Date.now(),
  detail: `${failure.mutation}: ${failure.why}`,
}));
const stages = pair ? mergeStages(chat.input, tagStage(pair.input, 'pg')) : chat.input;
const report = check({
  ...stages,
  crashes: [...configCrashes, ...(stages.crashes ?? [])],
  exercised: {
    // Every injected fault has its row, even one whose window held no demand's due time.
    ...Object.fromEntries(
      Object.keys({ ...chat.injected, ...tagFaults(pair?.injected ?? {}, 'pg') }).map((fault) => [fault, 0]),
    ),
    'config-mutation': configResult.runs,
    'chat-fuzz': chat.fuzzed,
    ...(pair ? { 'pg-chat-fuzz': pair.fuzzed } : {}),
  },
  // Measured from when sending was possible (the outages: restarts, servers down or refusing, the disk
  // full): IRC pacing, Matrix backoff and a loaded machine, not the fault's own length.
  lateAfterMs: { announcement: 5_000, page: 5_000, prompt: 5_000 },
});
process.stdout.write(`${formatReport(report)}\n`);
process.stdout.write(`total ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exitCode = promiseBroken(report) ? 1 : 0;
