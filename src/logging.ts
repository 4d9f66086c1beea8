/**
 * The one root logger: JSON lines when not on a terminal (for journald, files, log shippers), pretty when a
 * human is watching. Secrets are redacted by key wherever they appear in a logged object, so a config or an
 * options object logged by mistake does not leak a password.
 */
import { pino, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from './core/logger.js';

export const REDACTED_KEYS = [
  'password',
  'accessToken',
  'access_token',
  'nickservPassword',
  'token',
  'secret',
];

export interface LoggerOptions {
  readonly level: string;
  /** Human-readable output (a terminal); otherwise JSON lines. */
  readonly pretty: boolean;
  /** File descriptor to write to: 1 (stdout) or 2 (stderr). */
  readonly fd: 1 | 2;
  /** Tests write into memory. */
  readonly stream?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger & { flush?: () => void } {
  const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);
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
  return pino(
    { level: options.level, base: { app: 'firebell' }, redact: { paths, censor: '[redacted]' } },
    stream,
  );
}
