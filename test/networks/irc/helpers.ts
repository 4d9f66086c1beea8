/**
 * Helpers for the IRC adapter's tests: a logger that keeps entries in memory, polling with a deadline,
 * a network config with test defaults, and a recorder of the adapter's events.
 */
import type { Logger } from '../../../src/core/logger.js';
import type { InboundMessage, MembershipChange, OutboundMessage } from '../../../src/core/messages.js';
import type { ConnectionState, NetworkEvents } from '../../../src/core/network.js';
import type { IrcNetworkConfig } from '../../../src/config/schema.js';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export interface MemoryLogger extends Logger {
  readonly entries: LogEntry[];
  /** Messages at `level` (or any level) containing `text`. */
  find(text: string | RegExp, level?: LogEntry['level']): LogEntry[];
}

export function memoryLogger(entries: LogEntry[] = [], bindings: Record<string, unknown> = {}): MemoryLogger {
  const at =
    (level: LogEntry['level']) =>
    (first: object | string, message?: string): void => {
      if (typeof first === 'string') entries.push({ level, msg: first, fields: { ...bindings } });
      else
        entries.push({
          level,
          msg: message ?? '',
          fields: { ...bindings, ...(first as Record<string, unknown>) },
        });
    };
  return {
    entries,
    child: (more) => memoryLogger(entries, { ...bindings, ...more }),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    find: (text, level) =>
      entries.filter(
        (entry) =>
          (level === undefined || entry.level === level) &&
          (typeof text === 'string' ? entry.msg.includes(text) : text.test(entry.msg)),
      ),
  };
}

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function ircConfig(
  overrides: Partial<IrcNetworkConfig> & Pick<IrcNetworkConfig, 'port' | 'nick'>,
): IrcNetworkConfig {
  return {
    id: 'testnet',
    kind: 'irc',
    host: '127.0.0.1',
    tls: false,
    tlsRejectUnauthorized: true,
    altNicks: [],
    username: 'firebell',
    channelKeys: {},
    pacing: { burst: 5, linesPerSecond: 20, queueLimit: 1000 },
    trustNicksWithoutServices: false,
    pingTimeoutSeconds: 60,
    ...overrides,
  };
}

/** Records what an adapter reports. */
export class EventRecorder implements NetworkEvents {
  readonly messages: InboundMessage[] = [];
  readonly states: { state: ConnectionState; at: number; detail: string | undefined }[] = [];
  readonly deliveries: OutboundMessage[] = [];
  readonly memberships: MembershipChange[] = [];
  private handlers: ((message: InboundMessage) => void)[] = [];

  message(message: InboundMessage): void {
    this.messages.push(message);
    for (const handler of this.handlers) handler(message);
  }

  connection(state: ConnectionState, at: number, detail?: string): void {
    this.states.push({ state, at, detail });
  }

  onMessage(handler: (message: InboundMessage) => void): void {
    this.handlers.push(handler);
  }

  delivered(message: OutboundMessage): void {
    this.deliveries.push(message);
  }

  membership(change: MembershipChange): void {
    this.memberships.push(change);
  }
}
