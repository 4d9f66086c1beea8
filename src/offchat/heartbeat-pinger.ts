/**
 * Who watches the watcher: firebell calls a dead-man's-switch URL (healthchecks.io, an Uptime Kuma push
 * monitor, Alertmanager's watchdog receiver) on schedule, and only while it is healthy: the store takes
 * commits, at least one chat network is connected, and timers fire on time (a tick far later than due means
 * the event loop is stuck). When any of that fails it stops calling, so the outside service raises the alarm.
 * The URL often holds a secret (a check's UUID, a push token): it is never logged, only its host.
 */
import type { Clock } from '../core/clock.js';
import type { StoreHealth } from '../core/journal.js';
import type { Logger } from '../core/logger.js';
import type { ConnectionState } from '../core/network.js';

export interface HeartbeatReadiness {
  storeHealth(): StoreHealth;
  networkStates(): Record<string, ConnectionState>;
}

export interface HeartbeatPingerDeps {
  readonly url: string;
  readonly everyMs: number;
  readonly readiness: HeartbeatReadiness;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeoutMs?: number;
}

/** Why firebell is not healthy now, or undefined when it is. */
export function unhealthyBecause(
  readiness: HeartbeatReadiness,
  lateMs: number,
  everyMs: number,
): string | undefined {
  const store = readiness.storeHealth();
  if (!store.ok) return 'the store is failing';
  const states = Object.values(readiness.networkStates());
  if (!states.includes('connected')) return 'no chat network is connected';
  if (lateMs > everyMs) return `timers run late (${Math.round(lateMs / 1000)} s behind)`;
  return undefined;
}

export class HeartbeatPinger {
  private timer: unknown;
  private dueAt = 0;
  private stopped = false;
  /** The reason it last stopped calling, to log each change once. */
  private silentBecause: string | undefined;
  readonly log: Logger;
  pings = 0;

  constructor(private readonly deps: HeartbeatPingerDeps) {
    this.log = deps.logger.child({ module: 'heartbeat', host: new URL(deps.url).host });
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.dueAt = this.deps.clock.now() + this.deps.everyMs;
    this.timer = this.deps.clock.setTimeout(() => void this.tick(), this.deps.everyMs);
  }

  private async tick(): Promise<void> {
    const late = this.deps.clock.now() - this.dueAt;
    const why = unhealthyBecause(this.deps.readiness, late, this.deps.everyMs);
    if (why !== undefined) {
      if (why !== this.silentBecause)
        this.log.warn({ reason: why }, 'not calling the heartbeat URL: firebell is not healthy');
      this.silentBecause = why;
    } else {
      if (this.silentBecause !== undefined) this.log.info('healthy again: calling the heartbeat URL');
      this.silentBecause = undefined;
      await this.ping();
    }
    this.schedule();
  }

  private async ping(): Promise<void> {
    try {
      const response = await fetch(this.deps.url, {
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      this.pings += 1;
      if (!response.ok)
        this.log.warn({ status: response.status }, 'the heartbeat URL answered with an error');
    } catch (error) {
      this.log.warn(
        { reason: error instanceof Error ? error.name : String(error) },
        'the heartbeat URL could not be reached',
      );
    }
  }
}
