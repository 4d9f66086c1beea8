/**
 * `npm run bench`: runs every `*.bench.js` next to this file (or those whose name contains an argument)
 * and prints one line per figure. Each benchmark module exports `benchmark: Benchmark`.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatFigure, type Benchmark } from './report.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.js'))
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

let failed = false;
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { benchmark?: Benchmark };
  if (!module.benchmark) continue;
  try {
    for (const figure of await module.benchmark.run()) console.log(formatFigure(figure));
  } catch (error) {
    failed = true;
    console.log(
      `${module.benchmark.name}: failed (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
process.exit(failed ? 1 : 0);
