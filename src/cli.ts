#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * firebell's command line:
 *   firebell [run] [--config DIR]        run the bot (default: ./config)
 *   firebell check [--config DIR]        validate the configuration; exit 1 with every problem
 *   firebell playbook [--config DIR] [--format markdown|html] [--out FILE]
 * Only this file and app.ts touch process.* (argv, env, stdio, signals, exit codes).
 *
 * Node runs with a 4 MB young generation (`--max-semi-space-size=4`, in the shebang and in `npm start`):
 * firebell is I/O-bound, and V8's default 16 MB semi-spaces cost about 25 MB of resident memory for
 * nothing measurable (see `npm run bench -- incidents`, which restores 10,000 incidents with the flag).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runFirebell } from './app.js';
import { checkConfig } from './config/check.js';
import { formatProblem, loadConfig, type LoadResult } from './config/load.js';
import { createLogger } from './logging.js';
import { renderPlaybook } from './playbook/render.js';

const USAGE = `usage:
  firebell [run] [--config DIR]
  firebell check [--config DIR]
  firebell playbook [--config DIR] [--format markdown|html] [--out FILE]

Environment: FIREBELL_LOG_LEVEL (default info; warn in an interactive shell session),
and whatever \${VARIABLES} the configuration names for its secrets.`;

function fail(message: string, code = 2): never {
  process.stderr.write(`firebell: ${message}\n`);
  process.exit(code);
}

function load(dir: string): Extract<LoadResult, { ok: true }> {
  const result = loadConfig({ dir, env: process.env });
  if (!result.ok) {
    for (const problem of result.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    fail(`the configuration in ${dir} has ${result.problems.length} problem(s); nothing was started`, 1);
  }
  for (const warning of result.warnings) process.stderr.write(`warning: ${formatProblem(warning)}\n`);
  return result;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', default: 'config' },
        format: { type: 'string', default: 'markdown' },
        out: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    fail(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = positionals[0] ?? 'run';
  const dir = values.config;

  switch (command) {
    case 'check': {
      const result = checkConfig({ dir, env: process.env });
      for (const line of result.lines) (result.ok ? process.stdout : process.stderr).write(`${line}\n`);
      process.exitCode = result.ok ? 0 : 1;
      return;
    }
    case 'playbook': {
      const format =
        values.format === 'html'
          ? 'html'
          : values.format === 'markdown' || values.format === 'md'
            ? 'markdown'
            : fail(`--format must be markdown or html, not ${values.format}`);
      const { config } = load(dir);
      const output = renderPlaybook(config, { format, generatedAt: Date.now() });
      if (values.out) writeFileSync(values.out, output);
      else process.stdout.write(output);
      return;
    }
    case 'run': {
      const { config, secrets } = load(dir);
      const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const shell = config.networks.shell?.enabled ?? false;
      const level = process.env.FIREBELL_LOG_LEVEL ?? (shell && interactive ? 'warn' : 'info');
      const logger = createLogger({ level, pretty: Boolean(process.stderr.isTTY), fd: 2, secrets });
      const running = await runFirebell({
        config,
        logger,
        stdin: process.stdin,
        stdout: process.stdout,
        interactive,
      });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.stop());
      await running.stopped;
      return;
    }
    default:
      fail(`unknown command "${command}"\n${USAGE}`);
  }
}

main().catch((error: unknown) => {
  // Start-up failures (a store that will not open, a homeserver that refuses the token) carry messages
  // written for the operator; the stack is for debugging.
  const debug = process.env.FIREBELL_LOG_LEVEL === 'debug';
  const text =
    error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
  process.stderr.write(`firebell: ${text}\n`);
  process.exit(1);
});
