#!/usr/bin/env node
// Node 20's `node --test` does not expand globs, so the compiled test files are listed here.
// Usage: node scripts/run-tests.mjs [substring filter...]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = collect('dist/test')
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
// A test that hangs (a handle left open after a failure) must fail, not hold CI until its deadline.
// Most files wait on real servers and timers, not on the CPU: three at a time on two cores. CI runs the
// Node 22 and 24 suites side by side with FIREBELL_TEST_CONCURRENCY=2 each.
const concurrency = Number(process.env.FIREBELL_TEST_CONCURRENCY ?? 3);
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...files],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
