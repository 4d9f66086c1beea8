/**
 * A Logger for tests that keeps every entry in memory, as pino's own tests do with a memory stream, so
 * tests can assert on what was logged (and on what never was, such as a token).
 */
import type { Logger } from '../../src/core/logger.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

export class MemoryLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger(this.entries, { ...this.bindings, ...bindings });
  }

  debug = this.at('debug');
  info = this.at('info');
  warn = this.at('warn');
  error = this.at('error');

  /** All entries as one JSON text, to search for a secret that must not be there. */
  text(): string {
    return this.entries.map((entry) => JSON.stringify(entry, errorsAsText)).join('\n');
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

  private at(level: LogEntry['level']): Logger['info'] {
    return ((objectOrMessage: object | string, message?: string) => {
      if (typeof objectOrMessage === 'string') {
        this.entries.push({ level, message: objectOrMessage, fields: { ...this.bindings } });
      } else {
        this.entries.push({
          level,
          message: message ?? '',
          fields: { ...this.bindings, ...objectOrMessage },
        });
      }
    }) as Logger['info'];
  }
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}
