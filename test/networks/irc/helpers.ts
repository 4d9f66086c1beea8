/**
 * Helpers for the IRC adapter's tests: the shared in-memory logger, polling with a deadline,
 * a network config with test defaults, and a recorder of the adapter's events.
 */
import { MemoryLogger } from '../../support/memory-logger.js';
import type { InboundMessage, MembershipChange, OutboundMessage } from '../../../src/core/messages.js';
import type { ConnectionState, NetworkEvents } from '../../../src/core/network.js';
import type { IrcNetworkConfig } from '../../../src/config/schema.js';

export { MemoryLogger, type LogEntry } from '../../support/memory-logger.js';
export { until } from '../../support/until.js';

export function memoryLogger(): MemoryLogger {
  return new MemoryLogger();
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
