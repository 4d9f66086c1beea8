/**
 * The production logger (pino, behind the same redaction) writing JSON lines into memory, as pino's own
 * tests do with a memory stream, so tests assert on what would really be written, and on what never is,
 * such as a token.
 */
import type { DestinationStream } from 'pino';
import type { LogFn, Logger } from '../../src/core/logger.js';
import { createLogger } from '../../src/logging.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  /** Everything else on the line but pino's own keys (time, pid, hostname, the `app` binding). */
  readonly fields: Record<string, unknown>;
}

export interface MemoryLoggerOptions {
  /** Default `debug`: every line the code writes. */
  readonly level?: string;
  /** Secret values to blank, as the configuration's are in production. */
  readonly secrets?: Iterable<string>;
}

const LEVELS: Readonly<Record<number, LogEntry['level']>> = {
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
};
const PINO_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'app']);

/** A destination that keeps each line pino writes. */
class MemoryStream implements DestinationStream {
  readonly lines: string[] = [];
  write(line: string): void {
    this.lines.push(line);
  }
}

export class MemoryLogger implements Logger {
  private readonly stream = new MemoryStream();
  private readonly logger: Logger;
  private readonly parsed: LogEntry[] = [];

  constructor(options: MemoryLoggerOptions = {}) {
    this.logger = createLogger({
      level: options.level ?? 'debug',
      pretty: false,
      fd: 2,
      stream: this.stream,
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
  }

  readonly debug: LogFn = (...args: [object | string, string?]) => this.call('debug', args);
  readonly info: LogFn = (...args: [object | string, string?]) => this.call('info', args);
  readonly warn: LogFn = (...args: [object | string, string?]) => this.call('warn', args);
  readonly error: LogFn = (...args: [object | string, string?]) => this.call('error', args);

  child(bindings: Record<string, unknown>): Logger {
    return this.logger.child(bindings);
  }

  /** The raw JSON lines, as written. */
  get lines(): readonly string[] {
    return this.stream.lines;
  }

  /** Every line parsed, oldest first. */
  get entries(): readonly LogEntry[] {
    for (const line of this.stream.lines.slice(this.parsed.length)) this.parsed.push(toEntry(line));
    return this.parsed;
  }

  /** Everything written, to search for a secret that must not be there. */
  text(): string {
    return this.stream.lines.join('');
  }

  find(level: LogEntry['level'], pattern: RegExp): LogEntry | undefined {
    return this.entries.find((entry) => entry.level === level && pattern.test(entry.message));
  }

  /** Every entry at `level` (or any level) whose message contains `text` (or matches it). */
  matching(text: string | RegExp, level?: LogEntry['level']): LogEntry[] {
    return this.entries.filter(
      (entry) =>
        (level === undefined || entry.level === level) &&
        (typeof text === 'string' ? entry.message.includes(text) : text.test(entry.message)),
    );
  }

  private call(level: LogEntry['level'], [objectOrMessage, message]: [object | string, string?]): void {
    if (typeof objectOrMessage === 'string') this.logger[level](objectOrMessage);
    else this.logger[level](objectOrMessage, message);
  }
}

function toEntry(line: string): LogEntry {
  const object = JSON.parse(line) as Record<string, unknown>;
  const level = LEVELS[Number(object.level)];
  if (!level) throw new Error(`a log line at an unexpected level: ${line}`);
  const fields = Object.fromEntries(Object.entries(object).filter(([key]) => !PINO_KEYS.has(key)));
  return { level, message: typeof object.msg === 'string' ? object.msg : '', fields };
}
