#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * firebell's command line: run, check, playbook, simulate, doctor, help (see cli-help.ts for the text).
 * Only this file and app.ts touch process.* (argv, env, stdio, signals, exit codes).
 *
 * Node runs with a 4 MB young generation (`--max-semi-space-size=4`, in the shebang and in `npm start`):
 * firebell is I/O-bound, and V8's default 16 MB semi-spaces cost about 25 MB of resident memory for
 * nothing measurable (see `npm run bench -- incidents`, which restores 10,000 incidents with the flag).
 */
import './known-warnings.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runFirebell } from './app.js';
import { CLI_COMMANDS, COMMAND_HELP, GENERAL_HELP, type CliCommand } from './cli-help.js';
import { checkConfig } from './config/check.js';
import { formatProblem, loadConfig, type LoadResult } from './config/load.js';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS } from './config/schema.js';
import { runDoctor } from './doctor/doctor.js';
import { createLogger } from './logging.js';
import { migrateConfiguredStore } from './store/open-store.js';
import { decideShell } from './networks/shell/shell-start.js';
import { renderPlaybook } from './playbook/render.js';
import { parseWhen, simulateIncident, renderSimulation } from './simulate/simulate.js';
import { errorMessage } from './core/error-message.js';

/** Exit codes, as `firebell --help` documents them. */
const EXIT = { ok: 0, failed: 1, usage: 2, leaseLost: 3 } as const;

class UsageError extends Error {}

/** How far past its grace a stop may run (the networks' goodbyes, closing the store) before exit. */
const STOP_OVERRUN_MS = 5_000;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

