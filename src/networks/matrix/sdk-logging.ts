/**
 * matrix-bot-sdk logs through a process-wide LogService that writes to the console by default. Route it
 * into firebell's Logger instead. Its request-failure lines are demoted to debug, because the adapter logs
 * every failure it acts on with more context; its warnings stay warnings. The SDK redacts `access_token`
 * and `password` from the bodies it logs and never logs headers, where the token travels.
 */
import { LogLevel, LogService } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';

let target: Logger | undefined;

export function routeSdkLogs(logger: Logger): void {
  if (!target) {
    LogService.setLevel(LogLevel.WARN);
    LogService.setLogger({
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (module: string, ...parts: unknown[]) => target?.warn({ sdkModule: module }, describe(parts)),
      error: (module: string, ...parts: unknown[]) => {
        const line = describe(parts);
        if (module === 'MatrixHttpClient') target?.debug({ sdkModule: module }, line);
        else target?.warn({ sdkModule: module }, line);
      },
    });
  }
  target = logger.child({ component: 'matrix-bot-sdk' });
}

function describe(parts: readonly unknown[]): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      if (part instanceof Error) return part.message;
      try {
        return JSON.stringify(part);
      } catch {
        return String(part);
      }
    })
    .join(' ');
}
