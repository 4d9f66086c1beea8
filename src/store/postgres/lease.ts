/**
 * One active instance among several sharing a PostgreSQL database: a lease row with a fencing token.
 *
 * Why a lease row rather than an advisory lock held on a connection: a session lock says who holds it only
 * to the server, and a paused or partitioned holder keeps it until TCP notices, while its commits go out on
 * other pooled connections unchecked. The row gives each takeover a number (the token, one more each time,
 * never reused) that every commit checks inside its own transaction (postgres-store.ts), so a stale
 * instance is refused by the database, whatever its own clock or connections believe. Expiry uses the
 * database's clock (`now()`), so the hosts' clocks need not agree.
 *
 * The holder renews every third of the lease on its own connection. It counts the lease as lost, at once,
 * when a renewal is refused (another instance took over), when that connection drops (pg_terminate_backend,
 * a server restart), or when no renewal succeeded for a whole lease by its own monotonic clock (a paused
 * host, a hung server): whichever comes first.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/error-message.js';

export interface LeaseOptions {
  readonly url: string;
  /** This instance's name in the lease row and in logs: host and pid by default (app.ts). */
  readonly holder: string;
  readonly leaseSeconds: number;
  readonly logger: Logger;
  /** How often a standby looks whether the lease lapsed. Default: 1 s. */
  readonly pollMs?: number;
  /** A schema to work in (tests). */
  readonly schema?: string;
}

export interface Takeover {
  readonly token: bigint;
  /** When the database granted it (its clock). */
  readonly since: Date;
  /** Why: the first start, or whose lease lapsed when. */
  readonly reason: string;
}

export type LeaseState =
  | { readonly role: 'standby'; readonly since: Date }
  | { readonly role: 'active'; readonly since: Date; readonly token: bigint }
  | { readonly role: 'lost'; readonly since: Date; readonly reason: string };

export class Lease {
  private client: pg.Client | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private current: LeaseState = { role: 'standby', since: new Date() };
  private lost: ((reason: string) => void) | undefined;
  private closed = false;
  /** By this process's monotonic clock, until when the last renewal keeps the lease ours. */
  private validUntil = 0;

  constructor(private readonly options: LeaseOptions) {}

  state(): LeaseState {
    return this.current;
  }

  /** Waits (polling) until this instance holds the lease; resolves with the takeover. */
  async waitUntilActive(signal?: AbortSignal): Promise<Takeover> {
    const pollMs = this.options.pollMs ?? 1_000;
    let logged = false;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const takeover = await this.tryAcquire();
        if (takeover) return takeover;
        if (!logged)
          this.options.logger.info(
            { holder: this.options.holder },
            'standing by: another instance is active',
          );
        logged = true;
      } catch (error) {
        this.options.logger.warn({ error: errorMessage(error) }, 'standby cannot reach PostgreSQL; retrying');
        await this.dropClient();
      }
      await sleep(pollMs, signal);
    }
  }

  /** One attempt: takes the lease if it lapsed (or was never held). */
  async tryAcquire(): Promise<Takeover | undefined> {
    const client = await this.connection();
    const { rows } = await client.query<{ token: string; since: Date; reason: string }>(
      `UPDATE lease SET holder = $1, token = token + 1, since = now(),
         expires_at = now() + make_interval(secs => $2),
         reason = CASE WHEN holder IS NULL THEN 'no instance was active before'
                       ELSE 'the lease of ' || holder || ' lapsed at ' || expires_at END
       WHERE name = 'active' AND expires_at <= now()
       RETURNING token::text, since, reason`,
      [this.options.holder, this.options.leaseSeconds],
    );
    const row = rows[0];
    if (!row) return undefined;
    const takeover = { token: BigInt(row.token), since: row.since, reason: row.reason };
    this.current = { role: 'active', since: row.since, token: takeover.token };
    return takeover;
  }

  /** Renews every third of the lease until `release`; `onLost` is called once, when it is lost. */
  keep(onLost: (reason: string) => void): void {
    const state = this.current;
    if (state.role !== 'active') throw new Error('keep() before the lease was taken');
    this.lost = onLost;
    const leaseMs = this.options.leaseSeconds * 1000;
    this.validUntil = performance.now() + leaseMs;
    const tick = async (): Promise<void> => {
      if (!this.stillHeld()) return;
      const sentAt = performance.now();
      try {
        const client = await this.connection();
        const renewed = await client.query(
          `UPDATE lease SET expires_at = now() + make_interval(secs => $2)
           WHERE name = 'active' AND token = $1 AND expires_at > now()`,
          [state.token.toString(), this.options.leaseSeconds],
        );
        if (renewed.rowCount === 0)
          return this.lose('the lease is no longer ours: another instance took over or it lapsed');
        this.validUntil = sentAt + leaseMs;
      } catch (error) {
        return this.lose(`the lease connection failed: ${errorMessage(error)}`);
      }
      this.renewTimer = setTimeout(() => void tick(), leaseMs / 3);
    };
    this.renewTimer = setTimeout(() => void tick(), leaseMs / 3);
  }

  /**
   * Whether this instance may still act as the active one, asked before every line or request it puts on
   * a chat network. A process resumed after a pause runs whatever its event loop has ready (a pacing
   * timer, a queued send) before the renewal timer can notice: this check by its own monotonic clock
   * comes first, so nothing goes out after the lease ran out, not even what was never stored (a relayed
   * line, an answer in flight), which the database's fence cannot hold back. Losing it here is losing it.
   */
  stillHeld(): boolean {
    if (this.current.role !== 'active') return false;
    if (this.lost === undefined || performance.now() < this.validUntil) return true;
    this.lose('no renewal succeeded for a whole lease (paused or cut off)');
    return false;
  }

  /** Gives the lease up (a clean stop): a standby may take over at its next poll. */
  async release(): Promise<void> {
    this.closed = true;
    clearTimeout(this.renewTimer);
    const state = this.current;
    try {
      if (state.role === 'active' && this.client)
        await this.client.query(
          `UPDATE lease SET expires_at = now(), reason = 'released' WHERE name = 'active' AND token = $1`,
          [state.token.toString()],
        );
    } catch {
      // It lapses by itself.
    }
    await this.dropClient();
  }

  private lose(reason: string): void {
    if (this.closed || this.current.role !== 'active') return;
    clearTimeout(this.renewTimer);
    this.current = { role: 'lost', since: new Date(), reason };
    void this.dropClient();
    this.lost?.(reason);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: `firebell-lease:${this.options.holder}`.slice(0, 63),
      // A renewal may not hang past the lease: the query is abandoned well before it runs out.
      query_timeout: Math.max(1_000, (this.options.leaseSeconds * 1000) / 3),
      connectionTimeoutMillis: Math.max(1_000, (this.options.leaseSeconds * 1000) / 3),
      ...(this.options.schema ? { options: `-c search_path=${this.options.schema}` } : {}),
    });
    client.on('error', (error) => {
      if (this.client === client) this.client = undefined;
      this.lose(`the lease connection dropped: ${error.message}`);
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

/** Waits `ms`, or until `signal` aborts; either way its abort listener goes (a standby polls for days). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