const COMMON = {
  config: { type: 'string', short: 'c', default: 'config' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsConfig['options'];

const OPTIONS = {
  run: { ...COMMON, shell: { type: 'boolean' } },
  check: COMMON,
  playbook: {
    ...COMMON,
    format: { type: 'string', default: 'markdown' },
    out: { type: 'string', short: 'o' },
  },
  simulate: { ...COMMON, at: { type: 'string', default: 'now' }, group: { type: 'string' } },
  doctor: { ...COMMON, timeout: { type: 'string', default: '30' } },
  migrate: COMMON,
  help: COMMON,
} as const satisfies Record<CliCommand, ParseArgsConfig['options']>;

const isCommand = (word: string): word is CliCommand => (CLI_COMMANDS as readonly string[]).includes(word);

function load(dir: string, secrets: 'required' | 'optional'): Extract<LoadResult, { ok: true }> {
  const result = loadConfig({ dir, env: process.env, secrets });
  if (!result.ok) {
    for (const problem of result.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    process.stderr.write(
      `firebell: the configuration in ${dir} has ${result.problems.length} problem(s); nothing was started\n`,
    );
    process.exit(EXIT.failed);
  }
  for (const warning of result.warnings) process.stderr.write(`${formatProblem(warning, 'warning')}\n`);
  return result;
}

async function main(argv: readonly string[]): Promise<number> {
  const first = argv.find((arg) => !arg.startsWith('-'));
  const command: string = first ?? 'run';
  if (!isCommand(command)) {
    if (argv.includes('--version') || argv.includes('-V')) return printVersion();
    throw new UsageError(`unknown command "${command}"; the commands are ${CLI_COMMANDS.join(', ')}`);
  }
  const rest = first === undefined ? [...argv] : argv.filter((arg, index) => index !== argv.indexOf(first));
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: true, options: OPTIONS[command] });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.version) return printVersion();
  // `firebell --help` (no command word) is the general help; `firebell run --help` is run's.
  if (values.help)
    return print(command === 'help' || first === undefined ? GENERAL_HELP : COMMAND_HELP[command]);
  const dir = String(values.config);
  const positionals = parsed.positionals;

  switch (command) {
    case 'help': {
      const topic = positionals[0];
      if (topic === undefined) return print(GENERAL_HELP);
      if (!isCommand(topic)) throw new UsageError(`there is no command "${topic}"`);
      return print(COMMAND_HELP[topic]);
    }
    case 'check': {
      noPositionals(positionals);
      const result = checkConfig({ dir, env: process.env });
      // Problems and warnings on stderr; the summary, when the config is valid, on stdout.
      const summary = result.ok ? result.lines.at(-1) : undefined;
      for (const line of result.ok ? result.lines.slice(0, -1) : result.lines)
        process.stderr.write(`${line}\n`);
      if (summary) process.stdout.write(`${summary}\n`);
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    case 'playbook': {
      noPositionals(positionals);
      const format =
        values.format === 'html'
          ? 'html'
          : values.format === 'markdown' || values.format === 'md'
            ? 'markdown'
            : usage(`--format must be markdown or html, not ${String(values.format)}`);
      const { config } = load(dir, 'optional');
      const output = renderPlaybook(config, { format, generatedAt: Date.now() });
      if (typeof values.out === 'string') writeFileSync(values.out, output);
      else process.stdout.write(output);
      return EXIT.ok;
    }
    case 'simulate': {
      noPositionals(positionals);
      const { config } = load(dir, 'optional');
      const at = parseWhen(String(values.at), Date.now());
      if (!at.ok) throw new UsageError(`--at: ${at.problem}`);
      const group = typeof values.group === 'string' ? values.group : undefined;
      const simulation = simulateIncident(config, { at: at.at, ...(group === undefined ? {} : { group }) });
      if (!simulation.ok) throw new UsageError(simulation.problem);
      return print(renderSimulation(simulation.result));
    }
    case 'doctor': {
      noPositionals(positionals);
      const timeoutSeconds = Number(values.timeout);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
        throw new UsageError(`--timeout must be a number of seconds, not ${String(values.timeout)}`);
      const { config } = load(dir, 'required');
      const report = await runDoctor(config, {
        timeoutMs: timeoutSeconds * 1000,
        onLine: (line) => process.stdout.write(`${line}\n`),
      });
      return report.failures === 0 ? EXIT.ok : EXIT.failed;
    }
    case 'migrate': {
      noPositionals(positionals);
      const { config, secrets } = load(dir, 'required');
      const logger = createLogger({
        level: process.env.FIREBELL_LOG_LEVEL ?? 'info',
        pretty: false,
        fd: 2,
        secrets,
      });
      await migrateConfiguredStore(config.store, logger);
      return print(`the store at ${config.storePath} is up to date`);
    }
    case 'run': {
      noPositionals(positionals);
      const { config, secrets } = load(dir, 'required');
      const terminal = Boolean(process.stdin.isTTY);
      const shell = decideShell(config, { terminal, forced: values.shell === true });
      if ('refusal' in shell) {
        process.stderr.write(`firebell: ${shell.refusal}\n`);
        return EXIT.failed;
      }
      const interactive = terminal && Boolean(process.stdout.isTTY);
      const level = process.env.FIREBELL_LOG_LEVEL ?? (shell.run && interactive ? 'warn' : 'info');
      const logger = createLogger({ level, pretty: Boolean(process.stderr.isTTY), fd: 2, secrets });
      if (shell.warning) logger.warn(shell.warning);
      // Signals are heard from the start: a SIGTERM during start-up stops firebell cleanly once it runs,
      // rather than killing it half-started.
      let stopRequested = false;
      // A standby waiting for the lease (PostgreSQL store) stops waiting at once.
      const standby = new AbortController();
      let stop = (): void => {
        stopRequested = true;
        standby.abort(new Error('stopped while standing by'));
      };
      const graceMs = (config.bot.shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS) * 1000;
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        process.once(signal, () => {
          logger.info({ signal }, `${signal}: stopping`);
          // A second signal, or a stop that hangs past its grace, ends the process at once.
          process.once(signal, () => process.exit(130));
          setTimeout(() => {
            logger.error('the stop did not finish in time; exiting');
            process.exit(EXIT.failed);
          }, graceMs + STOP_OVERRUN_MS).unref();
          stop();
        });
      const running = await runFirebell({
        config,
        logger,
        stdin: process.stdin,
        stdout: process.stdout,
        interactive,
        shell: shell.run,
        signal: standby.signal,
        // Sending must stop at once, queued messages included: exiting does that; the supervisor
        // (systemd Restart=always, a container's restart policy) starts it again as a standby.
        onLeaseLost: () => process.exit(EXIT.leaseLost),
      }).catch((error: unknown) => {
        if (standby.signal.aborted) process.exit(EXIT.ok);
        throw error;
      });
      stop = () => void running.stop();
      if (running.httpUrl)
        process.stderr.write(
          `firebell: the status site is at ${running.httpUrl}/ (the play book at /playbook)\n`,
        );
      if (stopRequested) stop();
      await running.stopped;
      // Nothing is left to do once stopped (the log is written synchronously); a request still open (a
      // long-poll) must not keep the process alive.
      process.exit(EXIT.ok);
    }
  }
}

function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}

function usage(message: string): never {
  throw new UsageError(message);
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return EXIT.ok;
}

function printVersion(): number {
  return print(`firebell ${version()}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(
        `firebell: ${error.message}\nusage: firebell [command] [options]; firebell --help lists them all\n`,
      );
      process.exit(EXIT.usage);
    }
    // Start-up failures (a store that will not open, a homeserver that refuses the token) carry messages
    // written for the operator; the stack is for debugging.
    const debug = process.env.FIREBELL_LOG_LEVEL === 'debug';
    const text =
      error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
    process.stderr.write(`firebell: ${text}\n`);
    process.exit(EXIT.failed);
  },
);
