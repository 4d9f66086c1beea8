/**
 * firebell's /sync loop (replacing matrix-bot-sdk's): long-poll, hand the batch over and wait until it
 * has been handled, and only then save `next_batch`, so a crash mid-batch replays it (deduplicated by
 * event id) instead of losing it. Failures back off exponentially on the injected clock and are reported
 * as connection states: the first failure makes the network 'disconnected', the next success
 * 'connected'. The first request after starting or failing does not long-poll, so 'connected' is known
 * at once.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ConnectionState } from '../../core/network.js';
import { backoffMs, classify, retryWaitMs, type RetryTuning } from './failures.js';
import type { KeyValueStorageProvider } from './kv-storage-provider.js';
import type { Sleeper } from './sleeper.js';
import type { SyncResponse, SyncingMatrixClient } from './sync-client.js';

export interface SyncLoopDeps {
  readonly client: SyncingMatrixClient;
  readonly storage: KeyValueStorageProvider;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sleeper: Sleeper;
  readonly tuning: RetryTuning;
  /** The long-poll timeout once caught up; the first sync, and the first after a failure, do not wait. */
  readonly longPollMs: number;
  /** Handles one batch; `receivedAt` is when it arrived, in the injected clock; `since`, what it follows. */
  handle(response: SyncResponse, receivedAt: number, since: string | null): Promise<void>;
  state(state: ConnectionState, detail?: string): void;
}

export class SyncLoop {
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SyncLoopDeps) {}

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'the sync loop stopped on an unexpected error');
      this.deps.state('disconnected', 'sync loop failed');
    });
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    const { client, storage, clock, logger, sleeper } = this.deps;
    let token = storage.getSyncToken();
    if (token === null)
      logger.info('no stored sync token: starting from a fresh snapshot (old events are not acted on)');
    let failures = 0;
    let connected = false;
    while (!this.stopped) {
      try {
        const response = await client.syncOnce(token, connected ? this.deps.longPollMs : 0);
        if (this.stopped) return;
        const receivedAt = clock.now();
        if (!connected) this.deps.state('connected');
        connected = true;
        failures = 0;
        await this.deps.handle(response, receivedAt, token);
        if (this.stopped) return;
        token = response.next_batch;
        storage.setSyncToken(token);
      } catch (error) {
        if (this.stopped) return;
        const failure = classify(error);
        failures += 1;
        // The adapter's retry policy; and whatever else went wrong, /sync is tried again, with backoff.
        const { tuning } = this.deps;
        const wait =
          retryWaitMs(failure, failures - 1, true, tuning) ??
          backoffMs(failures - 1, tuning.retryBaseMs, tuning.retryMaxMs);
        if (connected || failures === 1) this.deps.state('disconnected', failure.detail);
        connected = false;
        // A revoked token was renewed by the client, or the network has said, once, why it cannot be.
        if (failures === 1 || failures % 10 === 0)
          logger.warn({ detail: failure.detail, failures, waitMs: wait }, 'sync failed; retrying');
        await sleeper.sleep(wait);
      }
    }
  }
}
