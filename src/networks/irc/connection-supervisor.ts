/**
 * Keeps one IRC connection alive, forever: irc-framework's own reconnect gives up after 3 tries and never
 * retries a failed first connect, so it is off and this takes over. A lost or failed connection is retried
 * after an exponential backoff with jitter (1 s to 5 min); the backoff starts over only once a connection
 * stayed registered for a while, so a server that kills us right after registration is not hammered.
 * A watchdog drops a connection that went silent: after half the ping timeout it sends a PING, after the
 * whole timeout without any data it gives up on the socket. All timers run on the injected Clock.
 */
import type { Clock } from '../../core/clock.js';
import type { Backoff } from './backoff.js';

export interface SupervisorHooks {
  /** Opens a new connection attempt. */
  connect(): void;
  /** Abandons the current socket; the supervisor then counts the connection as lost. */
  drop(reason: string): void;
  /** Sends a PING to provoke traffic on a quiet connection. */
  ping(): void;
  /** A reconnect is scheduled. */
  waiting(delayMs: number, reason: string): void;
}

export interface SupervisorOptions {
  readonly pingTimeoutMs: number;
  /** A connection registered at least this long resets the backoff when it drops. */
  readonly stableAfterMs: number;
}

type Phase = 'idle' | 'connecting' | 'registered' | 'waiting' | 'stopped';

export class ConnectionSupervisor {
  private phase: Phase = 'idle';
  private lastActivity = 0;
  private pinged = false;
  private registeredAt: number | undefined;
  private watchdog: unknown;
  private reconnectTimer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly backoff: Backoff,
    private readonly options: SupervisorOptions,
    private readonly hooks: SupervisorHooks,
  ) {}

  get state(): Phase {
    return this.phase;
  }

  /** When the server last sent a line (or the current attempt began). */
  get lastHeard(): number {
    return this.lastActivity;
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.attempt();
  }

  /** Any line from the server. */
  activity(): void {
    this.lastActivity = this.clock.now();
    this.pinged = false;
  }

  registered(): void {
    if (this.phase !== 'connecting') return;
    this.phase = 'registered';
    this.registeredAt = this.clock.now();
    this.activity();
  }

  /** The socket closed or the attempt failed; returns the wait before the next attempt. */
  disconnected(reason: string): number | undefined {
    if (this.phase !== 'connecting' && this.phase !== 'registered') return undefined;
    this.clearWatchdog();
    const stable =
      this.registeredAt !== undefined && this.clock.now() - this.registeredAt >= this.options.stableAfterMs;
    if (stable) this.backoff.reset();
    this.registeredAt = undefined;
    const delay = this.backoff.next();
    this.phase = 'waiting';
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.attempt();
    }, delay);
    this.hooks.waiting(delay, reason);
    return delay;
  }

  stop(): void {
    this.phase = 'stopped';
    this.clearWatchdog();
    if (this.reconnectTimer !== undefined) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private attempt(): void {
    if (this.phase === 'stopped') return;
    this.phase = 'connecting';
    this.activity();
    this.armWatchdog();
    this.hooks.connect();
  }

  private armWatchdog(): void {
    this.clearWatchdog();
    const interval = Math.max(50, Math.floor(this.options.pingTimeoutMs / 4));
    this.watchdog = this.clock.setTimeout(() => {
      this.watchdog = undefined;
      this.check();
    }, interval);
  }

  private check(): void {
    if (this.phase !== 'connecting' && this.phase !== 'registered') return;
    const silentMs = this.clock.now() - this.lastActivity;
    if (silentMs >= this.options.pingTimeoutMs) {
      const seconds = Math.round(this.options.pingTimeoutMs / 1000);
      this.hooks.drop(
        this.phase === 'registered'
          ? `ping timeout: no data from the server for ${seconds} s`
          : `not registered after ${seconds} s`,
      );
      return;
    }
    if (this.phase === 'registered' && !this.pinged && silentMs >= this.options.pingTimeoutMs / 2) {
      this.pinged = true;
      this.hooks.ping();
    }
    this.armWatchdog();
  }

  private clearWatchdog(): void {
    if (this.watchdog !== undefined) this.clock.clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }
}
