/**
 * Run by incidents.bench.ts in a fresh process: restores every open incident of the store at argv[2] and
 * prints how long it took (opening the store and reading it included) and the resident memory
 * afterwards, as JSON.
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createLogger } from '../src/logging.js';
import { openBenchDurable } from './durable-store.js';
import { quietFirebell } from './incidents-setup.js';

const path = process.argv[2];
if (!path) throw new Error('usage: restore-child <store path>');
const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
collect();
const baselineRss = process.memoryUsage().rss;
// The production logger (pino at info), writing nowhere: its per-incident cost belongs in the figure.
const logger = createLogger({
  level: 'info',
  pretty: false,
  fd: 2,
  stream: pino.destination({ dest: '/dev/null', sync: true }),
});
const start = performance.now();
const bench = await openBenchDurable(path);
const firebell = quietFirebell(bench.durable, logger);
const report = await firebell.start();
await firebell.idle();
const ms = performance.now() - start;
collect();
const rss = process.memoryUsage().rss;
process.stdout.write(
  JSON.stringify({
    restored: report.restored,
    quarantined: report.quarantined.length,
    ms,
    rssMb: rss / 2 ** 20,
    baselineRssMb: baselineRss / 2 ** 20,
  }),
);
await firebell.stop();
await bench.close();
