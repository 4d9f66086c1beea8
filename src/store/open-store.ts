/**
 * Opens the store the configuration names. SQLite: the file, at once. PostgreSQL: the database (migrated
 * once under a lock), then this instance stands by until it holds the lease (lease.ts); from then on every
 * commit carries its fencing token, and `onLost` is called the moment the lease is lost.
 */
import type { StoreConfig } from '../config/config.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../core/store.js';
import { Lease, type LeaseState } from './postgres/lease.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';

export interface OpenedStore {
  readonly store: Store;
  /** Absent on SQLite: one instance, always active. */
  readonly lease?: Lease;
}

export interface OpenStoreOptions {
  readonly logger: Logger;
  /** This instance's name in the lease row (host:pid). */
  readonly holder: string;
  /** Ends a standby's wait (a stop requested before it became active). */
  readonly signal?: AbortSignal;
  /** Called once if the lease is lost: the caller must stop sending at once. */
  readonly onLost: (reason: string) => void;
}

export async function openConfiguredStore(
  config: StoreConfig,
  options: OpenStoreOptions,
): Promise<OpenedStore> {
  const logger = options.logger.child({ module: 'store' });
  if (config.kind === 'sqlite') return { store: openSqliteStore(config.path, { logger }) };
  const store = await PostgresStore.open(config.url, {
    logger,
    applicationName: `firebell:${options.holder}`,
    idleTransactionTimeoutMs: config.leaseSeconds * 1000,
  });
  const lease = new Lease({
    url: config.url,
    holder: options.holder,
    leaseSeconds: config.leaseSeconds,
    logger,
  });
  try {
    const takeover = await lease.waitUntilActive(options.signal);
    store.fence(takeover.token);
    logger.warn(
      {
        holder: options.holder,
        token: takeover.token.toString(),
        since: takeover.since.toISOString(),
        reason: takeover.reason,
      },
      `active: took over the lease (${takeover.reason})`,
    );
  } catch (error) {
    await lease.release();
    await store.close();
    throw error;
  }
  lease.keep((reason) => {
    logger.error({ holder: options.holder, reason }, `lost the lease: stopping at once (${reason})`);
    options.onLost(reason);
  });
  return { store, lease };
}

/** What /readyz and /metrics report: this instance's role, since when (and its token when active). */
export function describeLease(lease: Lease | undefined): LeaseState | { readonly role: 'single' } {
  return lease ? lease.state() : { role: 'single' };
}

/** The same for /readyz and /metrics: the role and since when, as JSON (no token: it is not for callers). */
export function instanceRoleOf(lease: Lease | undefined): {
  role: LeaseState['role'] | 'single';
  since?: string;
} {
  const state = describeLease(lease);
  return state.role === 'single'
    ? { role: 'single' }
    : { role: state.role, since: state.since.toISOString() };
}

/** `firebell migrate`: opens the store (which applies pending migrations, under the lock) and closes it. */
export async function migrateConfiguredStore(config: StoreConfig, logger: Logger): Promise<void> {
  const store =
    config.kind === 'sqlite'
      ? openSqliteStore(config.path, { logger })
      : await PostgresStore.open(config.url, { logger, applicationName: 'firebell-migrate' });
  await store.close();
}
