/**
 * `npm run soak [-- --quick] [-- --seed N]`: firebell's promises checked under seeded random faults.
 *
 * Today's run: mutated configurations through the real `firebell check` (each accepted or refused with file
 * and line, never a stack trace or a hang), judged by the checker (soak/checker.ts), which prints the table
 * and sets the exit code. The process faults against the IRC tap (soak/irc-tap.ts) and the Matrix test
 * homeserver plug in here as further stages feeding the same checker.
 */
import { parseArgs } from 'node:util';
import { check, formatReport, promiseBroken, type Crash } from './checker.js';
import { fuzzConfigs } from './config-fuzz.js';
import { Random } from './random.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, seed: { type: 'string' } },
});
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, not ${String(values.seed)}`);
const quick = values.quick === true;
// Quick stays under 2.5 minutes on a busy 2-core machine (each check is a fresh node process).
const configs = quick ? 45 : 500;
const CHECK_DEADLINE_MS = 15_000;

process.stdout.write(
  `soak: seed ${seed}${quick ? ' (quick)' : ''}; rerun with: npm run soak -- ${quick ? '--quick ' : ''}--seed ${seed}\n`,
);
const random = new Random(seed);
const started = Date.now();
const configResult = await fuzzConfigs(random, configs, CHECK_DEADLINE_MS, (line) =>
  process.stdout.write(`  ${line} (${Math.round((Date.now() - started) / 1000)} s)\n`),
);
process.stdout.write(
  `configurations: ${configResult.runs} checked, ${configResult.accepted} accepted, ${configResult.refused} refused, ` +
    `${configResult.failures.length} broke a promise (${Math.round((Date.now() - started) / 1000)} s)\n`,
);
const crashes: Crash[] = configResult.failures.map((failure) => ({
  fault: 'config-mutation',
  at: Date.now(),
  detail: `${failure.mutation}: ${failure.why}`,
}));
const report = check({
  demands: [],
  wire: [],
  crashes,
  exercised: { 'config-mutation': configResult.runs },
  lateAfterMs: { announcement: 10_000, page: 10_000, prompt: 10_000 },
});
process.stdout.write(`${formatReport(report)}\n`);
process.exitCode = promiseBroken(report) ? 1 : 0;
