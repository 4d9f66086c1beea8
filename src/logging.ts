/**
 * The one root logger: JSON lines when not on a terminal (for journald, files, log shippers), pretty when a
 * human is watching. Everything logged (objects, child bindings, messages) passes through a Redactor first
 * (log-redaction.ts), so a secret is blanked at any depth, under any key that names one, and wherever a
 * secret value from the configuration turns up.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFn, Logger } from './core/logger.js';
import { Redactor } from './log-redaction.js';

export interface LoggerOptions {
  readonly level: string;
  /** Human-readable output (a terminal); otherwise JSON lines. */
  readonly pretty: boolean;
  /** File descriptor to write to: 1 (stdout) or 2 (stderr). */
  readonly fd: 1 | 2;
  /** Tests write into memory. */
  readonly stream?: DestinationStream;
  /** The secret values the configuration holds (`LoadResult.secrets`): never written, wherever they appear. */
  readonly secrets?: Iterable<string>;
}

export type RootLogger = Logger & { flush(): void };

export function createLogger(options: LoggerOptions): RootLogger {
  const stream =
    options.stream ??
    (options.pretty
      ? pretty({
          colorize: true,
          destination: options.fd,
          translateTime: 'SYS:HH:MM:ss',
          ignore: 'pid,hostname',
          sync: true,
        })
      : pino.destination({ fd: options.fd, sync: true }));
  // Errors are serialized (and redacted) by the Redactor; pino's own `err` serializer would do it again.
  const serializers = { err: (value: unknown) => value };
  const root = pino({ level: options.level, base: { app: 'firebell' }, serializers }, stream);
  return new RedactingLogger(root, new Redactor(options.secrets));
}

type Level = 'debug' | 'info' | 'warn' | 'error';

/** pino behind the core's Logger port, with every argument redacted before pino sees it. */
class RedactingLogger implements RootLogger {
  readonly debug = this.at('debug');
  readonly info = this.at('info');
  readonly warn = this.at('warn');
  readonly error = this.at('error');

  constructor(
    private readonly pino: PinoLogger,
    private readonly redactor: Redactor,
  ) {}

  child(bindings: Record<string, unknown>): Logger {
    const redacted = this.redactor.value(bindings) as Record<string, unknown>;
    return new RedactingLogger(this.pino.child(redacted), this.redactor);
  }

  flush(): void {
    this.pino.flush();
  }

  private at(level: Level): LogFn {
    return ((objectOrMessage: object | string, message?: string): void => {
      // A level that is off costs nothing: no walk over the object.
      if (!this.pino.isLevelEnabled(level)) return;
      if (typeof objectOrMessage === 'string') {
        this.pino[level](this.redactor.text(objectOrMessage));
        return;
      }
      // An error logged on its own goes under `err`, its message the line's, as pino does it.
      const error = objectOrMessage instanceof Error ? objectOrMessage : undefined;
      const fields = this.redactor.value(error ? { err: error } : objectOrMessage) as object;
      const text = message ?? error?.message;
      if (text === undefined) this.pino[level](fields);
      else this.pino[level](fields, this.redactor.text(text));
    }) as LogFn;
  }
}
